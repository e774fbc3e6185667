/**
 * The topic catalog of the seed (`redpanda-streaming-backbone.md`, "Topics & Retention").
 * Every stack starts from this table; `apphub-streaming:topics` overrides or extends it.
 */

/**
 * The producer roles whose topic names core and timestore read from `APPHUB_STREAM_TOPIC_*`
 * (and whose mirrors `APPHUB_STREAM_MIRROR_*` switch), in the order of the seed's flag table,
 * so env lists and diffs read like the docs. Each role's variable suffix is its name in
 * upper snake case (`workflowRuns` → `WORKFLOW_RUNS`).
 */
export const TOPIC_ROLES = [
  "workflowRuns",
  "workflowEvents",
  "jobRuns",
  "ingestion",
  "coreEvents",
] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface CatalogEntry {
  readonly name: string;
  readonly purpose: string;
  readonly partitions: number;
  readonly retentionMs: number;
  /** Which `APPHUB_STREAM_TOPIC_*` variable names this topic, if any. */
  readonly role?: TopicRole;
}

export const SEED_TOPICS: readonly CatalogEntry[] = [
  {
    name: "apphub.core.events",
    purpose: "Authoritative stream of core domain events (apps, builds, launches)",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    role: "coreEvents",
  },
  {
    name: "apphub.ingestion.telemetry",
    purpose: "Ingestion metrics, partition build outcomes, and lifecycle traces",
    partitions: 6,
    retentionMs: 3 * DAY_MS,
    role: "ingestion",
  },
  {
    name: "apphub.workflows.events",
    purpose: "Scheduler envelopes, trigger deliveries, and workflow step status",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    role: "workflowEvents",
  },
  {
    name: "apphub.workflows.runs",
    purpose: "Workflow run lifecycle snapshots (workflow.run.* events)",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    role: "workflowRuns",
  },
  {
    name: "apphub.jobs.runs",
    purpose: "Job run lifecycle events (job.run.*) with status transitions and metadata",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    role: "jobRuns",
  },
  {
    name: "apphub.streaming.input",
    purpose: "Raw windowed aggregation input used by the Flink sample job",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
  },
  {
    name: "apphub.streaming.aggregates",
    purpose: "Tumbling window output emitted by Flink and consumed by downstream services",
    partitions: 6,
    retentionMs: 7 * DAY_MS,
  },
];

/** The dedicated round-trip probe topic: the probe must never write into a domain topic. */
export const DEFAULT_PROBE_TOPIC = "apphub.streaming.probe";
