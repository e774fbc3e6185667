/**
 * The `pulumi-nodejs:dynamic/streaming:KafkaTopic` provider: one Kafka topic per resource,
 * reconciled through the topic engine.
 *
 * Pulumi serializes this object into every topic's state and runs it later from that text
 * (SPEC, "Pulumi facts"), so:
 * - every method opens its own kafkajs session and closes it; nothing lives at module scope;
 * - no `this`, no classes, no secrets in the closure: the SASL password arrives as the
 *   `saslPassword` input (a secret the engine decrypts for the call) and leaves as the
 *   `saslPassword` output, which the component lists in `additionalSecretOutputs`;
 * - outputs echo the inputs, because `diff` receives the previous outputs as `olds` and the
 *   CLI shows old vs new inputs (the Node host drops `detailedDiff`);
 * - `diff` is pure (no broker call) and tolerates unknown values during preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { applyPlans, planOne, readLive } from "./engine";
import { withSession } from "./kafka";
import type { DeletionPolicy, DesiredTopic, KafkaTopicInputs } from "./model";
import { liveReplication, normalizeConfigValue, partitionDecreaseReason } from "./plan";
import { containsUnknown, validateTopicInputs } from "./validate";

/** The fields of the inputs that describe the topic itself. */
export function desiredOf(inputs: KafkaTopicInputs): DesiredTopic {
  return {
    name: inputs.name,
    partitions: inputs.partitions,
    replicationFactor: inputs.replicationFactor,
    config: { ...inputs.config },
    deletionPolicy: inputs.deletionPolicy,
  };
}

/** The outputs: the inputs, echoed (no `__provider`, which the host adds back). */
export function outsOf(inputs: KafkaTopicInputs): KafkaTopicInputs {
  const outs: KafkaTopicInputs = {
    name: inputs.name,
    partitions: inputs.partitions,
    replicationFactor: inputs.replicationFactor,
    config: { ...inputs.config },
    deletionPolicy: inputs.deletionPolicy,
    providerVersion: inputs.providerVersion,
    connection: inputs.connection,
  };
  if (inputs.saslPassword !== undefined) outs.saslPassword = inputs.saslPassword;
  return outs;
}

function sameConfig(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => key in right && normalizeConfigValue(String(left[key])) === normalizeConfigValue(String(right[key])));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function renameMessage(from: string, to: string, policy: DeletionPolicy): string {
  return (
    `the topic name changed from ${from} to ${to}. Kafka cannot rename topics: this would create ${to} and ` +
    `leave ${from} behind (deletionPolicy "${policy}"). To replace it, first set deletionPolicy: delete on ${from} ` +
    `and apply, then rename; or declare ${to} as a new topic and remove ${from} from the stack (it is retained).`
  );
}

/**
 * Pure diff. Topic settings, deletion policy, provider version and connection changes are
 * in-place updates; a partition decrease is refused; a rename replaces only when the old
 * topic's `deletionPolicy` is `delete`.
 */
export function diffTopic(olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
  const oldName = olds.name;
  const newName = news.name;
  if (typeof oldName === "string" && typeof newName === "string" && !containsUnknown(newName) && oldName !== newName) {
    const policy: DeletionPolicy = olds.deletionPolicy === "delete" ? "delete" : "retain";
    if (policy !== "delete") throw new Error(renameMessage(oldName, newName, policy));
    return { changes: true, replaces: ["name"], deleteBeforeReplace: false };
  }
  if (typeof olds.partitions === "number" && typeof news.partitions === "number" && news.partitions < olds.partitions) {
    throw new Error(partitionDecreaseReason(String(newName ?? oldName), olds.partitions, news.partitions));
  }
  if (containsUnknown(news)) return { changes: true };
  const same =
    olds.partitions === news.partitions &&
    olds.replicationFactor === news.replicationFactor &&
    olds.deletionPolicy === news.deletionPolicy &&
    olds.providerVersion === news.providerVersion &&
    olds.saslPassword === news.saslPassword &&
    canonical(olds.connection) === canonical(news.connection) &&
    sameConfig(olds.config as Record<string, string> | undefined, news.config as Record<string, string> | undefined);
  return { changes: !same };
}

/** Outputs of `read`: the stored outputs with the live values of the managed settings. */
export function liveOutputs(
  stored: KafkaTopicInputs,
  live: { partitions: number; replication: number[]; configs: Record<string, string | null> },
): KafkaTopicInputs {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stored.config)) {
    const liveValue = live.configs[key];
    // Keep the stored spelling when the broker says the same thing differently (no false drift).
    config[key] = liveValue === undefined || liveValue === null || normalizeConfigValue(liveValue) === normalizeConfigValue(value) ? value : liveValue;
  }
  const replicationFactor = live.replication.length === 1 && live.replication[0] !== undefined ? live.replication[0] : Math.max(...live.replication, 0);
  return { ...stored, partitions: live.partitions, replicationFactor, config };
}

async function reconcile(inputs: KafkaTopicInputs, mode: "adopt" | "reconcile"): Promise<void> {
  const desired = desiredOf(inputs);
  await withSession(inputs.connection, inputs.saslPassword, async (session) => {
    const { plan } = await planOne(session, desired, mode);
    if (plan.action === "blocked") throw new Error(plan.reason ?? `${desired.name} is blocked`);
    await applyPlans(session, [plan]);
  });
}

export const kafkaTopicProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { inputs: news, failures: validateTopicInputs(news) };
  },

  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return diffTopic(olds, news);
  },

  /** Creates the topic, or adopts an existing one whose partitions and replication match. */
  async create(inputs: KafkaTopicInputs) {
    await reconcile(inputs, "adopt");
    return { id: inputs.name, outs: outsOf(inputs) };
  },

  /** Applies config changes (keeping unmanaged overrides), partition increases, replication changes. */
  async update(_id: string, _olds: KafkaTopicInputs, news: KafkaTopicInputs) {
    await reconcile(news, "reconcile");
    return { outs: outsOf(news) };
  },

  /** Live partitions, replication and managed configs, so `pulumi refresh` shows drift made by hand. */
  async read(id: string, props: KafkaTopicInputs) {
    return withSession(props.connection, props.saslPassword, async (session) => {
      const live = await readLive(session, [id]);
      const topic = live.topics.get(id);
      // An empty id tells the engine the topic is gone; the next `up` creates it again.
      if (!topic) return { id: "" };
      const configs = Object.fromEntries(Object.entries(topic.configs).map(([key, entry]) => [key, entry.value]));
      const outs = liveOutputs(props, { partitions: topic.partitions.length, replication: liveReplication(topic.partitions), configs });
      return { id, props: outs, inputs: outs };
    });
  },

  /** Deletes the topic only when its deletionPolicy says `delete`; otherwise retains it and says so. */
  async delete(id: string, props: KafkaTopicInputs) {
    if (props.deletionPolicy !== "delete") {
      pulumi.log.info(`retained Kafka topic ${id} on ${props.connection.brokers.join(",")}: deletionPolicy is "${props.deletionPolicy ?? "retain"}", so removing it from the stack only stops managing it`);
      return;
    }
    await withSession(props.connection, props.saslPassword, async (session) => {
      const snapshot = await session.metadata([id]);
      if (!snapshot.topics.has(id)) return;
      await session.deleteTopics([id]);
      pulumi.log.info(`deleted Kafka topic ${id} (deletionPolicy "delete")`);
    });
  },
};
