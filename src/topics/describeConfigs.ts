/**
 * What a DescribeConfigs answer says about a topic's configs, on Apache Kafka and on Redpanda,
 * and which of its rows mean "set on the topic". Pure; `kafka.ts` feeds it the rows kafkajs
 * decoded, and the import, the plan and the provider read the result.
 *
 * The facts (verified in /work/notes/redpanda-security-adopt-facts.md, section B; Redpanda from
 * its v24.3.2 source, Kafka 4.4 live):
 * - kafkajs 2.2.4 negotiates DescribeConfigs v2 with both brokers (it knows v0-2) and decodes
 *   each row's `configSource` (v1+); v0 only has `isDefault`.
 * - On both, a row is set on the topic exactly when its source is 1 (Kafka's
 *   DYNAMIC_TOPIC_CONFIG, kafkajs' TOPIC_CONFIG). Everything else is inherited: Kafka reports
 *   2 (per-broker dynamic), 3 (cluster-wide dynamic default), 4 (server.properties) or 5
 *   (built-in default); Redpanda only ever 5, with the current value of its cluster property.
 * - Redpanda reports a few rows with source 1 that nobody set (`UNCHOSEN_OVERRIDES` below).
 * - Redpanda stores any value <= 0 of its "tristate" keys as disabled and reports it as "-1".
 */
import type { LiveConfigEntry } from "./plan";

/** DescribeConfigs config sources (Kafka's `DescribeConfigsResponse.ConfigSource`; Redpanda uses 1 and 5). */
export const CONFIG_SOURCE = {
  unknown: 0,
  topic: 1,
  dynamicBroker: 2,
  dynamicDefaultBroker: 3,
  staticBroker: 4,
  default: 5,
} as const;

/** One row as kafkajs 2.2.4 decodes it (`describeConfigs/v1/response.js`). */
export interface DescribedConfigEntry {
  configName: string;
  configValue: string | null;
  readOnly: boolean;
  isDefault: boolean;
  /** Absent (or -1) only in a v0 answer. */
  configSource?: number;
  isSensitive: boolean;
}

/** Whether a row is set on the topic itself rather than inherited from the broker or cluster. */
export function isTopicOverride(entry: DescribedConfigEntry): boolean {
  if (entry.configSource === undefined || entry.configSource === -1) return !entry.isDefault;
  return entry.configSource === CONFIG_SOURCE.topic;
}

/** The rows of one topic, by name. */
export function liveConfigsOf(
  entries: readonly DescribedConfigEntry[],
): Record<string, LiveConfigEntry> {
  const configs: Record<string, LiveConfigEntry> = {};
  for (const entry of entries) {
    configs[entry.configName] = {
      value: entry.configValue,
      isOverride: isTopicOverride(entry),
      readOnly: entry.readOnly,
    };
  }
  return configs;
}

/**
 * Redpanda's tristate topic keys (`topics/types.h`): any value <= 0 is stored as "disabled" and
 * described as "-1", so a stack's `0` reads back as `-1`.
 */
export const REDPANDA_TRISTATE_KEYS: ReadonlySet<string> = new Set([
  "retention.ms",
  "retention.bytes",
  "segment.ms",
  "retention.local.target.bytes",
  "retention.local.target.ms",
  "initial.retention.local.target.bytes",
  "initial.retention.local.target.ms",
  "delete.retention.ms",
]);

/** What a broker that stores `desired` for `key` may describe it as, besides `desired` itself. */
export function disabledTristate(key: string, live: string, desired: string): boolean {
  if (!REDPANDA_TRISTATE_KEYS.has(key) || live.trim() !== "-1") return false;
  const text = desired.trim();
  return /^[+-]?[0-9]+$/.test(text) && BigInt(text) <= 0n;
}

/** A row Redpanda reports as set on the topic although nobody may have chosen it. */
export interface UnchosenOverride {
  key: string;
  /** Only this value is the unchosen one; absent: any value. */
  value?: string;
  reason: string;
}

/**
 * Rows Redpanda v24.3.2 reports with source 1 on topics where nobody set them
 * (`config_response_utils.cc`, `topics/types.cc`). An import leaves them out of the stack: a
 * stack that does not manage a key never reads, sends or resets it, so leaving one out changes
 * nothing on the broker.
 */
export const UNCHOSEN_OVERRIDES: readonly UnchosenOverride[] = [
  {
    key: "write.caching",
    value: "disabled",
    reason:
      "Redpanda reports write.caching=disabled as set on every topic while the cluster's write_caching_default is disabled",
  },
  {
    key: "redpanda.remote.read",
    reason:
      "Redpanda fixes it on each topic at creation from the cluster default of the time and reports it as set whenever that default has changed since",
  },
  {
    key: "redpanda.remote.write",
    reason:
      "Redpanda fixes it on each topic at creation from the cluster default of the time and reports it as set whenever that default has changed since",
  },
  {
    key: "delete.retention.ms",
    value: "-1",
    reason:
      "Redpanda gives new topics a hidden disabled delete.retention.ms and reports it as set once the cluster's tombstone_retention_ms is set",
  },
];

/** Why an override of `key` = `value` is one nobody may have chosen, or undefined. */
export function unchosenOverrideReason(key: string, value: string): string | undefined {
  return UNCHOSEN_OVERRIDES.find(
    (rule) => rule.key === key && (rule.value === undefined || rule.value === value.trim()),
  )?.reason;
}
