/**
 * The seed's alerts ("Operational Checklist" step 3 and "Metrics & Alerting") as Prometheus
 * Operator rules. Broker series are selected by the namespace label that annotation-based
 * scraping attaches (`namespace`); the AppHub series come from core and timestore pods in
 * their own namespaces and are aggregated per namespace.
 *
 * Both broker Services carry the scrape annotations (as the seed has them), so every broker is
 * scraped once per Service: counts are first reduced per scrape target (`instance`, the pod's
 * address, the same through either Service) before they are summed.
 */
import type { ClusterConfig } from "../config/schema";

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
/** The mirror publish p95 is "degraded" above this multiple of its last-day p95, and above the floor. */
export const MIRROR_P95_DEGRADATION_FACTOR = 2;
export const MIRROR_P95_FLOOR_MS = 100;

export function alertRuleGroups(namespace: string, cluster: Pick<ClusterConfig, "backlogAlertSeconds">): RuleGroup[] {
  const brokers = `namespace="${namespace}"`;
  const perBroker = (series: string) => `sum by (namespace) (max by (namespace, instance) (${series}))`;
  const segmentRate = (window: string, offset = "") => perBroker(`rate(vectorized_storage_log_segments_created_total{${brokers}}[${window}]${offset})`);
  const mirrorP95 = (window: string, offset = "") =>
    `histogram_quantile(0.95, sum by (namespace, le) (rate(apphub_stream_mirror_publish_duration_ms_bucket[${window}]${offset})))`;

  return [
    {
      name: "apphub-redpanda.brokers",
      rules: [
        {
          alert: "RedpandaClusterUnhealthy",
          expr: `min by (namespace) (vectorized_cluster_health_status{${brokers}}) != 1`,
          for: "5m",
          labels: { severity: "critical" },
          annotations: {
            summary: "Redpanda cluster in {{ $labels.namespace }} reports itself unhealthy",
            description:
              "vectorized_cluster_health_status has not been 1 for 5 minutes: a broker is down or partitions are leaderless. Check `kubectl exec -n {{ $labels.namespace }} apphub-redpanda-0 -c redpanda -- rpk cluster health`. A dead node id that never comes back is a broker that lost its disk (docs/kubernetes.md).",
          },
        },
        {
          alert: "RedpandaSegmentCreationSpike",
          expr: `(${segmentRate("5m")} > ${SEGMENT_SPIKE_FACTOR} * ${segmentRate("1h", " offset 5m")}) and (${segmentRate("5m")} > ${SEGMENT_SPIKE_FLOOR_PER_SECOND})`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Redpanda in {{ $labels.namespace }} is rolling log segments unusually fast",
            description: `vectorized_storage_log_segments_created_total grows more than ${SEGMENT_SPIKE_FACTOR}x faster than over the previous hour: a producer burst, tiny segment.bytes/segment.ms overrides, or a retention misconfiguration filling the disks.`,
          },
        },
        {
          alert: "RedpandaKafkaLatencyHigh",
          // Fetches long-poll for up to fetch.max.wait.ms, so consume latency is not a health signal.
          expr: `histogram_quantile(0.99, sum by (namespace, le) (rate(vectorized_kafka_request_latency_seconds_bucket{${brokers},redpanda_request!="consume"}[5m]))) > ${LATENCY_P99_SECONDS}`,
          for: "10m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Redpanda p99 Kafka request latency in {{ $labels.namespace }} is above 250ms",
            description: "p99 of vectorized_kafka_request_latency_seconds is {{ $value | humanizeDuration }} (threshold 250ms) for 10 minutes: check disk latency, CPU throttling and under-replicated partitions.",
          },
        },
        {
          alert: "RedpandaPartitionsUnderReplicated",
          expr: `${perBroker(`vectorized_kafka_broker_partition_under_replicated{${brokers}}`)} > 0`,
          for: "10m",
          labels: { severity: "critical" },
          annotations: {
            summary: "{{ $value }} Redpanda partitions in {{ $labels.namespace }} are under-replicated",
            description: "vectorized_kafka_broker_partition_under_replicated has been above 0 for 10 minutes, longer than a rolling restart takes: a broker is down or cannot keep up, and a further failure loses acknowledged writes.",
          },
        },
        {
          alert: "RedpandaPartitionMovementStuck",
          expr: `max by (namespace) (vectorized_kafka_recovery_partition_movement_recency{${brokers}}) > 0`,
          for: "30m",
          labels: { severity: "warning" },
          annotations: {
            summary: "Redpanda partition movement in {{ $labels.namespace }} has not settled for 30 minutes",
            description: "vectorized_kafka_recovery_partition_movement_recency stays non-zero: a reassignment (rpk cluster move-partitions, a decommission, or rebalancing) is still moving data. Inspect with `rpk cluster partitions move-status`.",
          },
        },
      ],
    },
    {
      name: "apphub-redpanda.apphub",
      rules: [
        {
          alert: "AppHubStreamMirrorPublishFailures",
          expr: `sum by (namespace) (increase(apphub_stream_mirror_publish_total{result="failure"}[10m])) > 0`,
          for: "5m",
          labels: { severity: "warning" },
          annotations: {
            summary: "AppHub core in {{ $labels.namespace }} fails to mirror events into Redpanda",
            description: "apphub_stream_mirror_publish_total{result=\"failure\"} increased by {{ $value }} in 10 minutes. Check /health on the core service (features.streaming.publisher) and the broker list in APPHUB_STREAM_BROKER_URL.",
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
            summary: "Timestore in {{ $labels.namespace }} lags the stream by {{ $value | humanizeDuration }}",
            description: `timestore_streaming_backlog_seconds has been above ${cluster.backlogAlertSeconds}s (cluster.backlogAlertSeconds) for 10 minutes: ingestion cannot keep up or is stalled.`,
          },
        },
      ],
    },
  ];
}
