/**
 * The seed's alerts ("Operational Checklist" step 3 and "Metrics & Alerting") as Prometheus
 * Operator rules, on metrics Redpanda v24.3 really exports (every name checked in
 * redpanda-data/redpanda at v24.3.2; docs/alerts.md maps each seed name to its expression and
 * says why). The seed's own names (`vectorized_cluster_health_status`, `..._total` counters,
 * `vectorized_kafka_request_latency_seconds`, ...) do not exist, so rules on them never fire.
 *
 * Broker series are selected by `redpanda_cluster` (CLUSTER_METRIC_LABEL), a label of the
 * scraped Services that both ways of scraping put on every target: the annotation job through
 * its labelmap of Service labels, the Prometheus Operator through the ServiceMonitor's
 * `targetLabels`. Never by `namespace`: under the annotation job (`honor_labels: true`) an
 * internal metric's own `namespace` (the Kafka namespace) replaces Kubernetes'. Every rule
 * sums or maxes `by (redpanda_cluster)`, so `shard`, per-partition and per-broker series are
 * aggregated away: an alert reports the cluster, not its hottest partition (the disk alerts
 * keep `instance`, which both shapes set, to name the broker).
 */
import type { ClusterConfig } from "../config/schema";
import { STREAM_BROKER_URL } from "../env/variables";
import { CLUSTER_METRIC_LABEL } from "./constants";
import { storageMinFreeBytes } from "./sizing";

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** p99 Kafka request latency above which brokers are too slow for AppHub's publishers (seed: 250 ms). */
export const LATENCY_P99_SECONDS = 0.25;
/** A segment-creation "spike": the 5-minute rate above this multiple of the previous hour's. */
export const SEGMENT_SPIKE_FACTOR = 4;
/** ...and above this absolute rate (segments per second), so an idle cluster's first segment is not a spike. */
export const SEGMENT_SPIKE_FLOOR_PER_SECOND = 0.05;
/** Partition movements that have neither finished nor shrunk for this long are "stuck". */
export const MOVEMENT_STUCK_WINDOW = "30m";
/** The mirror publish p95 is "degraded" above this multiple of its last-day p95, and above the floor. */
export const MIRROR_P95_DEGRADATION_FACTOR = 2;
export const MIRROR_P95_FLOOR_MS = 100;

/** Every Redpanda metric the rules read, with the endpoint that exports it (docs/alerts.md). */
export const REDPANDA_METRICS_USED = {
  redpanda_cluster_unavailable_partitions: "/public_metrics",
  redpanda_cluster_brokers: "/public_metrics",
  redpanda_application_uptime_seconds_total: "/public_metrics",
  vectorized_storage_log_log_segments_created: "/metrics",
  redpanda_kafka_request_latency_seconds_bucket: "/public_metrics",
  redpanda_kafka_under_replicated_replicas: "/public_metrics",
  redpanda_cluster_partition_moving_to_node: "/public_metrics",
  redpanda_cluster_partition_node_cancelling_movements: "/public_metrics",
  redpanda_storage_disk_free_space_alert: "/public_metrics",
  redpanda_storage_disk_free_bytes: "/public_metrics",
} as const;

export function alertRuleGroups(
  namespace: string,
  cluster: Pick<ClusterConfig, "backlogAlertSeconds" | "storageSize">,
): RuleGroup[] {
  return [
    { name: "apphub-redpanda.brokers", rules: brokerRules(namespace, cluster.storageSize) },
    { name: "apphub-redpanda.apphub", rules: appHubRules(cluster) },
  ];
}

function brokerRules(namespace: string, storageSize: string): AlertRule[] {
  const by = CLUSTER_METRIC_LABEL;
  const brokers = `${by}="${namespace}"`;
  const cluster = `{{ $labels.${by} }}`;
  const segmentRate = (window: string, offset = "") =>
    `sum by (${by}) (rate(vectorized_storage_log_log_segments_created{${brokers}}[${window}]${offset}))`;
  const movements = (offset = "") =>
    `sum by (${by}) ({__name__=~"redpanda_cluster_partition_(moving_to_node|node_cancelling_movements)",${brokers}}${offset})`;
  return [
    {
      alert: "RedpandaClusterUnhealthy",
      // Redpanda has no health metric: leaderless partitions (exported by the controller
      // leader only, hence max), configured brokers that export nothing, or none at all.
      expr: [
        `max by (${by}) (redpanda_cluster_unavailable_partitions{${brokers}}) > 0`,
        `max by (${by}) (redpanda_cluster_brokers{${brokers}}) > count by (${by}) (redpanda_application_uptime_seconds_total{${brokers}})`,
        `absent(redpanda_application_uptime_seconds_total{${brokers}})`,
      ]
        .map((part) => `(${part})`)
        .join("\nor\n"),
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Redpanda cluster in ${cluster} is unhealthy (leaderless partitions or brokers missing)`,
        description: `For 5 minutes: partitions without a leader (redpanda_cluster_unavailable_partitions > 0), fewer brokers exporting metrics than the cluster has members (redpanda_cluster_brokers vs redpanda_application_uptime_seconds_total), or no broker scraped at all. Check \`kubectl exec -n ${namespace} apphub-redpanda-0 -c redpanda -- rpk cluster health\`. A node id that stays down (a lost disk or node) must be decommissioned with --force: docs/kubernetes.md, "A broker is down for good".`,
      },
    },
    {
      alert: "RedpandaSegmentCreationSpike",
      expr: `(${segmentRate("5m")} > ${SEGMENT_SPIKE_FACTOR} * ${segmentRate("1h", " offset 5m")}) and (${segmentRate("5m")} > ${SEGMENT_SPIKE_FLOOR_PER_SECOND})`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Redpanda in ${cluster} is rolling log segments unusually fast`,
        description: `vectorized_storage_log_log_segments_created (all partitions and shards) grows more than ${SEGMENT_SPIKE_FACTOR}x faster than over the previous hour: a producer burst, tiny segment.bytes/segment.ms overrides, or a retention misconfiguration filling the disks.`,
      },
    },
    {
      alert: "RedpandaKafkaLatencyHigh",
      // Consume latency is the first read's, without the fetch long-poll wait, so it is a health signal too.
      expr: `histogram_quantile(0.99, sum by (${by}, redpanda_request, le) (rate(redpanda_kafka_request_latency_seconds_bucket{${brokers}}[5m]))) > ${LATENCY_P99_SECONDS}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Redpanda p99 {{ $labels.redpanda_request }} latency in ${cluster} is above 250ms`,
        description:
          'p99 of redpanda_kafka_request_latency_seconds{redpanda_request="{{ $labels.redpanda_request }}"} is {{ $value | humanizeDuration }} (threshold 250ms) for 10 minutes: check disk latency, CPU throttling and under-replicated partitions.',
      },
    },
    {
      alert: "RedpandaPartitionsUnderReplicated",
      expr: `sum by (${by}) (redpanda_kafka_under_replicated_replicas{${brokers}}) > 0`,
      for: "10m",
      labels: { severity: "critical" },
      annotations: {
        summary: `{{ $value }} Redpanda replicas in ${cluster} are under-replicated`,
        description:
          "redpanda_kafka_under_replicated_replicas (summed over partitions and brokers) has been above 0 for 10 minutes, longer than a rolling restart takes: a broker is down or cannot keep up, and a further failure loses acknowledged writes.",
      },
    },
    {
      alert: "RedpandaPartitionMovementStuck",
      // In flight for the whole window and not fewer than at its start: no progress.
      expr: `(min_over_time((${movements()})[${MOVEMENT_STUCK_WINDOW}:1m]) > 0) and (${movements()} >= ${movements(` offset ${MOVEMENT_STUCK_WINDOW}`)})`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Redpanda partition movement in ${cluster} has made no progress for 30 minutes`,
        description:
          "{{ $value }} partition replicas have been moving (redpanda_cluster_partition_moving_to_node, node_cancelling_movements) for 30 minutes without their number going down: a reassignment (rpk cluster partitions move, a decommission, rebalancing) is stuck. Inspect with `rpk cluster partitions move-status`.",
      },
    },
    ...diskRules(brokers, cluster, storageMinFreeBytes(storageSize)),
  ];
}

/**
 * Per broker (`instance`), from the free-space gauges Redpanda exports on /public_metrics only:
 * low at its own 5% threshold or below twice the free space it keeps (`storage_min_free_bytes`,
 * `minFreeBytes`), whichever comes first; degraded once it refuses writes.
 */
function diskRules(brokers: string, cluster: string, minFreeBytes: number): AlertRule[] {
  // redpanda_storage_disk_free_space_alert: 0 ok, 1 low space, 2 degraded.
  const perBroker = (metric: string) =>
    `max by (${CLUSTER_METRIC_LABEL}, instance) (${metric}{${brokers}})`;
  const diskAlert = perBroker("redpanda_storage_disk_free_space_alert");
  return [
    {
      alert: "RedpandaDiskSpaceLow",
      expr: `(${diskAlert} >= 1) or (${perBroker("redpanda_storage_disk_free_bytes")} < ${2 * minFreeBytes})`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Redpanda broker {{ $labels.instance }} in ${cluster} is low on disk space`,
        description: `Free space on the data volume is at or below Redpanda's low-space threshold (redpanda_storage_disk_free_space_alert >= 1: 5% of the volume) or below ${2 * minFreeBytes} bytes, twice the free space under which the broker refuses writes (storage_min_free_bytes). Lower retention, delete data no longer needed, or grow the volumes (docs/kubernetes.md, "Growing the volumes").`,
      },
    },
    {
      alert: "RedpandaDiskSpaceDegraded",
      expr: `${diskAlert} == 2`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Redpanda broker {{ $labels.instance }} in ${cluster} refuses writes: its disk is nearly full`,
        description:
          'redpanda_storage_disk_free_space_alert == 2: free space is at or below storage_min_free_bytes, so the broker rejects produce requests until space is freed. Act now: lower retention or grow the volumes (docs/kubernetes.md, "Growing the volumes").',
      },
    },
  ];
}

function appHubRules(cluster: Pick<ClusterConfig, "backlogAlertSeconds">): AlertRule[] {
  const mirrorP95 = (window: string, offset = "") =>
    `histogram_quantile(0.95, sum by (namespace, le) (rate(apphub_stream_mirror_publish_duration_ms_bucket[${window}]${offset})))`;
  return [
    {
      alert: "AppHubStreamMirrorPublishFailures",
      expr: `sum by (namespace) (increase(apphub_stream_mirror_publish_total{result="failure"}[10m])) > 0`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "AppHub core in {{ $labels.namespace }} fails to mirror events into Redpanda",
        description: `apphub_stream_mirror_publish_total{result="failure"} increased by {{ $value }} in 10 minutes. Check /health on the core service (features.streaming.publisher) and the broker list in ${STREAM_BROKER_URL}.`,
      },
    },
    {
      alert: "AppHubStreamMirrorPublishSlow",
      expr: `(${mirrorP95("10m")} > ${MIRROR_P95_DEGRADATION_FACTOR} * ${mirrorP95("1d", " offset 10m")}) and (${mirrorP95("10m")} > ${MIRROR_P95_FLOOR_MS})`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "AppHub mirror publish p95 in {{ $labels.namespace }} has degraded",
        description: `p95 of apphub_stream_mirror_publish_duration_ms is {{ $value }}ms, more than ${MIRROR_P95_DEGRADATION_FACTOR}x its last-day p95 (and above ${MIRROR_P95_FLOOR_MS}ms).`,
      },
    },
    {
      alert: "TimestoreStreamingBacklogHigh",
      expr: `max by (namespace) (timestore_streaming_backlog_seconds) > ${cluster.backlogAlertSeconds}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "Timestore in {{ $labels.namespace }} lags the stream by {{ $value | humanizeDuration }}",
        description: `timestore_streaming_backlog_seconds has been above ${cluster.backlogAlertSeconds}s (cluster.backlogAlertSeconds) for 10 minutes: ingestion cannot keep up or is stalled.`,
      },
    },
  ];
}
