/**
 * The pure decisions of the `KafkaTopic` dynamic provider: input checks, diff and the shape of
 * outputs. No I/O here; `providerRuntime.ts` calls these around the broker work.
 *
 * How the engine calls them (SPEC, "Pulumi facts", seen under the real 3.274 CLI):
 * - `check(olds, news)` gets the previous *inputs* and the new ones, on preview and up, never
 *   on refresh: refusals of a stack change (partition decrease, rename of a retained topic)
 *   live here, so a refused change fails the preview before anything runs.
 * - `diff(olds, news)` gets the previous *outputs*; `pulumi refresh` also calls it with the
 *   live values as olds. It must never throw: a throw would abort the refresh of the whole stack.
 * - `read` (refresh) returns new outputs and new inputs. Outputs keep `partitions` as the stack
 *   declared it and report the broker's count as `livePartitions`, so partitions added by hand
 *   are recorded without ever reading as a stack decrease.
 * - Adoption (`adopt: true`, written by `topics import`): Pulumi's `import` option and `.get()`
 *   cannot work for dynamic resources (the engine's import Read carries no `__provider`; the
 *   real CLI fails with "code must be a string, not undefined"), so a create adopts. For a create
 *   of an `adopt` topic, `check` reads the broker and returns what is there as the inputs: the
 *   create then records the topic without writing to the broker, the state holds the live
 *   values, and the next preview shows any difference from the stack as an update naming the
 *   key. The engine calls only `check` before a create in a preview, and stores what it returns,
 *   so this is where adoption becomes visible.
 */
import {
  canonicalJson,
  type DeletionPolicy,
  type DesiredTopic,
  type KafkaTopicInputs,
  type KafkaTopicOutputs,
} from "./model";
import {
  liveReplication,
  normalizeConfigValue,
  planTopic,
  sameConfigValue,
  type ClusterView,
  type LiveTopic,
} from "./plan";
import { containsUnknown, type InputFailure, validateTopicInputs } from "./validate";

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

/** The inputs, echoed (no `__provider`, which the host adds back). */
export function echoInputs(inputs: KafkaTopicInputs): KafkaTopicInputs {
  const echoed: KafkaTopicInputs = {
    name: inputs.name,
    partitions: inputs.partitions,
    replicationFactor: inputs.replicationFactor,
    config: { ...inputs.config },
    deletionPolicy: inputs.deletionPolicy,
    providerVersion: inputs.providerVersion,
    connection: inputs.connection,
  };
  if (inputs.saslPassword !== undefined) echoed.saslPassword = inputs.saslPassword;
  if (inputs.adopt !== undefined) echoed.adopt = inputs.adopt;
  return echoed;
}

/** The outputs: the inputs echoed, plus the partition count the broker reported. */
export function outsOf(
  inputs: KafkaTopicInputs,
  livePartitions: number = inputs.partitions,
): KafkaTopicOutputs {
  return { ...echoInputs(inputs), livePartitions };
}

function sameConfig(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every(
    (key) =>
      key in right &&
      normalizeConfigValue(String(left[key])) === normalizeConfigValue(String(right[key])),
  );
}

export function renameMessage(from: string, to: string, policy: DeletionPolicy): string {
  return (
    `the topic name changed from ${from} to ${to}. Kafka cannot rename topics: this would create ${to} and ` +
    `leave ${from} behind (deletionPolicy "${policy}"). To replace it, first set deletionPolicy: delete on ${from} ` +
    `and apply, then rename; or declare ${to} as a new topic and remove ${from} from the stack (it is retained).`
  );
}

/** Why a partition decrease in the stack is refused; names the topic, both counts and the fix. */
export function stackPartitionDecreaseReason(name: string, from: number, to: number): string {
  return (
    `cannot decrease partitions of ${name} from ${from} to ${to}: Kafka cannot shrink a topic's partitions, only ` +
    `delete and recreate the topic, which loses its data. Keep apphub-streaming:topics.${name}.partitions at ${from} ` +
    "or more (or create a new topic and migrate consumers); nothing was changed"
  );
}

/** The report of partitions added outside the stack (recorded by `pulumi refresh`). */
export function handAddedPartitionsMessage(name: string, live: number, declared: number): string {
  return (
    `${name} has ${live} partitions on the broker but the stack says ${declared} (added outside Pulumi, recorded by ` +
    `refresh). Kafka cannot remove partitions, so they stay; set apphub-streaming:topics.${name}.partitions to ${live} ` +
    "to make the stack say what the broker has"
  );
}

const isNumber = (value: unknown): value is number => typeof value === "number";

/**
 * `check`: the input rules (`validate.ts`) plus the refusals of a change from `olds` (the
 * previous inputs; empty on create) to `news`.
 */
export function checkTopic(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): InputFailure[] {
  const failures = validateTopicInputs(news).filter(
    (failure) => !(failure.property === "saslPassword" && isImportCheck(olds, news)),
  );
  const { name: oldName, partitions: oldPartitions } = olds;
  const { name: newName, partitions: newPartitions } = news;
  if (
    typeof oldName === "string" &&
    typeof newName === "string" &&
    !containsUnknown(newName) &&
    oldName !== newName &&
    olds.deletionPolicy !== "delete"
  ) {
    failures.push({ property: "name", reason: renameMessage(oldName, newName, "retain") });
  }
  if (isNumber(oldPartitions) && isNumber(newPartitions) && newPartitions < oldPartitions) {
    failures.push({
      property: "partitions",
      reason: stackPartitionDecreaseReason(String(newName), oldPartitions, newPartitions),
    });
  }
  return failures;
}

/**
 * `pulumi import --file` checks the state it records against itself. A SASL topic is recorded
 * without the connection's password (`importFile.ts`): the next `pulumi up` stores it.
 */
function isImportCheck(olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  return news.saslPassword === undefined && canonicalJson(olds) === canonicalJson(news);
}

/**
 * Pure diff; never throws. Topic settings, deletion policy, provider version and connection
 * changes are in-place updates; a rename replaces (check refuses it unless the old topic's
 * deletionPolicy is `delete`). A declared partition count below the old one is not a change
 * the provider can make: check refuses it on preview and up, and on refresh it cannot occur
 * (outputs keep the declared count).
 */
export function diffTopic(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean } {
  const oldName = olds.name;
  const newName = news.name;
  if (
    typeof oldName === "string" &&
    typeof newName === "string" &&
    !containsUnknown(newName) &&
    oldName !== newName
  ) {
    return { changes: true, replaces: ["name"], deleteBeforeReplace: false };
  }
  if (containsUnknown(news)) return { changes: true };
  const partitionsChanged =
    isNumber(olds.partitions) && isNumber(news.partitions)
      ? news.partitions > olds.partitions
      : olds.partitions !== news.partitions;
  const same =
    !partitionsChanged &&
    olds.replicationFactor === news.replicationFactor &&
    olds.deletionPolicy === news.deletionPolicy &&
    olds.providerVersion === news.providerVersion &&
    olds.saslPassword === news.saslPassword &&
    canonicalJson(olds.connection) === canonicalJson(news.connection) &&
    sameConfig(
      olds.config as Record<string, string> | undefined,
      news.config as Record<string, string> | undefined,
    );
  return { changes: !same };
}

/** What `read` saw on the broker for one topic. */
export interface LiveReading {
  partitions: number;
  replication: number[];
  configs: Record<string, string | null>;
}

/**
 * Outputs of `read`: the stored outputs with the live replication and managed configs; the
 * declared `partitions` stay, the broker's count goes to `livePartitions`.
 */
export function liveOutputs(stored: KafkaTopicInputs, live: LiveReading): KafkaTopicOutputs {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stored.config)) {
    const liveValue = live.configs[key];
    // Keep the stored spelling when the broker says the same thing differently (no false drift).
    config[key] =
      liveValue === undefined || liveValue === null || sameConfigValue(liveValue, value, key)
        ? value
        : liveValue;
  }
  const replicationFactor =
    live.replication.length === 1 && live.replication[0] !== undefined
      ? live.replication[0]
      : Math.max(...live.replication, 0);
  return { ...echoInputs(stored), replicationFactor, config, livePartitions: live.partitions };
}

/**
 * The input `check` adds to a create of an `adopt` topic: what the preview should say about it.
 * Its `__` prefix makes the Pulumi CLI leave it out of every displayed diff (internal keys, like
 * `__provider`); the program reads it back as an output of the preview and logs it on the
 * topic's line. The create does not echo it, so it never shows again.
 */
export const ADOPTION_NOTE = "__adoption";

export interface AdoptionNote {
  level: "info" | "warning";
  message: string;
}

/** A create's inputs after `check` looked the topic up: what the broker has, plus the note. */
export type AdoptedInputs = KafkaTopicInputs & { [ADOPTION_NOTE]: AdoptionNote };

/**
 * What `check` must do for these inputs: nothing (not an `adopt` topic, or one Pulumi already
 * manages: `olds` are its stored inputs), look the topic up on the broker, or — when the
 * connection is not known yet (a preview whose brokers are another resource's output) — only
 * say that the lookup waits for `up`.
 */
export function adoptionLookup(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): "none" | "lookup" | AdoptionNote {
  if (news.adopt !== true || Object.keys(olds).length > 0) return "none";
  if (!containsUnknown(news)) return "lookup";
  return {
    level: "info",
    message:
      `adopt: the brokers are not known yet, so whether ${String(news.name)} exists shows at up; ` +
      "if it does, up records it as it is and changes nothing on the broker",
  };
}

const describeChange = (change: { key: string; from: string | null; to: string }) =>
  `${change.key}: ${JSON.stringify(change.from)} => ${JSON.stringify(change.to)}`;

/**
 * Why an existing topic cannot be adopted as the stack declares it, one failure per field, or
 * none. Adoption never changes a topic, so a shape it would have to change destructively or
 * heavily is refused before anything happens: fewer partitions than the broker has (Kafka cannot
 * remove partitions) or another replication factor (a reassignment moves data). Config
 * differences are not refused: they are recorded as the broker has them and shown as an update.
 */
export function adoptionFailures(news: KafkaTopicInputs, live: LiveTopic): InputFailure[] {
  const failures: InputFailure[] = [];
  const key = (field: string) => `apphub-streaming:topics.${news.name}.${field}`;
  const livePartitions = live.partitions.length;
  if (livePartitions > news.partitions)
    failures.push({
      property: "partitions",
      reason:
        `cannot adopt ${news.name}: it has ${livePartitions} partitions on the broker, the stack says ${news.partitions}, ` +
        `and Kafka cannot remove partitions; set ${key("partitions")} to ${livePartitions} (npm run topics -- import writes what the broker has)`,
    });
  const replication = liveReplication(live.partitions);
  if (replication.length === 1 && replication[0] !== news.replicationFactor)
    failures.push({
      property: "replicationFactor",
      reason:
        `cannot adopt ${news.name}: its replication factor is ${replication[0]} on the broker, the stack says ${news.replicationFactor}; ` +
        `adopting never moves replicas: set ${key("replicationFactor")} to ${replication[0]}, adopt it, then change it in a later up`,
    });
  return failures;
}

/**
 * The inputs of a create of an `adopt` topic, given what the broker has (`live`, undefined when
 * the topic is not there). An existing topic is taken as it is: its partitions, its replication
 * and the live values of the managed configs (`adoptionFailures` has refused the shapes that
 * differ). Pure: `check` does the reading.
 */
export function adoptedInputs(
  news: KafkaTopicInputs,
  live: LiveTopic | undefined,
  cluster: ClusterView,
): AdoptedInputs {
  if (!live) {
    return {
      ...news,
      [ADOPTION_NOTE]: {
        level: "warning",
        message: `adopt: ${news.name} is not on the brokers, so up creates it as the stack says`,
      },
    };
  }
  const livePartitions = live.partitions.length;
  const configs = Object.fromEntries(
    Object.entries(live.configs).map(([key, entry]) => [key, entry.value]),
  );
  const aligned = echoInputs(
    liveOutputs(news, {
      partitions: livePartitions,
      replication: liveReplication(live.partitions),
      configs,
    }),
  );
  // More partitions in the stack are added by the next up, shown as an update, not by the create.
  aligned.partitions = Math.min(news.partitions, livePartitions);
  // What the stack asks beyond what the broker has: the next preview's update.
  const pending = planTopic(desiredOf(news), live, cluster, "reconcile", "keep").changes;
  const replication = liveReplication(live.partitions).join("|");
  if (replication.includes("|")) {
    const message =
      `adopt: the partitions of ${news.name} have different replication factors (${replication}; a reassignment ` +
      "in progress?), so up cannot record it as it is; run up again once they agree";
    return { ...aligned, [ADOPTION_NOTE]: { level: "warning", message } };
  }
  let message =
    `adopt: ${news.name} exists on the brokers (${livePartitions} partition${livePartitions === 1 ? "" : "s"}, replication ${replication}); ` +
    "up records it as it is and changes nothing on the broker";
  if (pending.length > 0)
    message += `; the stack differs, so the next preview shows an update: ${pending.map(describeChange).join(", ")}`;
  return { ...aligned, [ADOPTION_NOTE]: { level: "info", message } };
}
