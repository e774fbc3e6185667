/**
 * The streaming env vars core and timestore read (seed, "Feature Flags" and "Optional
 * publisher controls"), derived from the resolved stack config. Pure: the Kubernetes patches
 * (`components/StreamingEnv.ts`) and the dev stack's dotenv output (`components/DevStack.ts`)
 * both start from `streamingVariables`, so the two can never disagree on a name or a value.
 */
import type { MirrorFlags, StreamingConfig, TopicSpec } from "../config/schema";
import { TOPIC_ROLES, type TopicRole } from "../topics/catalog";

export const STREAMING_ENABLED = "APPHUB_STREAMING_ENABLED";
export const STREAM_BROKER_URL = "APPHUB_STREAM_BROKER_URL";
export const STREAM_CLIENT_ID = "APPHUB_STREAM_CLIENT_ID";
export const STREAM_CONNECT_TIMEOUT_MS = "APPHUB_STREAM_CONNECT_TIMEOUT_MS";
export const STREAM_PUBLISH_TIMEOUT_MS = "APPHUB_STREAM_PUBLISH_TIMEOUT_MS";
export const SEQUENCE_DATABASE_URL = "APPHUB_EVENT_SEQUENCE_DATABASE_URL";

/** Suffix shared by a role's mirror flag and its topic variable: `workflowRuns` → `WORKFLOW_RUNS`. */
const roleSuffix = (role: TopicRole): string => role.replace(/[A-Z]/g, "_$&").toUpperCase();

export const mirrorVariable = (role: TopicRole): string =>
  `APPHUB_STREAM_MIRROR_${roleSuffix(role)}`;
export const topicVariable = (role: TopicRole): string => `APPHUB_STREAM_TOPIC_${roleSuffix(role)}`;

export interface EnvEntry {
  name: string;
  value: string;
}

/**
 * "1"/"0": the one spelling both core and timestore accept. Timestore falls back to its
 * default on anything it does not recognise, so nothing clever ("True", "enabled") is emitted.
 */
export function flag(on: boolean): "1" | "0" {
  return on ? "1" : "0";
}

/** `"a:1, b:2"` → `"a:1,b:2"`: core splits on commas and does not trim every entry. */
export function normalizeBrokerList(brokerUrl: string): string {
  return brokerUrl
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .join(",");
}

/** The topic that carries a producer role, or undefined if the stack's catalog has none. */
export function topicForRole(topics: readonly TopicSpec[], role: TopicRole): string | undefined {
  return topics.find((topic) => topic.role === role)?.name;
}

/**
 * Every literal streaming variable, in a fixed order. Mirrors are written out explicitly even
 * when off: core turns most mirrors on by default once streaming is on, so leaving a flag
 * unset would not mean "off". A mirror is never "1" while streaming is off.
 */
export function streamingVariables(
  streaming: StreamingConfig,
  topics: readonly TopicSpec[],
): EnvEntry[] {
  const mirrors: MirrorFlags = streaming.mirrors;
  const entries: EnvEntry[] = [
    { name: STREAMING_ENABLED, value: flag(streaming.enabled) },
    { name: STREAM_BROKER_URL, value: normalizeBrokerList(streaming.brokerUrl) },
    ...TOPIC_ROLES.map((role) => ({
      name: mirrorVariable(role),
      value: flag(streaming.enabled && mirrors[role]),
    })),
    { name: STREAM_CLIENT_ID, value: streaming.clientId },
    { name: STREAM_CONNECT_TIMEOUT_MS, value: String(streaming.connectTimeoutMs) },
    { name: STREAM_PUBLISH_TIMEOUT_MS, value: String(streaming.publishTimeoutMs) },
  ];
  for (const role of TOPIC_ROLES) {
    const topic = topicForRole(topics, role);
    if (topic !== undefined) entries.push({ name: topicVariable(role), value: topic });
  }
  return entries;
}

/** Every variable name this program may set, for documentation and tests. */
export const ALL_VARIABLES: readonly string[] = [
  STREAMING_ENABLED,
  STREAM_BROKER_URL,
  ...TOPIC_ROLES.map(mirrorVariable),
  STREAM_CLIENT_ID,
  STREAM_CONNECT_TIMEOUT_MS,
  STREAM_PUBLISH_TIMEOUT_MS,
  ...TOPIC_ROLES.map(topicVariable),
  SEQUENCE_DATABASE_URL,
];
