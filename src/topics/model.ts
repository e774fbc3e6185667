/**
 * The vocabulary of the topic engine, shared by the Pulumi dynamic provider, the topics CLI
 * and the bench: what a topic should look like (`DesiredTopic`), how to reach the brokers
 * (`ConnectionSettings`), and the provider's input shape.
 *
 * Everything here is plain data and pure functions: the dynamic provider is serialized by
 * value into Pulumi state (SPEC, "Pulumi facts"), so nothing in this file may hold native
 * state, classes or secrets at module scope.
 */
import type { KafkaClientConfig, TopicSpec } from "../config/schema";

/**
 * The version of what a topic's state holds: the serialized provider shim (`provider.ts`), the
 * runtime interface it calls (`PROVIDER_ABI`) and the input/output shape. It is an input of
 * every topic resource, so a new version shows as an update of every topic and the engine
 * stores the new shim in state. Bump it when any of those change. Engine behaviour itself
 * (`providerRuntime.ts` and what it imports) is loaded from the checkout at run time, so a
 * fix there reaches destroy and refresh without a bump (docs/topics.md, "What the state holds").
 *
 * History: "1" carried the whole engine by value (~111 KB per topic); "2" is the runtime shim
 * with `livePartitions` in the outputs, serialized as a closure (2.4 KB); "3" is the same shim
 * written out as text (`provider.ts`, ~290 bytes).
 */
export const PROVIDER_VERSION = "3";

/**
 * The interface between the serialized shim and the runtime module: the method names and
 * argument shapes of `pulumi.dynamic.ResourceProvider`. A runtime lists the ABIs it serves;
 * a shim stored in state years ago asks for its own and fails clearly if it is not served.
 */
export const PROVIDER_ABI = 1;

/**
 * The type token of a topic resource: a Node dynamic-provider resource (package `pulumi-nodejs`,
 * module `dynamic/streaming`), named after the topic.
 */
export const KAFKA_TOPIC_TYPE = "pulumi-nodejs:dynamic/streaming:KafkaTopic";

/**
 * The component every environment declares around its topics (`components/TopicBootstrap.ts`,
 * whose `super` call spells the type token literally): the parent in every topic's URN, so the
 * Pulumi import file (`importFile.ts`) names it exactly as the program does.
 */
export const TOPIC_BOOTSTRAP = {
  type: "apphub:streaming:TopicBootstrap",
  name: "apphub-topics",
} as const;

/** The config key `TopicSpec.retentionMs` is rendered into (unless it is null: not managed). */
export const RETENTION_KEY = "retention.ms";

// The rules on names, policies, mechanisms and addresses are the stack config's own.
export {
  DELETION_POLICIES,
  MAX_TOPIC_NAME_LENGTH,
  SASL_MECHANISMS,
  TOPIC_NAME_PATTERN,
  brokerAddressProblem,
  parseBrokerList,
  type DeletionPolicy,
  type SaslMechanism,
} from "../config/rules";
import type { DeletionPolicy, SaslMechanism } from "../config/rules";

/** What a topic should look like on the brokers. */
export interface DesiredTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic configs the stack manages, values as the broker stores them; holds `retention.ms` unless `retentionMs` is null. */
  config: Record<string, string>;
  deletionPolicy: DeletionPolicy;
}

/** How to reach the brokers. The SASL password is never part of it (it travels as a secret). */
export type ConnectionSettings = ConnectionSettingsOf<string[], string>;

/**
 * {@link ConnectionSettings} whose brokers and CA may be held otherwise: as Pulumi inputs in
 * the program (the brokers may be the cluster's output), as plain values in the CLI.
 */
export interface ConnectionSettingsOf<Brokers, Ca> {
  brokers: Brokers;
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  /** `ca`: PEM of the CA that signed the brokers' certificates; absent means the system trust store. */
  tls: { enabled: boolean; rejectUnauthorized: boolean; ca?: Ca };
  sasl?: { mechanism: SaslMechanism; username: string };
}

/**
 * Inputs of one `pulumi-nodejs:dynamic/streaming:KafkaTopic` resource, and (echoed) its outputs.
 * `name`, `partitions`, `replicationFactor`, `config` and `deletionPolicy` are read by
 * `npm run diff` from the rendered resources.
 */
export interface KafkaTopicInputs extends DesiredTopic {
  providerVersion: string;
  connection: ConnectionSettings;
  /** Present only with SASL; a Pulumi secret in the program, listed in `additionalSecretOutputs`. */
  saslPassword?: string;
  /**
   * Present (true) only for a topic the stack adopts (`apphub-streaming:topics.<name>.adopt`):
   * when Pulumi does not manage it yet, `check` reads it on the broker and the create records it
   * as it is. Not compared by `diff`.
   */
  adopt?: boolean;
}

/** Outputs of a topic resource: the inputs echoed, plus the partition count the broker reported. */
export interface KafkaTopicOutputs extends KafkaTopicInputs {
  /** Partitions on the broker at the last create, update or refresh; above `partitions` when added by hand. */
  livePartitions: number;
}

/**
 * `TopicSpec` (stack config) → `DesiredTopic`: retention becomes the `retention.ms` config (a
 * null retention leaves it unmanaged, whatever `config` says), keys sorted for stable diffs.
 */
export function desiredFromSpec(spec: TopicSpec): DesiredTopic {
  const { [RETENTION_KEY]: _, ...others } = spec.config;
  const config = sortedRecord(
    spec.retentionMs === null ? others : { ...others, [RETENTION_KEY]: String(spec.retentionMs) },
  );
  return {
    name: spec.name,
    partitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    config,
    deletionPolicy: spec.deletionPolicy,
  };
}

/**
 * The inputs of one topic resource as the program declares it, the SASL password aside (the
 * program adds it as a secret, the import file as the stack's ciphertext): the one builder for
 * both, so a topic recorded by `pulumi import` is exactly what the next `pulumi up` declares.
 */
export function topicResourceInputs<Connection>(
  spec: TopicSpec,
  connection: Connection,
): DesiredTopic & { providerVersion: string; connection: Connection; adopt?: true } {
  return {
    ...desiredFromSpec(spec),
    providerVersion: PROVIDER_VERSION,
    connection,
    ...(spec.adopt ? { adopt: true as const } : {}),
  };
}

/**
 * Stack-level Kafka client config plus brokers (and the CA to trust instead of the system
 * store, if any) → connection settings: the one builder for the CLI and the program.
 */
export function connectionFromConfig<Brokers = string[], Ca = string>(
  kafka: KafkaClientConfig,
  brokers: Brokers,
  ca?: Ca,
): ConnectionSettingsOf<Brokers, Ca> {
  return {
    brokers,
    clientId: kafka.clientId,
    connectTimeoutMs: kafka.connectTimeoutMs,
    requestTimeoutMs: kafka.requestTimeoutMs,
    tls: {
      enabled: kafka.tls.enabled,
      rejectUnauthorized: kafka.tls.rejectUnauthorized,
      ...(ca !== undefined ? { ca } : {}),
    },
    ...(kafka.sasl
      ? { sasl: { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username } }
      : {}),
  };
}

export function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * JSON with object keys sorted and undefined members dropped, so that two equal connection
 * settings give the same text however they were built (the session pool's key, the provider's
 * "same connection" test).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
