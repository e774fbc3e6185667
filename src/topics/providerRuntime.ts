/**
 * The KafkaTopic provider's implementation, loaded at run time by the shim that Pulumi stores
 * in state (`provider.ts`). Loaded once per provider process (Node's module cache), so its
 * module state — the shared Kafka sessions of `sessions.ts` — lives as long as the engine run.
 *
 * - outputs echo the inputs (`diff` receives the previous outputs as `olds`; the CLI shows
 *   old vs new inputs because the Node host drops `detailedDiff`), plus `livePartitions`;
 * - `check` holds the refusals and `diff` never throws (`providerLogic.ts`);
 * - the SASL password arrives as the decrypted `saslPassword` input and is used only to open
 *   (and key) a session; it leaves as an output the component lists in `additionalSecretOutputs`.
 */
import { managedKeys, readLive } from "./engine";
import { type KafkaTopicInputs, PROVIDER_ABI } from "./model";
import { liveReplication } from "./plan";
import {
  ADOPTION_NOTE,
  adoptedInputs,
  adoptionFailures,
  adoptionLookup,
  checkTopic,
  desiredOf,
  diffTopic,
  echoInputs,
  handAddedPartitionsMessage,
  liveOutputs,
  outsOf,
} from "./providerLogic";
import { readBatched, reconcileBatched } from "./providerBatches";
import { reportingFailures } from "./providerFailures";
import { withSharedSession } from "./sessions";
import type { InputFailure } from "./validate";

/** The shim ABIs this runtime serves (see `PROVIDER_ABI` in `model.ts`). */
export const SUPPORTED_ABIS: readonly number[] = [PROVIDER_ABI];

/** Creates (adopt) or reconciles the topic, batched with its neighbours; returns its partition count afterwards. */
const reconcile = (inputs: KafkaTopicInputs, mode: "adopt" | "reconcile"): Promise<number> =>
  reconcileBatched(inputs, mode);

/**
 * `check`'s one broker read: for a create of an `adopt` topic, what the broker has becomes the
 * inputs (`adoptedInputs`), so the create records it unchanged and the preview can say so.
 */
async function adoptionCheck(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<{ inputs: Record<string, unknown>; failures: InputFailure[] }> {
  const lookup = adoptionLookup(olds, news);
  if (lookup === "none") return { inputs: news, failures: [] };
  if (lookup !== "lookup") return { inputs: { ...news, [ADOPTION_NOTE]: lookup }, failures: [] };
  const inputs = news as unknown as KafkaTopicInputs;
  return withSharedSession(inputs.connection, inputs.saslPassword, async (session) => {
    const state = await readLive(session, [inputs.name], managedKeys([desiredOf(inputs)]));
    const live = state.topics.get(inputs.name);
    const failures = live ? adoptionFailures(inputs, live) : [];
    if (failures.length > 0) return { inputs: news, failures };
    const adopted: Record<string, unknown> = { ...adoptedInputs(inputs, live, state.cluster) };
    return { inputs: adopted, failures };
  });
}

const implementation = {
  async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
    const failures = checkTopic(olds, news);
    if (failures.length > 0) return { inputs: news, failures };
    try {
      return await adoptionCheck(olds, news);
    } catch (error) {
      const reason = `cannot read ${String(news.name)} on the brokers to adopt it: ${(error as Error).message}`;
      return { inputs: news, failures: [{ property: "adopt", reason }] };
    }
  },

  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const result = diffTopic(olds, news);
    // The component warns about hand-added partitions from the resource's outputs, but a topic
    // with a pending update has unknown outputs during preview: report it here instead. The
    // engine shows the provider's stderr under the stack's diagnostics.
    const live = olds.livePartitions;
    if (
      result.changes &&
      typeof live === "number" &&
      typeof news.partitions === "number" &&
      live > news.partitions
    ) {
      process.stderr.write(
        `warning: ${handAddedPartitionsMessage(String(news.name), live, news.partitions)}\n`,
      );
    }
    return result;
  },

  /** Creates the topic, or adopts an existing one whose partitions and replication match. */
  async create(inputs: KafkaTopicInputs) {
    const livePartitions = await reconcile(inputs, "adopt");
    return { id: inputs.name, outs: outsOf(inputs, livePartitions) };
  },

  /** Sets changed managed configs, adds partitions, changes replication; partitions added by hand stay. */
  async update(_id: string, _olds: KafkaTopicInputs, news: KafkaTopicInputs) {
    const livePartitions = await reconcile(news, "reconcile");
    return { outs: outsOf(news, livePartitions) };
  },

  /** Live partitions, replication and managed configs, so `pulumi refresh` records drift made by hand. */
  async read(id: string, props: KafkaTopicInputs) {
    const live = await readBatched(id, props);
    const topic = live.topics.get(id);
    // An empty id tells the engine the topic is gone; the next `up` creates it again.
    if (!topic) return { id: "" };
    const configs = Object.fromEntries(
      Object.entries(topic.configs).map(([key, entry]) => [key, entry.value]),
    );
    const outs = liveOutputs(props, {
      partitions: topic.partitions.length,
      replication: liveReplication(topic.partitions),
      configs,
    });
    // Inputs take the live configs and replication (the next preview shows them going back)
    // but keep the declared partitions: hand-added partitions are not a stack decrease.
    return { id, props: outs, inputs: echoInputs(outs) };
  },

  /**
   * Deletes the topic when its deletionPolicy is `delete`. With `retain` the component sets
   * `retainOnDelete`, so the engine never calls this and prints `delete[retain]`; should it be
   * called anyway (a resource declared without that option), the topic is left alone.
   */
  async delete(id: string, props: KafkaTopicInputs) {
    if (props.deletionPolicy !== "delete") return;
    await withSharedSession(props.connection, props.saslPassword, async (session) => {
      const snapshot = await session.metadata([id]);
      if (!snapshot.topics.has(id)) return;
      await session.deleteTopics([id]);
    });
  },
};

/** Each broker call's failure is one short report (`providerFailures.ts`). */
export const provider = {
  ...implementation,
  create: (inputs: KafkaTopicInputs) =>
    reportingFailures(inputs.name, () => implementation.create(inputs)),
  update: (id: string, olds: KafkaTopicInputs, news: KafkaTopicInputs) =>
    reportingFailures(news.name, () => implementation.update(id, olds, news)),
  read: (id: string, props: KafkaTopicInputs) =>
    reportingFailures(id, () => implementation.read(id, props)),
  delete: (id: string, props: KafkaTopicInputs) =>
    reportingFailures(id, () => implementation.delete(id, props)),
};
