/**
 * Input validation of a topic resource, shared by the dynamic provider's `check` and by the
 * `TopicBootstrap` component (which fails before declaring anything). Pure; every failure
 * names the field and what was expected. Values still unknown during `pulumi preview` (the
 * engine's sentinel string) are not judged.
 */
import {
  brokerAddressProblem,
  deletionPolicyProblem,
  partitionsProblem,
  replicationFactorProblem,
  retentionConfigProblem,
  saslMechanismProblem,
  saslPasswordProblem,
  saslUsernameProblem,
  topicNameProblem,
} from "../config/rules";
import { describeValue as describe, isRecord } from "../config/values";
import { RETENTION_KEY } from "./model";

// One implementation per rule, shared with the stack config schema.
export { topicNameProblem, retentionConfigProblem as retentionProblem };

/** What the Pulumi engine sends for a value that is not known yet (preview). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface InputFailure {
  property: string;
  reason: string;
}

const isUnknown = (value: unknown) => value === UNKNOWN_VALUE;

/** True when `value` (or anything inside it) is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isRecord(value)) return Object.values(value).some(containsUnknown);
  return false;
}

function positiveInteger(value: unknown, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max;
}

/** Validates the topic part of the inputs: name, partitions, replicationFactor, config, deletionPolicy, adopt. */
export function validateTopicFields(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  const { name, partitions, replicationFactor, config, deletionPolicy } = inputs;
  if (!isUnknown(name)) {
    const problem = topicNameProblem(name);
    if (problem) failures.push({ property: "name", reason: problem });
  }
  const partitionsFailure = isUnknown(partitions) ? undefined : partitionsProblem(partitions);
  if (partitionsFailure) failures.push({ property: "partitions", reason: partitionsFailure });
  const replicationFailure = isUnknown(replicationFactor)
    ? undefined
    : replicationFactorProblem(replicationFactor);
  if (replicationFailure)
    failures.push({ property: "replicationFactor", reason: replicationFailure });
  if (!isUnknown(config)) {
    if (!isRecord(config)) {
      failures.push({
        property: "config",
        reason: `expected a map of topic config name to string value, got ${describe(config)}`,
      });
    } else {
      for (const [key, value] of Object.entries(config)) {
        if (isUnknown(value)) continue;
        if (typeof value !== "string")
          failures.push({
            property: `config.${key}`,
            reason: `expected a string value (the broker stores configs as strings), got ${describe(value)}`,
          });
        else if (key.trim() === "" || key !== key.trim())
          failures.push({
            property: `config.${key}`,
            reason: "expected a config name without surrounding spaces",
          });
      }
      // Absent: the stack does not manage retention for this topic (`retentionMs: null`).
      const retention = config[RETENTION_KEY];
      if (retention !== undefined && !isUnknown(retention)) {
        const problem = retentionConfigProblem(retention);
        if (problem) failures.push({ property: `config.${RETENTION_KEY}`, reason: problem });
      }
    }
  }
  const policyFailure = isUnknown(deletionPolicy)
    ? undefined
    : deletionPolicyProblem(deletionPolicy);
  if (policyFailure) failures.push({ property: "deletionPolicy", reason: policyFailure });
  const { adopt } = inputs;
  if (adopt !== undefined && typeof adopt !== "boolean" && !isUnknown(adopt))
    failures.push({ property: "adopt", reason: `expected true or false, got ${describe(adopt)}` });
  return failures;
}

/** Validates the connection inputs and the SASL password's presence. */
export function validateConnectionFields(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  const { connection, saslPassword } = inputs;
  if (isUnknown(connection)) return failures;
  if (!isRecord(connection))
    return [
      {
        property: "connection",
        reason: `expected the broker connection settings, got ${describe(connection)}`,
      },
    ];
  const { brokers, clientId, connectTimeoutMs, requestTimeoutMs, tls, sasl } = connection;
  if (!isUnknown(brokers)) {
    if (!Array.isArray(brokers) || brokers.length === 0) {
      failures.push({
        property: "connection.brokers",
        reason: `expected a non-empty list of "host:port" reachable from where pulumi runs (apphub-streaming:kafka.brokers), got ${describe(brokers)}`,
      });
    } else {
      for (const broker of brokers) {
        if (isUnknown(broker)) continue;
        const problem =
          typeof broker === "string"
            ? brokerAddressProblem(broker)
            : `expected "host:port", got ${describe(broker)}`;
        if (problem) failures.push({ property: "connection.brokers", reason: problem });
      }
    }
  }
  if (!isUnknown(clientId) && (typeof clientId !== "string" || clientId.length === 0)) {
    failures.push({
      property: "connection.clientId",
      reason: `expected a non-empty client id, got ${describe(clientId)}`,
    });
  }
  for (const [key, value] of [
    ["connectTimeoutMs", connectTimeoutMs],
    ["requestTimeoutMs", requestTimeoutMs],
  ] as const) {
    if (!isUnknown(value) && !positiveInteger(value, 2 ** 31 - 1)) {
      failures.push({
        property: `connection.${key}`,
        reason: `expected a whole number of milliseconds of at least 1, got ${describe(value)}`,
      });
    }
  }
  if (
    !isUnknown(tls) &&
    !(
      isRecord(tls) &&
      typeof tls.enabled === "boolean" &&
      typeof tls.rejectUnauthorized === "boolean" &&
      (tls.ca === undefined || isUnknown(tls.ca) || typeof tls.ca === "string")
    )
  ) {
    failures.push({
      property: "connection.tls",
      reason: `expected { enabled: boolean, rejectUnauthorized: boolean, ca?: PEM string }, got ${describe(tls)}`,
    });
  }
  if (sasl !== undefined && !isUnknown(sasl)) {
    const saslFailure = isRecord(sasl)
      ? (saslMechanismProblem(sasl.mechanism) ?? saslUsernameProblem(sasl.username))
      : `expected { mechanism, username }, got ${describe(sasl)}`;
    if (saslFailure) failures.push({ property: "connection.sasl", reason: saslFailure });
    const passwordFailure = isUnknown(saslPassword) ? undefined : saslPasswordProblem(saslPassword);
    if (passwordFailure) failures.push({ property: "saslPassword", reason: passwordFailure });
  }
  return failures;
}

export function validateTopicInputs(inputs: Record<string, unknown>): InputFailure[] {
  const failures = [...validateTopicFields(inputs), ...validateConnectionFields(inputs)];
  if (!isUnknown(inputs.providerVersion) && typeof inputs.providerVersion !== "string") {
    failures.push({
      property: "providerVersion",
      reason: `expected a string, got ${describe(inputs.providerVersion)}`,
    });
  }
  return failures;
}
