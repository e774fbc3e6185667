/**
 * Promotion of settings proven in one stack (dev) into another (prod): which differences are
 * promotable, which are environment-specific and stay untouched, and which promotions the
 * target's own validation would reject. Pure: raw stack configs in, a plan out; the CLI reads
 * and writes the files, and `yamlEdit` applies the plan to the target's text.
 *
 * Promotable: topics that the target lacks, each topic's retention, partition increases,
 * other topic configs and role; the mirror flags; the publisher controls (client id and
 * timeouts). Environment-specific, never promoted: everything else (environment, namespace,
 * replication factors, deletion policies, broker count, resources, storage, bucket,
 * external listener, Kafka client settings, `streaming.enabled`, broker URL, targets, secrets).
 */
import {
  CONFIG_NAMESPACE,
  keyPath,
  parseStackConfig,
  type ConfigIssue,
  type StackConfig,
  type TopicSpec,
} from "../config/schema";
import { isRecord } from "../config/values";
import { TOPIC_ROLES } from "../topics/catalog";
import { desiredFromSpec } from "../topics/model";
import { validateTopicFields } from "../topics/validate";
import { deepEqual, formatValue } from "./fieldDiff";
import { setIn, type YamlSet } from "./yamlEdit";

/** Topic configs that depend on the environment's replication or storage, never promoted. */
export function isEnvironmentSpecificTopicConfig(key: string): boolean {
  return key === "min.insync.replicas" || key.startsWith("redpanda.remote.");
}

/** Every mirror flag is promoted: whether a producer mirrors is proven in dev. */
export const PROMOTED_MIRRORS = TOPIC_ROLES;
export const PROMOTED_PUBLISHER_KEYS = [
  "clientId",
  "connectTimeoutMs",
  "publishTimeoutMs",
] as const;

export interface StackInput {
  stack: string;
  /** Raw values keyed without the namespace, as `readStackFile` returns them. */
  raw: Record<string, unknown>;
  /** Keys holding `secure:` values. */
  secretKeys: readonly string[];
}

export type PromotionKind = "topic-added" | "topic-setting" | "mirror" | "publisher";

export interface PromotionChange {
  kind: PromotionKind;
  /** Key path below the namespace: `["topics", "apphub.x", "retentionMs"]`. */
  path: string[];
  /** The target's current resolved value; undefined for a new topic. */
  before: unknown;
  /** The value written into the target. */
  after: unknown;
}

export interface PromotionPlan {
  from: string;
  to: string;
  changes: PromotionChange[];
  /** Why the target's validation would reject the promoted config; non-empty means refused. */
  refusals: ConfigIssue[];
  /** Settings that differ but are environment-specific, e.g. `cluster.replicas`. */
  environmentSpecific: string[];
  /** Differences deliberately not promoted, each with the reason. */
  notPromoted: string[];
}

export class PromotionError extends Error {
  override readonly name = "PromotionError";
}

const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

function resolved(input: StackInput): StackConfig {
  const result = parseStackConfig(
    input.raw,
    {},
    { secretKeys: input.secretKeys, stack: input.stack },
  );
  if (!result.ok) {
    throw new PromotionError(
      `Pulumi.${input.stack}.yaml is invalid, fix it first:\n${result.issues.map((issue) => `  - ${issue.key}: ${issue.message}`).join("\n")}`,
    );
  }
  return result.config;
}

/** What a new topic carries into the target: its catalog settings, not its environment's. */
function promotableOverride(
  sourceRaw: Record<string, unknown>,
  topic: TopicSpec,
): Record<string, unknown> {
  const raw = get(sourceRaw, "topics", topic.name);
  const override: Record<string, unknown> = {};
  if (!isRecord(raw)) return override;
  for (const key of ["partitions", "retentionMs", "role"] as const)
    if (raw[key] !== undefined) override[key] = raw[key];
  if (isRecord(raw.config)) {
    const config = Object.fromEntries(
      Object.entries(raw.config).filter(([key]) => !isEnvironmentSpecificTopicConfig(key)),
    );
    if (Object.keys(config).length > 0) override.config = config;
  }
  return override;
}

function topicChanges(
  source: StackInput,
  from: StackConfig,
  to: StackConfig,
  plan: PromotionPlan,
): void {
  const targetTopics = new Map(to.topics.map((topic) => [topic.name, topic]));
  const sourceNames = new Set(from.topics.map((topic) => topic.name));
  const change = (kind: PromotionKind, path: string[], before: unknown, after: unknown) =>
    plan.changes.push({ kind, path, before, after });

  for (const topic of from.topics) {
    const current = targetTopics.get(topic.name);
    if (!current) {
      change(
        "topic-added",
        ["topics", topic.name],
        undefined,
        promotableOverride(source.raw, topic),
      );
      continue;
    }
    if (topic.partitions > current.partitions)
      change(
        "topic-setting",
        ["topics", topic.name, "partitions"],
        current.partitions,
        topic.partitions,
      );
    if (topic.partitions < current.partitions) {
      plan.refusals.push({
        key: keyPath(["topics", topic.name, "partitions"]),
        message: `expected at least ${current.partitions} (${plan.to}'s current partition count: Kafka cannot remove partitions), got ${topic.partitions} from ${plan.from}`,
      });
    }
    if (topic.retentionMs !== current.retentionMs)
      change(
        "topic-setting",
        ["topics", topic.name, "retentionMs"],
        current.retentionMs,
        topic.retentionMs,
      );
    if (topic.role !== undefined && topic.role !== current.role)
      change("topic-setting", ["topics", topic.name, "role"], current.role, topic.role);
    for (const [key, value] of Object.entries(topic.config)) {
      if (value === current.config[key]) continue;
      if (isEnvironmentSpecificTopicConfig(key)) {
        plan.environmentSpecific.push(`topics.${topic.name}.config.${key}`);
        continue;
      }
      const rawValue = get(source.raw, "topics", topic.name, "config", key);
      change(
        "topic-setting",
        ["topics", topic.name, "config", key],
        current.config[key],
        rawValue ?? value,
      );
    }
    for (const key of Object.keys(current.config)) {
      if (!(key in topic.config))
        plan.notPromoted.push(
          `${keyPath(["topics", topic.name, "config", key])} is set only in ${plan.to}: kept`,
        );
    }
    if (topic.replicationFactor !== current.replicationFactor)
      plan.environmentSpecific.push(`topics.${topic.name}.replicationFactor`);
    if (topic.deletionPolicy !== current.deletionPolicy)
      plan.environmentSpecific.push(`topics.${topic.name}.deletionPolicy`);
  }
  for (const topic of to.topics) {
    if (!sourceNames.has(topic.name)) {
      plan.notPromoted.push(
        `topic ${topic.name} is in ${plan.to} but not in ${plan.from}: kept (promotion never removes a topic; edit Pulumi.${plan.to}.yaml by hand to remove it)`,
      );
    }
  }
}

/** Leaf paths of the resolved configs that differ, collapsed to `section.key`, outside the promotable ones. */
function environmentSpecificDifferences(from: StackConfig, to: StackConfig): string[] {
  const promotable = new Set([
    ...PROMOTED_MIRRORS.map((flag) => `streaming.mirrors.${flag}`),
    ...PROMOTED_PUBLISHER_KEYS.map((key) => `streaming.${key}`),
  ]);
  const differing = new Set<string>();
  const walk = (a: unknown, b: unknown, path: string[]) => {
    if (deepEqual(a, b)) return;
    if (isRecord(a) && isRecord(b) && path.length < 2) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        walk(a[key], b[key], [...path, key]);
      return;
    }
    const name = path.join(".");
    if (!promotable.has(name) && !name.startsWith("streaming.mirrors")) differing.add(name);
  };
  // Topics are compared one by one above; the broker count is cluster.replicas again.
  const withoutTopics = (config: StackConfig): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(config).filter(([key]) => key !== "topics" && key !== "brokerCount"),
    );
  walk(withoutTopics(from), withoutTopics(to), []);
  return [...differing];
}

export function planPromotion(source: StackInput, target: StackInput): PromotionPlan {
  if (source.stack === target.stack)
    throw new PromotionError(`--from and --to are both "${source.stack}"`);
  const from = resolved(source);
  const to = resolved(target);
  const plan: PromotionPlan = {
    from: source.stack,
    to: target.stack,
    changes: [],
    refusals: [],
    environmentSpecific: [],
    notPromoted: [],
  };

  topicChanges(source, from, to, plan);
  for (const flag of PROMOTED_MIRRORS) {
    const [before, after] = [to.streaming.mirrors[flag], from.streaming.mirrors[flag]];
    if (before !== after)
      plan.changes.push({ kind: "mirror", path: ["streaming", "mirrors", flag], before, after });
  }
  for (const key of PROMOTED_PUBLISHER_KEYS) {
    const [before, after] = [to.streaming[key], from.streaming[key]];
    if (before !== after)
      plan.changes.push({ kind: "publisher", path: ["streaming", key], before, after });
  }
  plan.environmentSpecific.unshift(...environmentSpecificDifferences(from, to));
  for (const key of source.secretKeys) {
    if (!target.secretKeys.includes(key)) {
      plan.notPromoted.push(
        `secret ${CONFIG_NAMESPACE}:${key} is set only in ${plan.from}: secrets are never promoted (pulumi config set --secret ${key} -s ${plan.to})`,
      );
    }
  }

  // The target's own validation is the judge: refuse anything it would reject.
  const promoted = promotedRaw(target.raw, plan.changes);
  const check = parseStackConfig(promoted);
  if (!check.ok) plan.refusals.push(...check.issues);
  else {
    // TopicBootstrap's own checks (what the broker would accept) run on every topic the promotion touches.
    const touched = new Set(
      plan.changes.filter((change) => change.path[0] === "topics").map((change) => change.path[1]),
    );
    for (const topic of check.config.topics.filter((spec) => touched.has(spec.name))) {
      for (const failure of validateTopicFields({ ...desiredFromSpec(topic) })) {
        plan.refusals.push({
          key: keyPath(["topics", topic.name, failure.property]),
          message: failure.reason,
        });
      }
    }
  }
  return plan;
}

/** The target's raw config with the plan applied. */
export function promotedRaw(
  raw: Record<string, unknown>,
  changes: readonly PromotionChange[],
): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const change of changes) setIn(copy, change.path, change.after);
  return copy;
}

/** The plan as edits of `Pulumi.<to>.yaml` (keys under `config:` carry the namespace). */
export function yamlSets(plan: PromotionPlan): YamlSet[] {
  return plan.changes.map((change) => ({
    path: ["config", `${CONFIG_NAMESPACE}:${change.path[0]}`, ...change.path.slice(1)],
    value: change.after,
  }));
}

// --- text ---

function describeNewTopic(change: PromotionChange): string {
  const override = change.after as Record<string, unknown>;
  const parts = Object.entries(override).map(([key, value]) =>
    key === "config" && isRecord(value)
      ? Object.entries(value)
          .map(([name, setting]) => `${name}=${formatValue(setting)}`)
          .join(", ")
      : `${key} ${formatValue(value)}`,
  );
  return `new topic${parts.length > 0 ? ` (${parts.join(", ")})` : " (catalog defaults)"}`;
}

/** `topics.a.replicationFactor, topics.b.replicationFactor` → `topics.*.replicationFactor (2 topics)`. */
function groupTopicKeys(keys: readonly string[]): string[] {
  const counts = new Map<string, Set<string>>();
  const order: string[] = [];
  for (const key of new Set(keys)) {
    const topic = /^topics\.(.+)\.(replicationFactor|deletionPolicy|config\..+)$/.exec(key);
    const group = topic ? `topics.*.${topic[2]}` : key;
    if (!counts.has(group)) {
      counts.set(group, new Set());
      order.push(group);
    }
    if (topic) counts.get(group)!.add(topic[1]!);
  }
  return order.map((group) => {
    const topics = counts.get(group)!;
    if (topics.size === 0) return group;
    return topics.size === 1
      ? group.replace("*", [...topics][0]!)
      : `${group} (${topics.size} topics)`;
  });
}

function wrap(items: readonly string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    const next = line === "" ? item : `${line}, ${item}`;
    if (line !== "" && indent.length + next.length > width) {
      lines.push(`${indent}${line},`);
      line = item;
    } else line = next;
  }
  if (line !== "") lines.push(`${indent}${line}`);
  return lines;
}

export function formatPlan(plan: PromotionPlan): string {
  const lines = [`promotion ${plan.from} => ${plan.to} (Pulumi.${plan.to}.yaml)`, ""];
  if (plan.changes.length === 0)
    lines.push(`nothing to promote: ${plan.to} already has ${plan.from}'s promotable settings`);
  else {
    lines.push(`promotable differences (${plan.changes.length}):`);
    for (const change of plan.changes) {
      const key = keyPath(change.path);
      lines.push(
        change.kind === "topic-added"
          ? `  + ${key}: ${describeNewTopic(change)}`
          : `  ~ ${key}: ${formatValue(change.before)} => ${formatValue(change.after)}`,
      );
    }
  }
  if (plan.environmentSpecific.length > 0) {
    lines.push(
      "",
      `left alone (environment-specific, different in ${plan.from} and ${plan.to}):`,
      ...wrap(groupTopicKeys(plan.environmentSpecific), "  "),
    );
  }
  if (plan.notPromoted.length > 0)
    lines.push("", "not promoted:", ...plan.notPromoted.map((note) => `  - ${note}`));
  if (plan.refusals.length > 0) {
    lines.push(
      "",
      `REFUSED: ${plan.to}'s validation would reject this promotion; nothing written. Fix ${plan.from} (or ${plan.to}'s environment settings) first:`,
      ...plan.refusals.map((issue) => `  - ${issue.key}: ${issue.message}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
