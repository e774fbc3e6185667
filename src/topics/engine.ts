/**
 * The topic engine: read the broker once, plan (pure, `plan.ts`), apply in batches, verify.
 * Shared by the dynamic provider (one topic at a time), the topics CLI and the bench (the
 * whole catalog at once).
 *
 * Round trips, whatever the number of topics:
 * - plan / no-op apply: one Metadata request + one DescribeConfigs request;
 * - apply with changes: the plan, then one validate-only request per kind of change
 *   (CreateTopics, CreatePartitions, IncrementalAlterConfigs; a ListPartitionReassignments before a
 *   reassignment), then the same requests for real, then one re-read (Metadata +
 *   DescribeConfigs) to verify the broker converged.
 *
 * Apply is all-or-nothing with respect to the plan: if any topic is blocked, or the broker
 * rejects any change in the validate-only pass, nothing is changed.
 */
import { kafkaErrorMessage, type KafkaSession } from "./kafka";
import type { DesiredTopic } from "./model";
import {
  planCatalog,
  planTopic,
  type ClusterView,
  type ExtraPartitions,
  type LiveTopic,
  type PlanMode,
  type TopicPlan,
} from "./plan";

export interface LiveState {
  cluster: ClusterView;
  topics: Map<string, LiveTopic>;
}

export interface ApplyOptions {
  /** How long to wait for a replication change (partition reassignment) to finish. Default: 300000 ms. */
  reassignmentTimeoutMs?: number;
  /** How often to poll an ongoing reassignment. Default: 250 ms. */
  pollIntervalMs?: number;
  /** How the verifying re-read treats partitions beyond the stack's count; must match the plan's. Default: block. */
  extraPartitions?: ExtraPartitions;
}

export const DEFAULT_REASSIGNMENT_TIMEOUT_MS = 300_000;

/**
 * One Metadata request, then one DescribeConfigs request for the named topics that exist,
 * asking only about `keys` (the managed config keys) when given.
 */
export async function readLive(
  session: KafkaSession,
  names: readonly string[],
  keys?: readonly string[],
): Promise<LiveState> {
  if (names.length === 0) return { cluster: { brokerIds: [] }, topics: new Map() };
  const snapshot = await session.metadata(names);
  const existing = names.filter((name) => snapshot.topics.has(name));
  const configs = await session.describeTopicConfigs(existing, keys);
  const topics = new Map<string, LiveTopic>();
  for (const name of existing) {
    topics.set(name, {
      name,
      partitions: snapshot.topics.get(name) ?? [],
      configs: configs.get(name) ?? {},
    });
  }
  return { cluster: { brokerIds: snapshot.brokerIds }, topics };
}

/** Reads the broker (one Metadata + one DescribeConfigs request) and plans every topic. */
export async function planTopics(
  session: KafkaSession,
  desired: readonly DesiredTopic[],
  mode: PlanMode = "reconcile",
  extraPartitions: ExtraPartitions = "block",
): Promise<{ plans: TopicPlan[]; cluster: ClusterView }> {
  const live = await readLive(
    session,
    desired.map((topic) => topic.name),
    managedKeys(desired),
  );
  return {
    plans: planCatalog(desired, live.topics, live.cluster, mode, extraPartitions),
    cluster: live.cluster,
  };
}

/** Every config key any of `desired` manages: the only ones DescribeConfigs is asked about. */
export function managedKeys(desired: readonly DesiredTopic[]): string[] {
  return [...new Set(desired.flatMap((topic) => Object.keys(topic.config)))].sort();
}

/** Raised when a plan cannot be applied as a whole; carries the blocked plans. */
export function blockedError(blocked: readonly TopicPlan[]): Error {
  const lines = blocked.map((plan) => `${plan.name}: ${plan.reason ?? "blocked"}`);
  return new Error(
    `nothing was changed because ${blocked.length} topic(s) are blocked:\n  ${lines.join("\n  ")}`,
  );
}

/**
 * Carries out `plans` (from `planTopics` on the same session). Throws, having changed
 * nothing, when any plan is blocked or the broker refuses any change in validation.
 */
export async function applyPlans(
  session: KafkaSession,
  plans: readonly TopicPlan[],
  options: ApplyOptions = {},
): Promise<void> {
  const blocked = plans.filter((plan) => plan.action === "blocked");
  if (blocked.length > 0) throw blockedError(blocked);

  const creates = plans.filter((plan) => plan.action === "create").map((plan) => plan.desired);
  const updates = plans.filter((plan) => plan.action === "update");
  const createRequests = creates.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions,
    replicationFactor: topic.replicationFactor,
    config: topic.config,
  }));
  const partitionRequests = updates.flatMap((plan) =>
    plan.operations.partitionCount !== undefined
      ? [{ name: plan.name, count: plan.operations.partitionCount }]
      : [],
  );
  const configRequests = updates.flatMap((plan) =>
    plan.operations.alterConfigs !== undefined
      ? [{ name: plan.name, set: plan.operations.alterConfigs }]
      : [],
  );
  const reassignments = updates.flatMap((plan) =>
    plan.operations.reassignment !== undefined
      ? [{ name: plan.name, assignment: plan.operations.reassignment }]
      : [],
  );
  if (
    createRequests.length +
      partitionRequests.length +
      configRequests.length +
      reassignments.length ===
    0
  )
    return;

  // Validate everything before changing anything, so a refusal leaves the broker untouched.
  await validateEach(createRequests, (batch) => session.createTopics(batch, true));
  await validateEach(partitionRequests, (batch) => session.createPartitions(batch, true));
  await validateEach(configRequests, (batch) => session.alterTopicConfigs(batch, true));
  if (reassignments.length > 0) {
    const ongoing = await session.ongoingReassignments(reassignments.map((entry) => entry.name));
    if (ongoing.length > 0) {
      const list = ongoing
        .map((entry) => `${entry.topic} (partitions ${entry.partitions.join(",")})`)
        .join(", ");
      throw new Error(
        `nothing was changed: a partition reassignment is already in progress for ${list}; wait for it to finish, then rerun`,
      );
    }
  }

  await session.createTopics(createRequests, false);
  await session.alterTopicConfigs(configRequests, false);
  if (reassignments.length > 0) {
    await session.reassignPartitions(reassignments);
    await waitForReassignments(
      session,
      reassignments.map((entry) => entry.name),
      options,
    );
  }
  // After any reassignment: the broker gives new partitions the replication of the existing
  // ones, so partitions added together with a replication change get the new replication.
  await session.createPartitions(partitionRequests, false);

  await verifyConverged(session, [...creates, ...updates.map((plan) => plan.desired)], options);
}

/**
 * Sends one batched validate-only request. When the broker refuses it, nothing has been
 * changed yet; the error names each refused topic (kafkajs reports only the first error of a
 * CreatePartitions response, so a refused batch is retried one by one).
 */
async function validateEach<T extends { name: string }>(
  items: readonly T[],
  validate: (batch: readonly T[]) => Promise<void>,
): Promise<void> {
  if (items.length === 0) return;
  let batchError: unknown;
  try {
    await validate(items);
    return;
  } catch (error) {
    batchError = error;
  }
  const failures: string[] = [];
  if (items.length > 1) {
    for (const item of items)
      await validate([item]).catch((error: unknown) => failures.push(kafkaErrorMessage(error)));
  }
  if (failures.length === 0) failures.push(kafkaErrorMessage(batchError));
  throw new Error(`nothing was changed; the broker refused:\n  ${failures.join("\n  ")}`);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForReassignments(
  session: KafkaSession,
  topics: readonly string[],
  options: ApplyOptions,
): Promise<void> {
  const timeoutMs = options.reassignmentTimeoutMs ?? DEFAULT_REASSIGNMENT_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? 250;
  const started = Date.now();
  for (;;) {
    const ongoing = await session.ongoingReassignments(topics);
    if (ongoing.length === 0) return;
    if (Date.now() - started > timeoutMs) {
      const list = ongoing
        .map((entry) => `${entry.topic} (partitions ${entry.partitions.join(",")})`)
        .join(", ");
      throw new Error(
        `the replication change of ${list} is still copying data after ${Math.round(timeoutMs / 1000)} s; ` +
          "the brokers keep going on their own — rerun later to verify (nothing will be started twice)",
      );
    }
    await delay(pollMs);
  }
}

/**
 * How long the verifying re-read waits before its `attempt`-th try: 50 ms for the first two
 * seconds, then 250 ms. New topics show in the broker's metadata some time after CreateTopics
 * returns (8 topics of 6 partitions on the 2-core development machine: 80–190 ms idle, 335–554 ms
 * under load), and every create batch waits for that: with 50 ms steps it waits at most 50 ms
 * past that moment, where steps of 250 ms growing to 1 s made it wait up to 750 ms (the re-read
 * is one Metadata and one DescribeConfigs request).
 */
export function verifyPollDelayMs(attempt: number): number {
  return attempt <= 40 ? 50 : 250;
}

/**
 * Re-reads the touched topics until they plan as `noop`. The controller acknowledges a change
 * once it is committed; a broker's metadata cache can lag behind by seconds when many
 * partitions are created at once, so this polls for up to `requestTimeoutMs`.
 */
async function verifyConverged(
  session: KafkaSession,
  desired: readonly DesiredTopic[],
  options: ApplyOptions,
): Promise<void> {
  const deadline = Date.now() + session.requestTimeoutMs;
  let pending: TopicPlan[] = [];
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) await delay(verifyPollDelayMs(attempt));
    const { plans } = await planTopics(session, desired, "reconcile", options.extraPartitions);
    pending = plans.filter((plan) => plan.action !== "noop");
    if (pending.length === 0) return;
    if (Date.now() > deadline) break;
  }
  const lines = pending.map(
    (plan) =>
      `${plan.name}: ${plan.action === "create" ? "not visible yet" : plan.changes.map((change) => `${change.key} is ${JSON.stringify(change.from)}, expected ${JSON.stringify(change.to)}`).join(", ") || plan.reason}`,
  );
  throw new Error(
    `the broker accepted the changes but does not report them yet; rerun to verify (nothing is applied twice):\n  ${lines.join("\n  ")}`,
  );
}

/** Plans one topic; used by the dynamic provider. */
export async function planOne(
  session: KafkaSession,
  desired: DesiredTopic,
  mode: PlanMode,
  extraPartitions: ExtraPartitions = "block",
): Promise<{ plan: TopicPlan; live: LiveTopic | undefined }> {
  const live = await readLive(session, [desired.name], managedKeys([desired]));
  const topic = live.topics.get(desired.name);
  return { plan: planTopic(desired, topic, live.cluster, mode, extraPartitions), live: topic };
}
