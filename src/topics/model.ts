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
 * Bumped whenever the provider's behaviour changes. It is an input of every topic resource,
 * so a new version shows as an update and the engine stores the new provider code in state
 * (editing the code alone would not: destroy and refresh run the code stored in state).
 */
export const PROVIDER_VERSION = "1";

/** The config key every topic carries; `TopicSpec.retentionMs` is rendered into it. */
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
  /** Topic configs the stack manages, values as the broker stores them; always holds `retention.ms`. */
  config: Record<string, string>;
  deletionPolicy: DeletionPolicy;
}

/** How to reach the brokers. The SASL password is never part of it (it travels as a secret). */
export interface ConnectionSettings {
  brokers: string[];
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  tls: { enabled: boolean; rejectUnauthorized: boolean };
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
}

/** `TopicSpec` (stack config) → `DesiredTopic`: retention becomes the `retention.ms` config, keys sorted for stable diffs. */
export function desiredFromSpec(spec: TopicSpec): DesiredTopic {
  const config = sortedRecord({ ...spec.config, [RETENTION_KEY]: String(spec.retentionMs) });
  return {
    name: spec.name,
    partitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    config,
    deletionPolicy: spec.deletionPolicy,
  };
}

/** Stack-level Kafka client config plus resolved brokers → connection settings. */
export function connectionFromConfig(kafka: KafkaClientConfig, brokers: string[]): ConnectionSettings {
  return {
    brokers,
    clientId: kafka.clientId,
    connectTimeoutMs: kafka.connectTimeoutMs,
    requestTimeoutMs: kafka.requestTimeoutMs,
    tls: { enabled: kafka.tls.enabled, rejectUnauthorized: kafka.tls.rejectUnauthorized },
    ...(kafka.sasl ? { sasl: { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username } } : {}),
  };
}

export function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
