/**
 * DescribeConfigs answers for one topic, exactly as kafkajs 2.2.4 decodes them
 * (`{configName, configValue, readOnly, isDefault, configSource, isSensitive, configSynonyms}`),
 * `includeSynonyms: false`, all keys, in the broker's row order. Sources:
 * /work/notes/redpanda-security-adopt-facts.md, section B6 (Redpanda v24.3.2, traced in its
 * source `kafka/server/handlers/configs/config_response_utils.cc` and its ducktape test
 * `describe_topics_test.py`) and the Kafka 4.4.0 rows seen live on the single test peer (whose
 * server.properties sets `log.segment.bytes=16777216`).
 */
import { liveConfigsOf, type DescribedConfigEntry } from "../../src/topics/describeConfigs";
import type { ClusterTopic } from "../../src/topics/import";
import type { PartitionState } from "../../src/topics/plan";

export type Row = DescribedConfigEntry & {
  configSynonyms: { configName: string; configValue: string; configSource: number }[];
};

function row(
  name: string,
  value: string,
  source: number,
  synonyms: Row["configSynonyms"] = [],
): Row {
  return {
    configName: name,
    configValue: value,
    readOnly: false,
    isDefault: source === 5,
    configSource: source,
    isSensitive: false,
    configSynonyms: synonyms,
  };
}

/** (a) Redpanda v24.3.2, a topic created with no configs, default cluster config: 22 rows, all source 5. */
export function redpandaDefaults(): Row[] {
  return [
    row("compression.type", "producer", 5),
    row("cleanup.policy", "delete", 5),
    row("segment.bytes", "134217728", 5),
    row("retention.ms", "604800000", 5),
    row("retention.bytes", "-1", 5),
    row("message.timestamp.type", "CreateTime", 5),
    row("max.message.bytes", "1048576", 5),
    row("write.caching", "false", 5),
    row("flush.bytes", "262144", 5),
    row("flush.ms", "100", 5),
    row("redpanda.remote.read", "false", 5),
    row("redpanda.remote.write", "false", 5),
    row("retention.local.target.bytes", "-1", 5),
    row("retention.local.target.ms", "86400000", 5),
    // These two builders pass include_synonyms=true unconditionally.
    row("redpanda.remote.delete", "true", 5, [
      { configName: "redpanda.remote.delete", configValue: "true", configSource: 5 },
    ]),
    row("segment.ms", "1209600000", 5),
    row("redpanda.iceberg.mode", "disabled", 5, [
      { configName: "redpanda.iceberg.mode", configValue: "disabled", configSource: 5 },
    ]),
    row("delete.retention.ms", "-1", 5),
    row("initial.retention.local.target.bytes", "-1", 5),
    row("initial.retention.local.target.ms", "-1", 5),
    row("redpanda.leaders.preference", "none", 5),
    row("redpanda.iceberg.delete", "true", 5),
  ];
}

/** Replaces rows of `rows` by name (keeps the broker's order). */
export function withRows(rows: Row[], changed: Row[]): Row[] {
  const byName = new Map(changed.map((entry) => [entry.configName, entry]));
  return rows.map((entry) => byName.get(entry.configName) ?? entry);
}

/**
 * (b) The same topic created with `retention.ms=259200000`, `cleanup.policy=delete,compact`,
 * `segment.ms=3600000`: Redpanda reports `compact,delete` whatever order it was sent in, and the
 * compacted topic now inherits `compacted_log_segment_size`.
 */
export function redpandaCompacted(): Row[] {
  return withRows(redpandaDefaults(), [
    row("cleanup.policy", "compact,delete", 1),
    row("segment.bytes", "268435456", 5),
    row("retention.ms", "259200000", 1),
    row("segment.ms", "3600000", 1),
  ]);
}

/**
 * Rows Redpanda reports as set on the topic though nobody set them: `write.caching=disabled` while
 * the cluster's write_caching_default is disabled; `redpanda.remote.read/write` once their cluster
 * defaults changed after the topic was made; the hidden disabled `delete.retention.ms` once
 * `tombstone_retention_ms` is set. Plus a real `retention.ms=-1` override.
 */
export function redpandaUnchosen(): Row[] {
  return withRows(redpandaDefaults(), [
    row("retention.ms", "-1", 1),
    row("write.caching", "disabled", 1),
    row("redpanda.remote.read", "true", 1),
    row("redpanda.remote.write", "true", 1),
    row("delete.retention.ms", "-1", 1),
  ]);
}

/** The Kafka 4.4 rows every topic shares on the single peer (a part of its 36 keys). */
function kafkaInherited(): Row[] {
  return [
    row("cleanup.policy", "delete", 5),
    row("compression.type", "producer", 5),
    row("max.message.bytes", "1048588", 5),
    row("message.timestamp.type", "CreateTime", 5),
    row("min.insync.replicas", "1", 3), // written at format time as a cluster-level config
    row("retention.bytes", "-1", 5),
    row("retention.ms", "604800000", 5),
    row("segment.bytes", "16777216", 4), // the peer's server.properties
    row("segment.ms", "604800000", 5),
    row("unclean.leader.election.enable", "false", 5),
  ];
}

/** Kafka 4.4, a topic with no configs. */
export function kafkaDefaults(): Row[] {
  return kafkaInherited();
}

/** Kafka 4.4, a topic made with `retention.ms=-1, cleanup.policy=delete,compact, segment.ms=3600000` (order echoed as sent). */
export function kafkaCompacted(): Row[] {
  return withRows(kafkaInherited(), [
    row("cleanup.policy", "delete,compact", 1),
    row("retention.ms", "-1", 1),
    row("segment.ms", "3600000", 1),
  ]);
}

/** Kafka 4.4 after `log.retention.ms` was set dynamically: cluster-wide (source 3) or per broker (source 2). */
export function kafkaWithDynamicDefault(source: 2 | 3, retentionMs: string): Row[] {
  return withRows(kafkaInherited(), [row("retention.ms", retentionMs, source)]);
}

export { row };

/** `count` partitions, each led by the first of `replicas`, all in sync. */
export function partitionsOf(count: number, replicas: number[] = [1]): PartitionState[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    leader: replicas[0]!,
    replicas,
    isr: replicas,
  }));
}

/** A topic as `topics import` reads it from the cluster: its partitions and these rows. */
export function clusterTopic(
  name: string,
  rows: Row[],
  count = 6,
  replicas: number[] = [1],
): ClusterTopic {
  return { name, partitions: partitionsOf(count, replicas), configs: liveConfigsOf(rows) };
}
