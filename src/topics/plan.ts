/**
 * The pure half of the topic engine: given what the stack wants (`DesiredTopic`) and what a
 * broker reported (`LiveTopic`), decide what to do. No I/O here; `engine.ts` reads the broker
 * and executes these plans, the dynamic provider and the topics CLI both call it.
 *
 * Safety rules encoded here (SPEC "Facts", issue 3):
 * - partitions only grow: a decrease is `blocked`, never a delete-and-recreate;
 * - only the keys the stack manages are compared, normalised, so broker echoes never diff;
 * - an update sets only the managed keys whose value differs (IncrementalAlterConfigs), so
 *   overrides the stack does not manage are never read, sent or reset;
 * - a replication change is a partition reassignment that keeps the current leader.
 */
import { disabledTristate } from "./describeConfigs";
import type { DesiredTopic } from "./model";

export interface PartitionState {
  id: number;
  /** Broker id of the leader, -1 when the partition has none. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface LiveConfigEntry {
  /** null when the broker hides it (sensitive). */
  value: string | null;
  /** Set on the topic itself (DescribeConfigs source DYNAMIC_TOPIC_CONFIG), not inherited. */
  isOverride: boolean;
  readOnly: boolean;
}

export interface LiveTopic {
  name: string;
  partitions: PartitionState[];
  /** The configs the broker described for the topic (the managed keys), by name. Empty when not described. */
  configs: Record<string, LiveConfigEntry>;
}

export interface ClusterView {
  brokerIds: number[];
}

export type TopicAction = "create" | "update" | "noop" | "blocked";

/** One line of a plan: `retention.ms: "604800000" => "259200000"`. `from` is null for a new topic. */
export interface TopicChange {
  key: string;
  from: string | null;
  to: string;
}

export interface PartitionAssignment {
  partition: number;
  replicas: number[];
}

/** What must be sent to the broker to carry out an update (absent parts are left alone). */
export interface TopicOperations {
  /** The managed keys to SET with IncrementalAlterConfigs (only those whose value differs). */
  alterConfigs?: Record<string, string>;
  /** New total partition count. */
  partitionCount?: number;
  /** New replica sets for the partitions whose replication changes. */
  reassignment?: PartitionAssignment[];
}

export interface TopicPlan {
  name: string;
  action: TopicAction;
  changes: TopicChange[];
  /** Why the topic is blocked; set only when `action` is `blocked`. */
  reason?: string;
  desired: DesiredTopic;
  operations: TopicOperations;
}

/**
 * `reconcile`: make an existing topic match (CLI, provider update).
 * `adopt`: a create found the topic already there (provider create). It is taken over as it is
 * only when it already matches (partitions added by hand aside, which stay); otherwise it is
 * blocked, listing the differences: a create never changes a topic it did not make.
 */
export type PlanMode = "reconcile" | "adopt";

/**
 * What to do when the broker has more partitions than the stack says (added by hand):
 * `block` (the topics CLI: the stack file is wrong, say so and change nothing) or `keep`
 * (the Pulumi provider: refresh recorded them and the preview reported them; they stay).
 */
export type ExtraPartitions = "block" | "keep";

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(e[+-]?[0-9]+)?$/i;
const BOOLEAN = /^(true|false)$/i;

/**
 * Canonical form of a topic config value, so that `"604800000"`, `" 604800000 "`, `"0.50"` /
 * `"0.5"`, `"TRUE"` / `"true"` and `"compact,delete"` / `"delete, compact"` compare equal.
 */
export function normalizeConfigValue(value: string): string {
  const trimmed = value.trim();
  if (INTEGER.test(trimmed)) return BigInt(trimmed).toString();
  if (DECIMAL.test(trimmed)) return String(Number(trimmed));
  if (BOOLEAN.test(trimmed)) return trimmed.toLowerCase();
  if (trimmed.includes(",")) {
    return trimmed
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.length > 0)
      .sort()
      .join(",");
  }
  return trimmed;
}

/**
 * Whether the broker's value of `key` already is what the stack wants. With a key, Redpanda's
 * way of storing a tristate key (`0` or below reads back as `"-1"`) counts as equal too.
 */
export function sameConfigValue(live: string, desired: string, key?: string): boolean {
  return (
    normalizeConfigValue(live) === normalizeConfigValue(desired) ||
    (key !== undefined && disabledTristate(key, live, desired))
  );
}

/** Replication of a live topic: one number when every partition agrees, else the distinct counts. */
export function liveReplication(partitions: readonly PartitionState[]): number[] {
  return [...new Set(partitions.map((partition) => partition.replicas.length))].sort(
    (a, b) => a - b,
  );
}

function describeReplication(counts: number[]): string {
  return counts.length === 1 ? String(counts[0]) : counts.join("|");
}

/**
 * New replica sets that bring every partition to `target` replicas. Growing keeps the current
 * replicas (preferred leader first) and adds the least-loaded brokers; shrinking keeps the
 * current leader first, then in-sync replicas, so no acknowledged data is dropped.
 */
export function reassignReplicas(
  partitions: readonly PartitionState[],
  target: number,
  brokerIds: readonly number[],
): { assignment: PartitionAssignment[] } | { blocked: string } {
  if (target > brokerIds.length) {
    return { blocked: replicationTooHigh(target, brokerIds.length) };
  }
  const load = new Map<number, number>(brokerIds.map((id) => [id, 0]));
  for (const partition of partitions)
    for (const replica of partition.replicas) load.set(replica, (load.get(replica) ?? 0) + 1);

  const assignment: PartitionAssignment[] = [];
  for (const partition of [...partitions].sort((a, b) => a.id - b.id)) {
    const current = partition.replicas;
    if (current.length === target) continue;
    if (current.length < target) {
      const next = [...current];
      while (next.length < target) {
        const candidates = brokerIds.filter((id) => !next.includes(id));
        // Least loaded first; ties broken by rotating with the partition id so new replicas spread.
        candidates.sort((a, b) => {
          const byLoad = (load.get(a) ?? 0) - (load.get(b) ?? 0);
          if (byLoad !== 0) return byLoad;
          const n = brokerIds.length;
          const rank = (id: number) => (brokerIds.indexOf(id) - (partition.id % n) + n) % n;
          return rank(a) - rank(b);
        });
        const chosen = candidates[0];
        if (chosen === undefined) return { blocked: replicationTooHigh(target, brokerIds.length) };
        next.push(chosen);
        load.set(chosen, (load.get(chosen) ?? 0) + 1);
      }
      assignment.push({ partition: partition.id, replicas: next });
    } else {
      if (partition.leader < 0 || !current.includes(partition.leader)) {
        return {
          blocked: `partition ${partition.id} has no leader, so replicas cannot be dropped without risking acknowledged data; wait until it has one`,
        };
      }
      const ordered = [
        partition.leader,
        ...current.filter((id) => id !== partition.leader && partition.isr.includes(id)),
        ...current.filter((id) => id !== partition.leader && !partition.isr.includes(id)),
      ];
      const next = ordered.slice(0, target);
      for (const dropped of ordered.slice(target)) load.set(dropped, (load.get(dropped) ?? 1) - 1);
      assignment.push({ partition: partition.id, replicas: next });
    }
  }
  return { assignment };
}

function replicationTooHigh(target: number, brokers: number): string {
  return `replication factor ${target} needs at least ${target} brokers, but the cluster has ${brokers}; lower replicationFactor to at most ${brokers}`;
}

/** Why a partition decrease is refused; shared by the plan and the provider's diff. */
export function partitionDecreaseReason(name: string, from: number, to: number): string {
  return (
    `cannot decrease partitions of ${name} from ${from} to ${to}: Kafka cannot shrink a topic's partitions, ` +
    "only delete and recreate the topic, which loses its data; keep partitions at " +
    `${from} or more (or create a new topic and migrate consumers)`
  );
}

function createChanges(desired: DesiredTopic): TopicChange[] {
  return [
    { key: "partitions", from: null, to: String(desired.partitions) },
    { key: "replicationFactor", from: null, to: String(desired.replicationFactor) },
    ...Object.entries(desired.config).map(([key, value]) => ({ key, from: null, to: value })),
  ];
}

/** How to take over a topic that exists and differs (the create that found it changed nothing). */
export function adoptHint(name: string): string {
  return (
    "pulumi up never changes a topic it did not create. To take it over as it is, set " +
    `apphub-streaming:topics.${name}.adopt: true (npm run topics -- import writes it): up then records ` +
    "it unchanged and the next preview shows each difference as an update; or make the stack say what the broker has"
  );
}

/** Decides what to do with one topic. Pure. */
export function planTopic(
  desired: DesiredTopic,
  live: LiveTopic | undefined,
  cluster: ClusterView,
  mode: PlanMode = "reconcile",
  extraPartitions: ExtraPartitions = "block",
): TopicPlan {
  const brokerCount = cluster.brokerIds.length;
  if (!live) {
    const base = { name: desired.name, changes: createChanges(desired), desired, operations: {} };
    if (desired.replicationFactor > brokerCount) {
      return {
        ...base,
        action: "blocked",
        reason: replicationTooHigh(desired.replicationFactor, brokerCount),
      };
    }
    return { ...base, action: "create" };
  }

  const changes: TopicChange[] = [];
  const blocks: string[] = [];
  const operations: TopicOperations = {};

  const livePartitions = live.partitions.length;
  if (desired.partitions < livePartitions && extraPartitions === "block") {
    changes.push({
      key: "partitions",
      from: String(livePartitions),
      to: String(desired.partitions),
    });
    blocks.push(partitionDecreaseReason(desired.name, livePartitions, desired.partitions));
  } else if (desired.partitions > livePartitions) {
    changes.push({
      key: "partitions",
      from: String(livePartitions),
      to: String(desired.partitions),
    });
    if (mode === "adopt")
      blocks.push(
        `it has ${livePartitions} partitions there, the stack says ${desired.partitions}`,
      );
    else operations.partitionCount = desired.partitions;
  }

  const replication = liveReplication(live.partitions);
  if (replication.length !== 1 || replication[0] !== desired.replicationFactor) {
    changes.push({
      key: "replicationFactor",
      from: describeReplication(replication),
      to: String(desired.replicationFactor),
    });
    if (mode === "adopt") {
      blocks.push(
        `its replication factor is ${describeReplication(replication)} there, the stack says ${desired.replicationFactor}`,
      );
    } else {
      const reassignment = reassignReplicas(
        live.partitions,
        desired.replicationFactor,
        cluster.brokerIds,
      );
      if ("blocked" in reassignment) blocks.push(reassignment.blocked);
      else operations.reassignment = reassignment.assignment;
    }
  }

  const configSet: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired.config)) {
    const entry = live.configs[key];
    if (!entry) {
      changes.push({ key, from: null, to: value });
      blocks.push(
        `the broker does not know the topic config "${key}"; remove it or check its spelling`,
      );
      continue;
    }
    if (entry.value === null) {
      blocks.push(`the broker hides the value of "${key}" (sensitive), so it cannot be compared`);
      continue;
    }
    if (!sameConfigValue(entry.value, value, key)) {
      changes.push({ key, from: entry.value, to: value });
      configSet[key] = value;
      if (mode === "adopt")
        blocks.push(
          `${key} is ${JSON.stringify(entry.value)} there, the stack says ${JSON.stringify(value)}`,
        );
    }
  }
  if (Object.keys(configSet).length > 0) operations.alterConfigs = configSet;

  if (mode === "adopt" && blocks.length > 0) {
    blocks.unshift(`${desired.name} already exists on the broker and differs from the stack`);
    blocks.push(adoptHint(desired.name));
  }
  if (blocks.length > 0)
    return {
      name: desired.name,
      action: "blocked",
      changes,
      reason: blocks.join("; "),
      desired,
      operations: {},
    };
  return {
    name: desired.name,
    action: changes.length > 0 ? "update" : "noop",
    changes,
    desired,
    operations,
  };
}

/** Plans a whole catalog against one snapshot of the broker. */
export function planCatalog(
  desired: readonly DesiredTopic[],
  live: ReadonlyMap<string, LiveTopic>,
  cluster: ClusterView,
  mode: PlanMode = "reconcile",
  extraPartitions: ExtraPartitions = "block",
): TopicPlan[] {
  return desired.map((topic) =>
    planTopic(topic, live.get(topic.name), cluster, mode, extraPartitions),
  );
}

export interface PlanSummary {
  create: number;
  update: number;
  noop: number;
  blocked: number;
}

export function summarize(plans: readonly TopicPlan[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, noop: 0, blocked: 0 };
  for (const plan of plans) summary[plan.action] += 1;
  return summary;
}

/**
 * What a catalog's plans add up to: `blocked` when any topic needs a human (nothing may be
 * applied), `pending` when a topic would be created or updated, else `clean`. The CLI maps
 * this to its exit codes; the plan knows nothing of processes.
 */
export type PlanVerdict = "clean" | "pending" | "blocked";

export function planVerdict(plans: readonly TopicPlan[]): PlanVerdict {
  if (plans.some((plan) => plan.action === "blocked")) return "blocked";
  if (plans.some((plan) => plan.action === "create" || plan.action === "update")) return "pending";
  return "clean";
}

/** The `--json` shape of the topics CLI: `{ topics: [{ name, action, changes: [{ key, from, to }], reason? }] }`. */
export interface PlanReport {
  topics: { name: string; action: TopicAction; changes: TopicChange[]; reason?: string }[];
}

export function toReport(plans: readonly TopicPlan[]): PlanReport {
  return {
    topics: plans.map((plan) => ({
      name: plan.name,
      action: plan.action,
      changes: plan.changes.map((change) => ({
        key: change.key,
        from: change.from,
        to: change.to,
      })),
      ...(plan.reason !== undefined ? { reason: plan.reason } : {}),
    })),
  };
}

const SYMBOLS: Record<TopicAction, string> = { create: "+", update: "~", noop: "=", blocked: "!" };

/** Human-readable plan, one block per topic, changes as `key: "from" => "to"`. */
export function formatPlan(plans: readonly TopicPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`${SYMBOLS[plan.action]} ${plan.name} (${plan.action})`);
    for (const change of plan.changes) {
      lines.push(
        change.from === null
          ? `    ${change.key}: ${JSON.stringify(change.to)}`
          : `    ${change.key}: ${JSON.stringify(change.from)} => ${JSON.stringify(change.to)}`,
      );
    }
    if (plan.reason !== undefined) lines.push(`    blocked: ${plan.reason}`);
  }
  const summary = summarize(plans);
  lines.push(
    `${summary.create} to create, ${summary.update} to update, ${summary.noop} unchanged, ${summary.blocked} blocked`,
  );
  return lines.join("\n");
}
