/**
 * Every rule on topics, brokers, Kafka clients and backups, written once. The stack config
 * schema (`schema.ts`), the dynamic provider's `check` and the `TopicBootstrap` component
 * (`src/topics/validate.ts`), the backup job's settings (`src/backup/settings.ts`) and the CLIs
 * all call these functions and bounds, so a value is judged the same way wherever it comes from.
 *
 * Each rule returns undefined for a good value, else one sentence: what was expected and what
 * was got. Pure, and it imports nothing but `values.ts`: the provider process and the backup
 * image load it without the rest of the program.
 */

import { describeValue as describe } from "./values";

// --- topic names (Kafka's `Topic.validate`) ---

export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;
export const MAX_TOPIC_NAME_LENGTH = 249;

export function topicNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0)
    return `expected a non-empty topic name, got ${describe(name)}`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `expected a topic name of at most ${MAX_TOPIC_NAME_LENGTH} characters, got ${name.length}`;
  }
  if (!TOPIC_NAME_PATTERN.test(name)) {
    return `expected a topic name of ASCII letters, digits, '.', '_' and '-' only, got ${describe(name)}`;
  }
  if (name === "." || name === "..")
    return `expected a topic name other than "." or "..", got ${describe(name)}`;
  return undefined;
}

/** Kafka refuses two topics whose names differ only by '.' versus '_' (their metric names collide). */
export function metricName(topic: string): string {
  return topic.replaceAll(".", "_");
}

// --- partitions and replication ---

/**
 * Partition replicas one CPU core (Redpanda shard) may hold: Redpanda's
 * `topic_partitions_per_shard`. Its default is 1000 in the releases this program deploys
 * (5000 in later ones); topic creation fails beyond it.
 */
export const PARTITION_REPLICAS_PER_CORE = 1000;

/**
 * Upper bound on one topic's partition count when nothing is known about the cluster (the
 * provider's `check` on inputs from state, the topics CLI): Redpanda's
 * `topic_partitions_per_shard` cannot be set above 131072 and a Redpanda broker runs at most
 * a few hundred shards, so no cluster this program deploys admits more partitions than this
 * for one topic; Kafka's own wire limit (INT32) is far above it. The stack config applies the
 * tighter, cluster-derived bound of {@link maxPartitions}.
 */
export const MAX_PARTITIONS = 131_072;

/** Kafka's wire type for a replication factor is INT16. */
export const MAX_REPLICATION_FACTOR = 32_767;

export interface ClusterCapacity {
  brokers: number;
  /** CPU cores per broker (`--smp`): one shard each. */
  coresPerBroker: number;
}

/**
 * The most partitions a topic with `replicationFactor` replicas can have on a cluster at
 * Redpanda's defaults: its replicas must fit into brokers × cores × partition replicas per core.
 */
export function maxPartitions(capacity: ClusterCapacity, replicationFactor: number): number {
  const replicaSlots = capacity.brokers * capacity.coresPerBroker * PARTITION_REPLICAS_PER_CORE;
  return Math.min(MAX_PARTITIONS, Math.floor(replicaSlots / Math.max(1, replicationFactor)));
}

const isWholeNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value);

export function partitionsProblem(
  value: unknown,
  limit: { max: number; why: string } = {
    max: MAX_PARTITIONS,
    why: "Redpanda's largest partitions-per-core setting",
  },
): string | undefined {
  if (!isWholeNumber(value) || value < 1)
    return `expected a whole number of partitions of at least 1, got ${describe(value)}`;
  if (value > limit.max)
    return `expected at most ${limit.max} partitions (${limit.why}), got ${value}`;
  return undefined;
}

/** `brokerCount`: when known, a replication factor above it cannot be placed. */
export function replicationFactorProblem(
  value: unknown,
  brokerCount?: { count: number; of: string },
): string | undefined {
  if (!isWholeNumber(value) || value < 1 || value > MAX_REPLICATION_FACTOR) {
    return `expected a whole replication factor of at least 1, got ${describe(value)}`;
  }
  if (brokerCount !== undefined && value > brokerCount.count) {
    return `expected a replication factor of at most ${brokerCount.count} (the broker count of this ${brokerCount.of}), got ${value}`;
  }
  return undefined;
}

// --- sizes and durations ---

/**
 * Kafka's wire type for timeouts and most counts is INT32, and Node's timers cannot wait
 * longer either (a larger delay fires at once): the upper bound of every whole-number setting
 * that has no tighter one.
 */
export const MAX_INT32 = 2_147_483_647;

/**
 * Brokers of one cluster: the backup job addresses pods `<prefix>-0` .. `-98`
 * (BACKUP_BROKER_COUNT); a larger cluster needs its PDB, NodePort range and backup schedule
 * reviewed before this bound is raised.
 */
export const MAX_BROKERS = 99;

/** CPU cores (`--smp` shards) per broker: a bound against typos that keeps the memory sizing arithmetic finite. */
export const MAX_CORES_PER_BROKER = 256;

// --- backups (the stack config and the backup job's own settings parser share these) ---

/** Hours between full snapshots: at least every run may chain, at most a year (the job refuses more). */
export const BACKUP_FULL_EVERY_HOURS = { min: 1, max: 24 * 365 } as const;
/** Parallel S3 transfers of one backup run. */
export const BACKUP_CONCURRENCY = { min: 1, max: 64 } as const;

/**
 * S3 addressing when `forcePathStyle` is not set: path-style for a custom endpoint (MinIO and
 * most S3-compatible servers have no per-bucket DNS), virtual-hosted on AWS.
 */
export const pathStyleByDefault = (endpoint: string | undefined): boolean => endpoint !== undefined;

// --- retention ---

/** `retention.ms` is an INT64 on the broker; past 2^53 a JavaScript number is no longer exact. */
export const MAX_RETENTION_MS = Number.MAX_SAFE_INTEGER;
const RETENTION_EXPECTED =
  "expected -1 (keep forever) or a positive integer number of milliseconds";

/** Retention as stack config writes it: a number. */
export function retentionMsProblem(value: unknown): string | undefined {
  if (!isWholeNumber(value) || (value !== -1 && value < 1) || value > MAX_RETENTION_MS) {
    return `${RETENTION_EXPECTED}, got ${describe(value)}`;
  }
  return undefined;
}

/** Retention as the broker stores it (and the provider receives it): a string. */
export function retentionConfigProblem(value: unknown): string | undefined {
  const text = typeof value === "string" ? value.trim() : "";
  if (/^(-1|[1-9][0-9]*)$/.test(text) && retentionMsProblem(Number(text)) === undefined)
    return undefined;
  return `expected "-1" (keep forever) or a positive whole number of milliseconds as a string, got ${describe(value)}`;
}

// --- deletion policy ---

export type DeletionPolicy = "retain" | "delete";
export const DELETION_POLICIES: readonly DeletionPolicy[] = ["retain", "delete"];

export function deletionPolicyProblem(value: unknown): string | undefined {
  return DELETION_POLICIES.includes(value as DeletionPolicy)
    ? undefined
    : `expected "retain" or "delete", got ${describe(value)}`;
}

// --- SASL ---

/** SCRAM as Redpanda's listeners and `rpk` spell it. */
export const SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];
/** A SCRAM mechanism as a Kafka client (kafkajs, `kafka.sasl.mechanism`) spells it. */
export const clientMechanism = (mechanism: ScramMechanism) =>
  mechanism.toLowerCase() as Lowercase<ScramMechanism>;

export const SASL_MECHANISMS = ["plain", ...SCRAM_MECHANISMS.map(clientMechanism)] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export function saslMechanismProblem(value: unknown): string | undefined {
  return SASL_MECHANISMS.includes(value as SaslMechanism)
    ? undefined
    : `expected ${SASL_MECHANISMS.map((mechanism) => `"${mechanism}"`).join(", ")}, got ${describe(value)}`;
}

export function scramMechanismProblem(value: unknown): string | undefined {
  return SCRAM_MECHANISMS.includes(value as ScramMechanism)
    ? undefined
    : `expected ${SCRAM_MECHANISMS.map((mechanism) => `"${mechanism}"`).join(" or ")}, got ${describe(value)}`;
}

/** A SCRAM user Redpanda creates: its name goes into `user:password:mechanism` and ACL principals. */
export const SCRAM_USERNAME_PATTERN = /^[A-Za-z0-9._-]+$/;

export function scramUsernameProblem(value: unknown): string | undefined {
  return typeof value === "string" && SCRAM_USERNAME_PATTERN.test(value)
    ? undefined
    : `expected a user name of letters, digits and ._-, got ${describe(value)}`;
}

export function saslUsernameProblem(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0
    ? undefined
    : `expected a non-empty user name, got ${describe(value)}`;
}

/** A SASL user needs its password; only a Pulumi secret (`kafkaSaslPassword`) may hold it. */
export function saslPasswordProblem(password: unknown): string | undefined {
  return typeof password === "string" && password.length > 0
    ? undefined
    : "expected the SASL password (apphub-streaming:kafkaSaslPassword, a Pulumi secret) because kafka.sasl is set";
}

// --- broker addresses ---

const HOST_PORT = /^[^\s:,]+:([0-9]{1,5})$/;

/** Why `broker` is not a usable `host:port`, or undefined when it is. */
export function brokerAddressProblem(broker: unknown): string | undefined {
  const match = typeof broker === "string" ? HOST_PORT.exec(broker) : null;
  if (!match) return `expected "host:port", e.g. "127.0.0.1:19092", got ${describe(broker)}`;
  const port = Number(match[1]);
  if (port < 1 || port > 65535)
    return `expected a port between 1 and 65535, got ${describe(broker)}`;
  return undefined;
}

/** Comma-separated `host:port` list (`APPHUB_STREAM_BROKER_URL`, `--brokers`) → entries. */
export function parseBrokerList(text: string): string[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** Problems of a comma-separated broker list; one for an empty list. */
export function brokerListProblems(text: string): string[] {
  const brokers = parseBrokerList(text);
  if (brokers.length === 0) return [`expected comma-separated "host:port", got ${describe(text)}`];
  return brokers
    .map(brokerAddressProblem)
    .filter((problem): problem is string => problem !== undefined);
}

const WILDCARD_ADDRESSES = new Set(["0.0.0.0", "::", "[::]"]);
const LOOPBACK_HOST = /^(localhost|127\.[0-9.]+|::1|\[::1\]|0\.0\.0\.0)$/i;

/**
 * The address a process on the same host dials for a listener published on `bindAddress`:
 * a wildcard (`0.0.0.0`, `::`) listens on every interface, loopback included, but is not an
 * address to connect to.
 */
export function dialableHost(bindAddress: string): string {
  return WILDCARD_ADDRESSES.has(bindAddress) ? "127.0.0.1" : bindAddress;
}

/** True for `localhost`, `127.x` and the wildcard: inside a pod, any of them is the pod itself. */
export function isLoopbackBroker(broker: string): boolean {
  return LOOPBACK_HOST.test(broker.slice(0, broker.lastIndexOf(":")));
}

// --- Kafka users and their ACLs (apphub-streaming:users) ---

/** What an ACL entry of a user grants access to (Kafka's resource types, as stack config spells them). */
export const ACL_RESOURCE_TYPES = ["topic", "group", "cluster", "transactionalId"] as const;
export type AclResourceType = (typeof ACL_RESOURCE_TYPES)[number];

/** `literal`: the resource of exactly that name (or `*`, every one); `prefixed`: every resource whose name starts with it. */
export const ACL_PATTERNS = ["literal", "prefixed"] as const;
export type AclPattern = (typeof ACL_PATTERNS)[number];

/** Kafka's ACL operations (the ones Redpanda serves too), as stack config spells them. */
export const ACL_OPERATIONS = [
  "all",
  "read",
  "write",
  "create",
  "delete",
  "alter",
  "describe",
  "clusterAction",
  "describeConfigs",
  "alterConfigs",
  "idempotentWrite",
] as const;
export type AclOperation = (typeof ACL_OPERATIONS)[number];

/**
 * The operations that mean something on each resource type: Apache Kafka's
 * `AclEntry.supportedOperations` (4.4) cut to what Redpanda serves, plus `all`. A grant outside
 * this table would be stored by the broker and never used, so the stack refuses it.
 */
export const ACL_OPERATIONS_BY_RESOURCE: Readonly<
  Record<AclResourceType, readonly AclOperation[]>
> = {
  topic: [
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "describeConfigs",
    "alterConfigs",
  ],
  group: ["all", "read", "describe", "delete"],
  cluster: [
    "all",
    "create",
    "alter",
    "describe",
    "clusterAction",
    "describeConfigs",
    "alterConfigs",
    "idempotentWrite",
  ],
  transactionalId: ["all", "write", "describe"],
};

/** The one name a cluster ACL can carry (Redpanda refuses any other). */
export const ACL_CLUSTER_NAME = "kafka-cluster";

/** The principal that matches every user (and, on Redpanda, the unauthenticated clients of a listener without SASL). */
export const WILDCARD_USER = "*";

export function aclOperationProblem(
  resourceType: AclResourceType,
  operation: unknown,
): string | undefined {
  const allowed = ACL_OPERATIONS_BY_RESOURCE[resourceType];
  if (allowed.includes(operation as AclOperation)) return undefined;
  const known = ACL_OPERATIONS.includes(operation as AclOperation);
  return `expected an operation on a ${resourceType} (${allowed.join(", ")}), got ${describe(operation)}${known ? `: ${String(operation)} means nothing on a ${resourceType}` : ""}`;
}

/** Group and transactional ids are free-form in Kafka; printable ASCII without spaces keeps them readable in a stack file. */
const ACL_FREE_NAME = /^[\x21-\x7e]{1,255}$/;

/** The resource name of an ACL entry: a topic name (or prefix), a group or transactional id (or prefix), or `*` (literal only). */
export function aclResourceNameProblem(
  resourceType: AclResourceType,
  name: unknown,
  pattern: AclPattern,
): string | undefined {
  if (resourceType === "cluster")
    return name === ACL_CLUSTER_NAME
      ? undefined
      : `expected the cluster resource ${describe(ACL_CLUSTER_NAME)}, got ${describe(name)}`;
  if (name === WILDCARD_USER)
    return pattern === "literal"
      ? undefined
      : `expected a name prefix, got "*" with pattern prefixed (use pattern literal for every ${resourceType})`;
  if (resourceType === "topic") {
    if (pattern === "literal") return topicNameProblem(name);
    return typeof name === "string" &&
      name.length <= MAX_TOPIC_NAME_LENGTH &&
      TOPIC_NAME_PATTERN.test(name)
      ? undefined
      : `expected a topic name prefix of ASCII letters, digits, '.', '_' and '-', got ${describe(name)}`;
  }
  return typeof name === "string" && ACL_FREE_NAME.test(name)
    ? undefined
    : `expected a ${resourceType} ${pattern === "prefixed" ? "prefix" : "name"} of 1-255 printable ASCII characters without spaces, got ${describe(name)}`;
}

/**
 * A managed user's password: Redpanda splits `user:password:mechanism` on every ':' (its
 * bootstrap user is silently not created), and control characters are refused by its Admin API.
 */
export function scramPasswordProblem(password: unknown): string | undefined {
  if (typeof password !== "string" || password.length === 0)
    return "expected a non-empty password string";
  if (password.includes(":"))
    return "expected a password without ':' (Redpanda splits user:password:mechanism on ':' and then creates no user)";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(password)) return "expected a password without control characters";
  return undefined;
}

/** How often a user's password may be rotated by counter: any whole number from 0. */
export function rotateProblem(value: unknown): string | undefined {
  return isWholeNumber(value) && value >= 0 && value <= MAX_INT32
    ? undefined
    : `expected a whole number from 0 (raise it by one to rotate the password), got ${describe(value)}`;
}

/** A user's SCRAM mechanism as stack config (and kafkajs) spells it. */
export const SCRAM_CLIENT_MECHANISMS = SCRAM_MECHANISMS.map(clientMechanism);
export type ScramClientMechanism = (typeof SCRAM_CLIENT_MECHANISMS)[number];

export function scramClientMechanismProblem(value: unknown): string | undefined {
  return SCRAM_CLIENT_MECHANISMS.includes(value as ScramClientMechanism)
    ? undefined
    : `expected ${SCRAM_CLIENT_MECHANISMS.map((mechanism) => `"${mechanism}"`).join(" or ")}, got ${describe(value)}`;
}

/** `scram-sha-512` → `SCRAM-SHA-512`, as brokers and rpk spell it. */
export const brokerMechanism = (mechanism: ScramClientMechanism) =>
  SCRAM_MECHANISMS[SCRAM_CLIENT_MECHANISMS.indexOf(mechanism)] as ScramMechanism;
