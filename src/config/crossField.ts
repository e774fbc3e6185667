/**
 * Rules that relate several keys, on the resolved config: every default is already applied,
 * so no rule derives one again. `given` only tells which values the stack file set itself;
 * `profile` says what the environment allows.
 */
import { clusterConfigIssues } from "../cluster/validation";
import { CONFIG_NAMESPACE, keyPath, quoted, type ConfigIssue } from "./issues";
import { CLIENT_SERVICE_BROKER, ENVIRONMENTS, PROFILES, type Profile } from "./profiles";
import {
  brokerListProblems,
  isLoopbackBroker,
  maxPartitions,
  metricName,
  parseBrokerList,
  PARTITION_REPLICAS_PER_CORE,
  partitionsProblem,
  replicationFactorProblem,
  topicNameProblem,
} from "./rules";
import { USER_SECRET_PREFIX } from "../users/model";
import type { StackConfig, StackInput } from "./schema";

export function crossFieldIssues(
  config: StackConfig,
  given: StackInput,
  profile: Profile,
): ConfigIssue[] {
  return [
    ...topicIssues(config, profile),
    ...clusterIssues(config, profile),
    ...placementIssues(config, given, profile),
    ...streamingIssues(config, given, profile),
    ...(profile.platform === "docker" ? devPortIssues(config) : []),
    ...backupIssues(config),
    ...userIssues(config, profile),
  ];
}

/** Names, replication and partitions against this environment's brokers and cores; one role each; a probe topic of its own. */
function topicIssues(config: StackConfig, profile: Profile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { brokerCount } = config;
  const cores =
    profile.coresPerBroker === "cluster.cpu" ? config.cluster.cpu : profile.coresPerBroker;
  for (const topic of config.topics) {
    const nameProblem = topicNameProblem(topic.name);
    if (nameProblem) issues.push({ key: keyPath(["topics", topic.name]), message: nameProblem });
    const replication = replicationFactorProblem(topic.replicationFactor, {
      count: brokerCount,
      of: config.environment,
    });
    if (replication)
      issues.push({
        key: keyPath(["topics", topic.name, "replicationFactor"]),
        message: replication,
      });
    // An external cluster's cores are unknown: only the absolute bound applies there.
    const partitions =
      cores === "unknown"
        ? partitionsProblem(topic.partitions)
        : partitionsProblem(topic.partitions, {
            max: maxPartitions(
              { brokers: brokerCount, coresPerBroker: cores },
              topic.replicationFactor,
            ),
            why: `${brokerCount} broker(s) × ${cores} core(s) × ${PARTITION_REPLICAS_PER_CORE} partition replicas per core (Redpanda's topic_partitions_per_shard) ÷ replication ${topic.replicationFactor}`,
          });
    if (partitions)
      issues.push({ key: keyPath(["topics", topic.name, "partitions"]), message: partitions });
  }

  const collisions = new Map<string, string>();
  for (const { name } of config.topics) {
    const other = collisions.get(metricName(name));
    if (other !== undefined) {
      issues.push({
        key: keyPath(["topics", name]),
        message: `collides with "${other}": Kafka treats '.' and '_' as the same in metric names`,
      });
    }
    collisions.set(metricName(name), name);
  }

  const roleOwners = new Map<string, string>();
  for (const { name, role } of config.topics) {
    if (role === undefined) continue;
    const owner = roleOwners.get(role);
    if (owner !== undefined) {
      issues.push({
        key: keyPath(["topics", name, "role"]),
        message: `expected each role at most once, but "${role}" is already the role of "${owner}"`,
      });
    }
    roleOwners.set(role, name);
  }

  if (config.topics.some((topic) => topic.name === config.probeTopic)) {
    issues.push({
      key: keyPath(["probeTopic"]),
      message: `expected a dedicated topic outside the catalog, got the domain topic "${config.probeTopic}"`,
    });
  }
  return issues;
}

/** Shared-CPU switches where CPUs are dedicated; the cluster section's own rules on Kubernetes. */
function clusterIssues(config: StackConfig, profile: Profile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (profile.dedicatedCpu) {
    for (const flag of ["overprovisioned", "developerMode"] as const) {
      if (config.cluster[flag]) {
        issues.push({
          key: keyPath(["cluster", flag]),
          message: `expected false in ${config.environment}: it is only for shared CPUs (dev, minikube) and weakens durability and latency guarantees`,
        });
      }
    }
  }
  if (profile.platform === "kubernetes") {
    issues.push(
      ...clusterConfigIssues(config.cluster).map((issue) => ({
        key: keyPath(issue.path),
        message: issue.message,
      })),
    );
  }
  return issues;
}

/** The environments whose broker count is `kafka.brokerCount`. */
const KAFKA_BROKER_COUNT_ENVIRONMENTS = ENVIRONMENTS.filter((name) => {
  const source = PROFILES[name].brokerCount;
  return "key" in source && source.key === "kafka.brokerCount";
});

/** What the environment deploys and where `pulumi up` reaches the brokers. */
function placementIssues(config: StackConfig, given: StackInput, profile: Profile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { environment } = config;
  if (profile.bootstrapBrokers === "required" && given.kafka?.brokers === undefined) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message: `is required with environment ${environment}: expected the "host:port" list where pulumi up reaches the cluster`,
    });
  }
  for (const refused of profile.refusedSections) {
    if (given[refused] !== undefined) {
      issues.push({
        key: keyPath([refused]),
        message: `expected no value with environment ${environment}: this program deploys no brokers there`,
      });
    }
  }
  if (!profile.backup.allowed && given.backup?.enabled === true) {
    issues.push({
      key: keyPath(["backup", "enabled"]),
      message: `expected false with environment ${environment}: snapshots copy the data directories of brokers this program runs; back up an external cluster with its own tooling`,
    });
  }
  if (
    profile.appBrokers === "kafkaBrokers" &&
    given.streaming?.enabled === true &&
    given.streaming.brokerUrl === undefined
  ) {
    issues.push({
      key: keyPath(["streaming", "brokerUrl"]),
      message: `is required with environment ${environment} when streaming is enabled: expected the comma-separated "host:port" list the core and timestore pods use`,
    });
  }
  const brokerSource = profile.brokerCount;
  if (
    given.kafka?.brokerCount !== undefined &&
    !("key" in brokerSource && brokerSource.key === "kafka.brokerCount")
  ) {
    issues.push({
      key: keyPath(["kafka", "brokerCount"]),
      message: `expected no value outside environment ${KAFKA_BROKER_COUNT_ENVIRONMENTS.join(", ")}: the ${environment} broker count is ${"fixed" in brokerSource ? brokerSource.fixed : `${CONFIG_NAMESPACE}:${brokerSource.key}`}`,
    });
  }
  // The topic bootstrap runs wherever `pulumi up` runs, so it needs an address for every broker.
  if (
    profile.bootstrapBrokers === "externalListener" &&
    config.kafka.brokers === undefined &&
    !config.cluster.external.enabled
  ) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message: `is required on Kubernetes stacks unless ${CONFIG_NAMESPACE}:cluster.external.enabled is true: expected the host:port list where pulumi up reaches every broker`,
    });
  }
  return issues;
}

/** Mirrors need streaming on and a topic with their role; the pods' broker list must be dialable from a pod. */
function streamingIssues(config: StackConfig, given: StackInput, profile: Profile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const streaming = config.streaming;
  const roles = new Set(config.topics.map((topic) => topic.role));
  for (const [mirror, on] of Object.entries(streaming.mirrors)) {
    if (!on) continue;
    if (!streaming.enabled) {
      issues.push({
        key: keyPath(["streaming", "mirrors", mirror]),
        message: `expected false while ${CONFIG_NAMESPACE}:streaming.enabled is false: a mirror needs streaming on`,
      });
    } else if (!roles.has(mirror as (typeof config.topics)[number]["role"])) {
      issues.push({
        key: keyPath(["streaming", "mirrors", mirror]),
        message: `expected a topic with role "${mirror}" in ${CONFIG_NAMESPACE}:topics: the mirror writes to it and the catalog has none`,
      });
    }
  }
  if (streaming.enabled && given.streaming?.brokerUrl !== undefined) {
    const problems = brokerListProblems(streaming.brokerUrl);
    if (problems.length > 0) {
      issues.push({
        key: keyPath(["streaming", "brokerUrl"]),
        message: `expected comma-separated "host:port" broker addresses when streaming is enabled: ${problems.join("; ")}`,
      });
    }
    // AppHub runs on the host only next to the dev stack; anywhere else it runs in pods.
    const loopback =
      profile.appBrokers !== "devListener"
        ? parseBrokerList(streaming.brokerUrl).find(isLoopbackBroker)
        : undefined;
    if (loopback !== undefined) {
      issues.push({
        key: keyPath(["streaming", "brokerUrl"]),
        message: `expected an address the core and timestore pods can reach, such as "${CLIENT_SERVICE_BROKER}", got ${quoted(loopback)}: inside a pod, loopback is the pod itself`,
      });
    }
  }
  return issues;
}

/** Every published host port of the dev stack is its own. */
function devPortIssues(config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const dev = config.dev;
  const hostPorts: [string[], number][] = [
    [["dev", "kafkaPort"], dev.kafkaPort],
    [["dev", "adminPort"], dev.adminPort],
    [["dev", "httpProxyPort"], dev.httpProxyPort],
    ...(dev.console.enabled
      ? [[["dev", "console", "port"], dev.console.port] as [string[], number]]
      : []),
    ...(dev.sequencer.enabled
      ? [[["dev", "sequencer", "port"], dev.sequencer.port] as [string[], number]]
      : []),
  ];
  const portOwners = new Map<number, string>();
  for (const [path, hostPort] of hostPorts) {
    const other = portOwners.get(hostPort);
    if (other !== undefined) {
      issues.push({
        key: keyPath(path),
        message: `expected a host port of its own, got ${hostPort}, already used by ${CONFIG_NAMESPACE}:${other}`,
      });
    } else {
      portOwners.set(hostPort, path.join("."));
    }
  }
  return issues;
}

function backupIssues(config: StackConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const backup = config.backup;
  if (backup.retentionDays * 24 <= backup.fullEveryHours) {
    issues.push({
      key: keyPath(["backup", "retentionDays"]),
      message: `expected more than ${backup.fullEveryHours / 24} day(s) (backup.fullEveryHours), or every incremental chain would expire before its next full snapshot, got ${backup.retentionDays}`,
    });
  }
  if (backup.enabled && backup.bucketName === "") {
    issues.push({
      key: keyPath(["backup", "bucketName"]),
      message: "is required when backups are enabled: expected an S3 bucket name",
    });
  }
  return issues;
}

/** A Kubernetes object name (DNS-1123 subdomain): each user's Secret is named after the user. */
const KUBE_OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Users (their names are the schema's): a Secret name each on Kubernetes; never the stack's own bootstrap user
 * (its password is kafkaSaslPassword); on Redpanda an Admin API to write them through.
 */
function userIssues(config: StackConfig, profile: Profile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const bootstrapUsers = new Set(
    [
      config.kafka.sasl?.username,
      profile.platform === "kubernetes" && config.cluster.external.sasl.enabled
        ? config.cluster.external.sasl.username
        : undefined,
    ].filter((name): name is string => name !== undefined),
  );
  for (const user of config.users) {
    const key = keyPath(["users", user.name]);
    const secretName = `${USER_SECRET_PREFIX}${user.name}`;
    if (
      profile.platform === "kubernetes" &&
      (!KUBE_OBJECT_NAME.test(secretName) || secretName.length > 253)
    ) {
      issues.push({
        key,
        message: `expected a user name of lower-case letters, digits, '-' and '.' on Kubernetes stacks: its Secret is named ${quoted(secretName)}`,
      });
    }
    if (bootstrapUsers.has(user.name)) {
      issues.push({
        key,
        message: `expected a user other than the stack's bootstrap user ${quoted(user.name)}: its password is ${CONFIG_NAMESPACE}:kafkaSaslPassword (set kafka.sasl.managePassword to have pulumi up apply it)`,
      });
    }
  }
  if (config.kafka.sasl?.managePassword && config.kafka.sasl.mechanism === "plain") {
    issues.push({
      key: keyPath(["kafka", "sasl", "managePassword"]),
      message: "expected false with mechanism plain: pulumi up manages SCRAM credentials only",
    });
  }
  // Redpanda has no KIP-554 APIs: its users are written through the Admin API, which is in-cluster.
  if (
    profile.platform === "kubernetes" &&
    config.users.length > 0 &&
    config.kafka.adminUrls === undefined
  ) {
    issues.push({
      key: keyPath(["kafka", "adminUrls"]),
      message: `is required on Kubernetes stacks with ${CONFIG_NAMESPACE}:users: Redpanda writes SCRAM users only through its Admin API (port 9644, in-cluster), so give the URL of every broker's Admin API as pulumi up reaches it, e.g. "http://127.0.0.1:19644" after kubectl -n ${config.namespace} port-forward pod/<broker> 19644:9644 (docs/security.md)`,
    });
  }
  return issues;
}
