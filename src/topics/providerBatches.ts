/**
 * The provider's broker work, one batch at a time (`coalesce.ts` gathers the calls):
 * - `read` of N topics: one Metadata + one DescribeConfigs request;
 * - `create` / `update` of N topics: one read, then one request per kind of change for all of
 *   them (`applyPlans`: CreateTopics, IncrementalAlterConfigs, CreatePartitions, each validated
 *   first), then one verifying read.
 * Each topic still gets its own answer: a topic whose plan is blocked fails alone with its
 * reason, and when the broker refuses anything in a batch, the batch is redone one topic at a
 * time on the same session, so every topic gets the outcome (and Kafka's error code and
 * message) it would have had alone. Calls for different connections, or of different kinds,
 * never share a batch.
 */
import { applyPlans, managedKeys, planOne, readLive, type LiveState } from "./engine";
import type { KafkaSession } from "./kafka";
import type { DesiredTopic, KafkaTopicInputs } from "./model";
import { planCatalog, type LiveTopic, type PlanMode } from "./plan";
import { desiredOf } from "./providerLogic";
import { Coalescer, failed, succeeded, wholeThenEach, type Outcome } from "./coalesce";
import { sessionKey, withSharedSession } from "./sessions";

/** A topic's partition count on the broker after `create` / `update`. */
export type Reconciled = number;

interface ReconcileItem {
  inputs: KafkaTopicInputs;
  mode: PlanMode;
}

interface ReadItem {
  id: string;
  props: KafkaTopicInputs;
}

const uniqueNames = (names: readonly string[]) => new Set(names).size === names.length;

/** The partitions the broker has after reconciling `desired` (hand-added ones stay). */
const partitionsAfter = (desired: DesiredTopic, live: LiveTopic | undefined): number =>
  Math.max(live?.partitions.length ?? 0, desired.partitions);

async function reconcileOne(session: KafkaSession, item: ReconcileItem): Promise<Reconciled> {
  const desired = desiredOf(item.inputs);
  const { plan, live } = await planOne(session, desired, item.mode, "keep");
  if (plan.action === "blocked") throw new Error(plan.reason ?? `${desired.name} is blocked`);
  await applyPlans(session, [plan], { extraPartitions: "keep" });
  return partitionsAfter(desired, live);
}

/** All items in one plan and one apply; blocked topics fail alone and stay out of the apply. */
async function reconcileAll(
  session: KafkaSession,
  items: readonly ReconcileItem[],
): Promise<Outcome<Reconciled>[]> {
  const desired = items.map((item) => desiredOf(item.inputs));
  if (!uniqueNames(desired.map((topic) => topic.name)))
    throw new Error("a batch names one topic twice");
  const mode = items[0]?.mode ?? "reconcile";
  const live = await readLive(
    session,
    desired.map((topic) => topic.name),
    managedKeys(desired),
  );
  const plans = planCatalog(desired, live.topics, live.cluster, mode, "keep");
  await applyPlans(
    session,
    plans.filter((plan) => plan.action !== "blocked"),
    { extraPartitions: "keep" },
  );
  return plans.map((plan, index) =>
    plan.action === "blocked"
      ? failed(new Error(plan.reason ?? `${plan.name} is blocked`))
      : succeeded(partitionsAfter(desired[index] as DesiredTopic, live.topics.get(plan.name))),
  );
}

async function readAll(
  session: KafkaSession,
  items: readonly ReadItem[],
): Promise<Outcome<LiveState>[]> {
  const live = await readLive(
    session,
    items.map((item) => item.id),
    managedKeys(items.map((item) => desiredOf(item.props))),
  );
  return items.map(() => succeeded(live));
}

const readOne = (session: KafkaSession, item: ReadItem): Promise<LiveState> =>
  readLive(session, [item.id], managedKeys([desiredOf(item.props)]));

/** Every item of a batch shares one connection (the batch key says so). */
function onSession<I extends { inputs?: KafkaTopicInputs; props?: KafkaTopicInputs }, R>(
  items: readonly I[],
  work: (session: KafkaSession) => Promise<readonly Outcome<R>[]>,
): Promise<readonly Outcome<R>[]> {
  const first = items[0]?.inputs ?? items[0]?.props;
  if (!first) return Promise.resolve([]);
  return withSharedSession(first.connection, first.saslPassword, work);
}

const reconciler = new Coalescer<ReconcileItem, Reconciled>((items) =>
  onSession(items, (session) =>
    wholeThenEach(
      items,
      (all) => reconcileAll(session, all),
      (item) => reconcileOne(session, item),
    ),
  ),
);

const reader = new Coalescer<ReadItem, LiveState>((items) =>
  onSession(items, (session) =>
    wholeThenEach(
      items,
      (all) => readAll(session, all),
      (item) => readOne(session, item),
    ),
  ),
);

const batchKey = (inputs: KafkaTopicInputs, kind: string) =>
  `${kind}:${sessionKey(inputs.connection, inputs.saslPassword)}`;

/** Creates (`adopt`) or reconciles one topic, in a batch with its concurrent neighbours. */
export function reconcileBatched(inputs: KafkaTopicInputs, mode: PlanMode): Promise<Reconciled> {
  return reconciler.submit(batchKey(inputs, mode), { inputs, mode });
}

/** Reads one topic (Metadata + DescribeConfigs), in a batch with its concurrent neighbours. */
export function readBatched(id: string, props: KafkaTopicInputs): Promise<LiveState> {
  return reader.submit(batchKey(props, "read"), { id, props });
}

/** The sizes of the batches sent so far in this process, per kind. */
export function batchSizes(): { reconcile: readonly number[]; read: readonly number[] } {
  return { reconcile: reconciler.batchSizes, read: reader.batchSizes };
}
