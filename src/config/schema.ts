/**
 * The stack config surface: everything under `apphub-streaming:` in `Pulumi.<stack>.yaml`.
 *
 * `parseStackConfig` is pure: it takes the raw key → value map and returns either a fully
 * resolved `StackConfig` (every default applied) or every problem at once, each naming its
 * full key path and what was expected. Nothing is declared and no broker is contacted
 * before this has passed.
 */
import { z } from "zod";
import { DEFAULT_PROBE_TOPIC, SEED_TOPICS, TOPIC_ROLES, type TopicRole } from "../topics/catalog";
import { clusterConfigIssues } from "../cluster/validation";

export const CONFIG_NAMESPACE = "apphub-streaming";
/**
 * `dev`: the local Docker stack; `minikube` / `prod`: the Redpanda StatefulSet on Kubernetes;
 * `external`: an existing Redpanda or Kafka cluster this program does not deploy (Redpanda Cloud,
 * an operator-managed cluster, the dev broker) — only the topic catalog and the env injection.
 */
export const ENVIRONMENTS = ["dev", "minikube", "prod", "external"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Config keys that hold credentials. They are read with `config.getSecret` (so they stay
 * Pulumi secrets end to end) and are deliberately not part of the zod-validated object.
 */
export const SECRET_KEYS = ["kafkaSaslPassword", "backupSecretAccessKey", "sequencerDbPassword"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

const KAFKA_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;
const KUBE_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST_PORT = /^[^\s:,]+:[0-9]{1,5}$/;
const LOOPBACK_HOST_PORT = /^(localhost|127\.[0-9.]+|0\.0\.0\.0):[0-9]+$/i;
const CRON = /^(\S+\s+){4}\S+$/;

const positiveInt = (what = "a positive integer") =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const port = z
  .number({ error: "expected a TCP port (1-65535)" })
  .int({ error: "expected a TCP port (1-65535)" })
  .min(1, { error: "expected a TCP port (1-65535)" })
  .max(65535, { error: "expected a TCP port (1-65535)" });
const bool = z.boolean({ error: "expected true or false" });
const quantity = (example: string) =>
  z.string({ error: `expected a Kubernetes quantity such as "${example}"` }).regex(KUBE_QUANTITY, {
    error: `expected a Kubernetes quantity such as "${example}"`,
  });
const hostPort = z
  .string({ error: 'expected "host:port"' })
  .regex(HOST_PORT, { error: 'expected "host:port", e.g. "127.0.0.1:19092"' });
const dnsLabel = z
  .string({ error: "expected a DNS-1123 label (lower-case letters, digits, '-')" })
  .max(63, { error: "expected a DNS-1123 label of at most 63 characters" })
  .regex(DNS_LABEL, { error: "expected a DNS-1123 label (lower-case letters, digits, '-')" });
const labels = z.record(z.string(), z.string({ error: "expected a string label value" }), {
  error: "expected a map of label name to value",
});

export const topicNameSchema = z
  .string({ error: "expected a topic name" })
  .min(1, { error: "expected a non-empty topic name" })
  .max(MAX_TOPIC_NAME_LENGTH, { error: `expected a topic name of at most ${MAX_TOPIC_NAME_LENGTH} characters` })
  .regex(KAFKA_TOPIC_NAME, { error: "expected a topic name of ASCII letters, digits, '.', '_' and '-' only" })
  .refine((name) => name !== "." && name !== "..", { error: 'expected a topic name other than "." or ".."' });

export const retentionSchema = z
  .number({ error: "expected -1 (keep forever) or a positive integer number of milliseconds" })
  .int({ error: "expected -1 (keep forever) or a positive integer number of milliseconds" })
  .refine((ms) => ms === -1 || ms > 0, {
    error: "expected -1 (keep forever) or a positive integer number of milliseconds",
  });

/** Topic config values are strings on the wire; numbers and booleans are accepted and stringified. */
const topicConfigValue = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a string, number or boolean config value",
});

const topicOverrideSchema = z.strictObject({
  partitions: positiveInt("a partition count of at least 1").optional(),
  replicationFactor: positiveInt("a replication factor of at least 1").optional(),
  retentionMs: retentionSchema.optional(),
  config: z.record(z.string(), topicConfigValue, { error: "expected a map of topic config name to value" }).optional(),
  /** `retain` (default): removing the topic from config only stops managing it. */
  deletionPolicy: z.enum(["retain", "delete"], { error: 'expected "retain" or "delete"' }).optional(),
  role: z.enum(TOPIC_ROLES, { error: `expected one of ${TOPIC_ROLES.join(", ")}` }).optional(),
});

const rawSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(", ")}` }),
  namespace: dnsLabel.optional(),
  /** null removes a seed topic from this stack's catalog (it stays on the broker). */
  topics: z.record(z.string(), topicOverrideSchema.nullable(), { error: "expected a map keyed by topic name" }).optional(),
  probeTopic: topicNameSchema.optional(),
  protectTopics: bool.optional(),
  kafka: z
    .strictObject({
      brokers: z.array(hostPort, { error: 'expected a list of "host:port"' }).min(1).optional(),
      clientId: z.string().min(1).optional(),
      /** Brokers of an external cluster (environment external): bounds and defaults topic replication. */
      brokerCount: positiveInt("a broker count of at least 1").optional(),
      connectTimeoutMs: positiveInt().optional(),
      requestTimeoutMs: positiveInt().optional(),
      tls: z.strictObject({ enabled: bool.optional(), rejectUnauthorized: bool.optional() }).optional(),
      sasl: z
        .strictObject({
          mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"], {
            error: 'expected "plain", "scram-sha-256" or "scram-sha-512"',
          }),
          username: z.string({ error: "expected a user name" }).min(1),
        })
        .optional(),
    })
    .optional(),
  cluster: z
    .strictObject({
      replicas: positiveInt("a broker count of at least 1").optional(),
      image: z.string().min(1).optional(),
      cpu: positiveInt("a whole number of CPU cores (it becomes --smp)").optional(),
      memory: quantity("4Gi").optional(),
      storageSize: quantity("10Gi").optional(),
      storageClass: z.string().min(1).optional(),
      overprovisioned: bool.optional(),
      developerMode: bool.optional(),
      antiAffinity: z.enum(["required", "preferred"], { error: 'expected "required" or "preferred"' }).optional(),
      zoneSpread: bool.optional(),
      terminationGracePeriodSeconds: positiveInt().optional(),
      startupTimeoutSeconds: positiveInt().optional(),
      appNamespaces: z.array(dnsLabel).optional(),
      appPodLabels: labels.optional(),
      monitoringNamespace: dnsLabel.optional(),
      prometheusRule: bool.optional(),
      prometheusRuleLabels: labels.optional(),
      backlogAlertSeconds: positiveInt().optional(),
      external: z
        .strictObject({
          enabled: bool.optional(),
          type: z.enum(["NodePort", "LoadBalancer"], { error: 'expected "NodePort" or "LoadBalancer"' }).optional(),
          basePort: port.optional(),
          advertisedHost: z.string().min(1).optional(),
          annotations: z.record(z.string(), z.string({ error: "expected a string annotation value" }), { error: "expected a map of annotation name to value" }).optional(),
        })
        .optional(),
    })
    .optional(),
  backup: z
    .strictObject({
      enabled: bool.optional(),
      bucketName: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: "expected an S3 bucket name (3-63 lower-case characters)" })
        .optional(),
      region: z.string().min(1).optional(),
      createBucket: bool.optional(),
      endpoint: z.url({ error: "expected an http(s) URL" }).optional(),
      forcePathStyle: bool.optional(),
      encryption: z.enum(["aws:kms", "AES256"], { error: 'expected "aws:kms" or "AES256"' }).optional(),
      prefix: z
        .string()
        .regex(/^\/*[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/*$/, {
          error: 'expected an S3 key prefix such as "redpanda" (letters, digits and !_.\'()- in "/"-separated segments; the IAM policy is scoped to it)',
        })
        .optional(),
      schedule: z.string().regex(CRON, { error: 'expected a five-field cron expression such as "0 * * * *"' }).optional(),
      fullEveryHours: positiveInt().optional(),
      retentionDays: positiveInt().optional(),
      noncurrentRetentionDays: positiveInt().optional(),
      image: z.string().min(1).optional(),
      roleArn: z.string().startsWith("arn:", { error: 'expected an IAM role ARN ("arn:...")' }).optional(),
      oidcProviderArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, {
          error: 'expected the EKS cluster\'s IAM OIDC provider ARN ("arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>")',
        })
        .optional(),
      accessKeyId: z.string().min(1).optional(),
    })
    .optional(),
  dev: z
    .strictObject({
      dataRoot: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      bindAddress: z
        .ipv4({ error: 'expected the IPv4 address to publish on, e.g. "127.0.0.1" (loopback) or "0.0.0.0" (every interface)' })
        .optional(),
      kafkaPort: port.optional(),
      adminPort: port.optional(),
      httpProxyPort: port.optional(),
      image: z.string().min(1).optional(),
      console: z.strictObject({ enabled: bool.optional(), port: port.optional(), image: z.string().min(1).optional() }).optional(),
      sequencer: z.strictObject({ enabled: bool.optional(), port: port.optional(), image: z.string().min(1).optional() }).optional(),
    })
    .optional(),
  streaming: z
    .strictObject({
      enabled: bool.optional(),
      mirrors: z
        .strictObject({
          workflowRuns: bool.optional(),
          workflowEvents: bool.optional(),
          jobRuns: bool.optional(),
          ingestion: bool.optional(),
          coreEvents: bool.optional(),
        })
        .optional(),
      brokerUrl: z.string().optional(),
      clientId: z.string().min(1).optional(),
      connectTimeoutMs: positiveInt().optional(),
      publishTimeoutMs: positiveInt().optional(),
      targets: z
        .record(dnsLabel, z.array(dnsLabel, { error: "expected a list of container names" }).min(1, { error: "expected at least one container name" }), {
          error: (issue) =>
            issue.code === "invalid_key" ? "expected a Deployment name (a DNS-1123 label)" : "expected a map of Deployment name to container names",
        })
        .optional(),
      sequencerSecret: z.strictObject({ name: dnsLabel, key: z.string().min(1) }).optional(),
    })
    .optional(),
});
type RawConfig = z.infer<typeof rawSchema>;

export type DeletionPolicy = "retain" | "delete";

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number;
  /** Other topic configs, values as the broker stores them (strings). */
  config: Record<string, string>;
  deletionPolicy: DeletionPolicy;
  role?: TopicRole;
}

export interface KafkaClientConfig {
  /** Where `pulumi up` / the topics CLI reach the brokers; undefined means "derive from the environment". */
  brokers?: string[];
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  tls: { enabled: boolean; rejectUnauthorized: boolean };
  sasl?: { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string };
}

export interface ClusterConfig {
  replicas: number;
  image: string;
  cpu: number;
  memory: string;
  storageSize: string;
  storageClass?: string;
  overprovisioned: boolean;
  developerMode: boolean;
  antiAffinity: "required" | "preferred";
  zoneSpread: boolean;
  terminationGracePeriodSeconds: number;
  /** How long a broker may take to open its admin API after (re)start, log recovery included. */
  startupTimeoutSeconds: number;
  appNamespaces: string[];
  appPodLabels: Record<string, string>;
  monitoringNamespace: string;
  prometheusRule: boolean;
  /** Labels the Prometheus Operator's ruleSelector matches (e.g. `release: kube-prometheus-stack`). */
  prometheusRuleLabels: Record<string, string>;
  backlogAlertSeconds: number;
  external: {
    enabled: boolean;
    type: "NodePort" | "LoadBalancer";
    basePort: number;
    advertisedHost?: string;
    /** Put on every per-broker external Service (e.g. an internal-load-balancer annotation). */
    annotations: Record<string, string>;
  };
}

export interface BackupConfig {
  enabled: boolean;
  bucketName: string;
  region: string;
  /** false: use an existing S3-compatible bucket (e.g. AppHub's MinIO at `endpoint`). */
  createBucket: boolean;
  endpoint?: string;
  forcePathStyle: boolean;
  encryption: "aws:kms" | "AES256";
  prefix: string;
  schedule: string;
  fullEveryHours: number;
  retentionDays: number;
  noncurrentRetentionDays: number;
  image: string;
  roleArn?: string;
  /** EKS IAM OIDC provider: the created backup role trusts the job's service account through it (IRSA). */
  oidcProviderArn?: string;
  accessKeyId?: string;
}

export interface DevConfig {
  dataRoot: string;
  bindAddress: string;
  kafkaPort: number;
  adminPort: number;
  httpProxyPort: number;
  image: string;
  console: { enabled: boolean; port: number; image: string };
  sequencer: { enabled: boolean; port: number; image: string };
}

export interface MirrorFlags {
  workflowRuns: boolean;
  workflowEvents: boolean;
  jobRuns: boolean;
  ingestion: boolean;
  coreEvents: boolean;
}

export interface StreamingConfig {
  enabled: boolean;
  mirrors: MirrorFlags;
  brokerUrl: string;
  clientId: string;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
  /** deployment name → names of the containers that run AppHub code */
  targets: Record<string, string[]>;
  sequencerSecret: { name: string; key: string };
}

export interface StackConfig {
  environment: Environment;
  namespace: string;
  /** Brokers in this environment: 1 in dev, `cluster.replicas` on Kubernetes. */
  brokerCount: number;
  topics: TopicSpec[];
  probeTopic: string;
  protectTopics: boolean;
  kafka: KafkaClientConfig;
  cluster: ClusterConfig;
  backup: BackupConfig;
  dev: DevConfig;
  streaming: StreamingConfig;
}

export interface ConfigIssue {
  /** Full key path, e.g. `apphub-streaming:topics.apphub.core.events.retentionMs`. */
  key: string;
  message: string;
}

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

/** The core and timestore deployments and their AppHub containers (SPEC, "Facts"). */
export const DEFAULT_STREAMING_TARGETS: Readonly<Record<string, readonly string[]>> = {
  "apphub-core-api": ["api", "module-services"],
  "apphub-core-ingest": ["worker"],
  "apphub-core-builds": ["worker"],
  "apphub-core-launches": ["worker"],
  "apphub-core-workflows": ["worker"],
  "apphub-core-materializer": ["worker"],
  "apphub-core-events": ["worker"],
  "apphub-core-triggers": ["worker"],
  "apphub-timestore-api": ["api"],
  "apphub-timestore-ingest": ["worker"],
  "apphub-timestore-partitions": ["worker"],
  "apphub-timestore-lifecycle": ["worker"],
};

export const REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.2.3";
export const CONSOLE_IMAGE = "docker.redpanda.com/redpandadata/console:v2.6.1";

export function keyPath(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}

/** Validates and resolves the raw config map (keys without the namespace prefix). */
export function parseStackConfig(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ParseResult {
  const values = Object.fromEntries(Object.entries(raw).filter(([key]) => !(SECRET_KEYS as readonly string[]).includes(key)));
  const parsed = rawSchema.safeParse(values, { reportInput: true });
  const issues: ConfigIssue[] = parsed.success ? [] : parsed.error.issues.map(toConfigIssue);
  // Cross-field rules run on the raw values too, so one report carries every problem.
  issues.push(...crossFieldIssues(values));
  if (!parsed.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };
  return { ok: true, config: resolve(parsed.data, env) };
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  if (issue.code === "unrecognized_keys") {
    return { key: keyPath([...issue.path, issue.keys.join(", ")]), message: "unknown key; see the README for the keys this program reads" };
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return { key: keyPath(issue.path), message: `is required: ${issue.message}` };
  }
  return { key: keyPath(issue.path), message: `${issue.message}, got ${describe(issue.input)}` };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const id = `${issue.key}\u0000${issue.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
const isEnvironment = (value: unknown): value is Environment => ENVIRONMENTS.includes(value as Environment);

/** Brokers of the external cluster when `kafka.brokerCount` does not say: a production-shaped cluster. */
export const EXTERNAL_DEFAULT_BROKER_COUNT = 3;

function brokerCountOf(raw: Record<string, unknown>): number {
  if (raw.environment === "dev") return 1;
  if (raw.environment === "external") {
    const count = get(raw, "kafka", "brokerCount");
    return typeof count === "number" && Number.isInteger(count) && count >= 1 ? count : EXTERNAL_DEFAULT_BROKER_COUNT;
  }
  const replicas = get(raw, "cluster", "replicas");
  return typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 1 ? replicas : 3;
}

function crossFieldIssues(raw: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const environment = isEnvironment(raw.environment) ? raw.environment : undefined;
  const brokerCount = brokerCountOf(raw);
  const topics = isRecord(raw.topics) ? raw.topics : {};

  for (const [name, override] of Object.entries(topics)) {
    const nameCheck = topicNameSchema.safeParse(name);
    if (!nameCheck.success) {
      issues.push({ key: keyPath(["topics", name]), message: `${nameCheck.error.issues[0]?.message ?? "invalid topic name"}, got ${describe(name)}` });
    }
    const replication = get(override, "replicationFactor");
    if (typeof replication === "number" && Number.isInteger(replication) && replication > brokerCount) {
      issues.push({
        key: keyPath(["topics", name, "replicationFactor"]),
        message: `expected a replication factor of at most ${brokerCount} (the broker count of this ${environment ?? "stack"}), got ${replication}`,
      });
    }
  }

  const catalogNames = [
    ...SEED_TOPICS.map((topic) => topic.name).filter((name) => topics[name] !== null),
    ...Object.keys(topics).filter((name) => topics[name] !== null && !SEED_TOPICS.some((seed) => seed.name === name)),
  ];
  const collisions = new Map<string, string>();
  for (const name of catalogNames) {
    const folded = name.replaceAll(".", "_");
    const other = collisions.get(folded);
    if (other !== undefined) {
      issues.push({ key: keyPath(["topics", name]), message: `collides with "${other}": Kafka treats '.' and '_' as the same in metric names` });
    }
    collisions.set(folded, name);
  }

  const roleOwners = new Map<string, string>();
  for (const name of catalogNames) {
    const role = get(topics[name], "role") ?? SEED_TOPICS.find((seed) => seed.name === name)?.role;
    if (typeof role !== "string") continue;
    const owner = roleOwners.get(role);
    if (owner !== undefined) {
      issues.push({ key: keyPath(["topics", name, "role"]), message: `expected each role at most once, but "${role}" is already the role of "${owner}"` });
    }
    roleOwners.set(role, name);
  }

  const probeTopic = raw.probeTopic ?? DEFAULT_PROBE_TOPIC;
  if (typeof probeTopic === "string" && catalogNames.includes(probeTopic)) {
    issues.push({ key: keyPath(["probeTopic"]), message: `expected a dedicated topic outside the catalog, got the domain topic "${probeTopic}"` });
  }

  if (environment === "prod") {
    for (const flag of ["overprovisioned", "developerMode"] as const) {
      if (get(raw, "cluster", flag) === true) {
        issues.push({
          key: keyPath(["cluster", flag]),
          message: "expected false in prod: it is only for shared CPUs (dev, minikube) and weakens durability and latency guarantees",
        });
      }
    }
  }
  if (environment === "minikube" || environment === "prod") {
    issues.push(...clusterConfigIssues(environment, raw.cluster, brokerCount).map((issue) => ({ key: keyPath(issue.path), message: issue.message })));
  }

  if (environment === "external") issues.push(...externalIssues(raw));
  if (environment !== undefined && environment !== "external" && get(raw, "kafka", "brokerCount") !== undefined) {
    issues.push({
      key: keyPath(["kafka", "brokerCount"]),
      message: `expected no value outside environment external: the ${environment} broker count is ${environment === "dev" ? "1" : `apphub-streaming:cluster.replicas`}`,
    });
  }

  // The topic bootstrap runs wherever `pulumi up` runs, so it needs an address for every broker.
  if ((environment === "minikube" || environment === "prod") && get(raw, "kafka", "brokers") === undefined && get(raw, "cluster", "external", "enabled") !== true) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message:
        "is required on Kubernetes stacks unless apphub-streaming:cluster.external.enabled is true: expected the host:port list where pulumi up reaches every broker",
    });
  }

  const streamingEnabled = get(raw, "streaming", "enabled") === true;
  const mirrors = get(raw, "streaming", "mirrors");
  if (!streamingEnabled && isRecord(mirrors)) {
    for (const [mirror, on] of Object.entries(mirrors)) {
      if (on === true) {
        issues.push({
          key: keyPath(["streaming", "mirrors", mirror]),
          message: "expected false while apphub-streaming:streaming.enabled is false: a mirror needs streaming on",
        });
      }
    }
  }
  const brokerUrl = get(raw, "streaming", "brokerUrl");
  if (streamingEnabled && typeof brokerUrl === "string" && !brokerUrl.split(",").every((entry) => HOST_PORT.test(entry.trim()))) {
    issues.push({
      key: keyPath(["streaming", "brokerUrl"]),
      message: `expected comma-separated "host:port" broker addresses when streaming is enabled, got ${describe(brokerUrl)}`,
    });
  }
  const loopbackBroker =
    streamingEnabled && environment !== undefined && environment !== "dev" && typeof brokerUrl === "string"
      ? brokerUrl.split(",").map((entry) => entry.trim()).find((entry) => LOOPBACK_HOST_PORT.test(entry))
      : undefined;
  if (loopbackBroker !== undefined) {
    issues.push({
      key: keyPath(["streaming", "brokerUrl"]),
      message: `expected an address the core and timestore pods can reach, such as "apphub-redpanda:9092", got ${describe(loopbackBroker)}: inside a pod, loopback is the pod itself`,
    });
  }
  if (streamingEnabled && isRecord(mirrors)) {
    for (const [mirror, on] of Object.entries(mirrors)) {
      if (on === true && (TOPIC_ROLES as readonly string[]).includes(mirror) && !roleOwners.has(mirror)) {
        issues.push({
          key: keyPath(["streaming", "mirrors", mirror]),
          message: `expected a topic with role "${mirror}" in apphub-streaming:topics: the mirror writes to it and the catalog has none`,
        });
      }
    }
  }
  if (environment === "dev") {
    const hostPorts: [string[], unknown][] = [
      [["dev", "kafkaPort"], get(raw, "dev", "kafkaPort") ?? 19092],
      [["dev", "adminPort"], get(raw, "dev", "adminPort") ?? 19644],
      [["dev", "httpProxyPort"], get(raw, "dev", "httpProxyPort") ?? 18082],
      ...(get(raw, "dev", "console", "enabled") === false ? [] : [[["dev", "console", "port"], get(raw, "dev", "console", "port") ?? 28000] as [string[], unknown]]),
      ...(get(raw, "dev", "sequencer", "enabled") === false ? [] : [[["dev", "sequencer", "port"], get(raw, "dev", "sequencer", "port") ?? 25432] as [string[], unknown]]),
    ];
    const portOwners = new Map<unknown, string>();
    for (const [path, hostPort] of hostPorts) {
      const other = portOwners.get(hostPort);
      if (typeof hostPort === "number" && other !== undefined) {
        issues.push({ key: keyPath(path), message: `expected a host port of its own, got ${hostPort}, already used by ${CONFIG_NAMESPACE}:${other}` });
      } else {
        portOwners.set(hostPort, path.join("."));
      }
    }
  }

  const fullEvery = get(raw, "backup", "fullEveryHours");
  const retentionDays = get(raw, "backup", "retentionDays");
  const fullHours = typeof fullEvery === "number" ? fullEvery : 24;
  const keepDays = typeof retentionDays === "number" ? retentionDays : 14;
  if (keepDays * 24 <= fullHours) {
    issues.push({
      key: keyPath(["backup", "retentionDays"]),
      message: `expected more than ${fullHours / 24} day(s) (backup.fullEveryHours), or every incremental chain would expire before its next full snapshot, got ${keepDays}`,
    });
  }
  const backupEnabled = get(raw, "backup", "enabled") ?? (environment === "minikube" || environment === "prod");
  if (backupEnabled === true && environment !== undefined && get(raw, "backup", "bucketName") === undefined) {
    issues.push({ key: keyPath(["backup", "bucketName"]), message: "is required when backups are enabled: expected an S3 bucket name" });
  }
  return issues;
}

/** An external cluster is only addressed, never deployed: no broker, backup or dev settings apply. */
function externalIssues(raw: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (get(raw, "kafka", "brokers") === undefined) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message: 'is required with environment external: expected the "host:port" list where pulumi up reaches the cluster',
    });
  }
  for (const section of ["cluster", "dev"] as const) {
    if (raw[section] !== undefined) {
      issues.push({
        key: keyPath([section]),
        message: "expected no value with environment external: this program deploys no brokers there",
      });
    }
  }
  if (get(raw, "backup", "enabled") === true) {
    issues.push({
      key: keyPath(["backup", "enabled"]),
      message: "expected false with environment external: snapshots copy the data directories of brokers this program runs; back up an external cluster with its own tooling",
    });
  }
  if (get(raw, "streaming", "enabled") === true && get(raw, "streaming", "brokerUrl") === undefined) {
    issues.push({
      key: keyPath(["streaming", "brokerUrl"]),
      message: 'is required with environment external when streaming is enabled: expected the comma-separated "host:port" list the core and timestore pods use',
    });
  }
  return issues;
}

function resolveTopics(raw: RawConfig, replicationDefault: number): TopicSpec[] {
  const overrides = raw.topics ?? {};
  const seedNames = new Set(SEED_TOPICS.map((topic) => topic.name));
  const resolved: TopicSpec[] = [];
  for (const seed of SEED_TOPICS) {
    const override = overrides[seed.name];
    if (override === null) continue;
    resolved.push(topicSpec(seed.name, override, { partitions: seed.partitions, retentionMs: seed.retentionMs, role: seed.role }, replicationDefault));
  }
  for (const [name, override] of Object.entries(overrides)) {
    if (seedNames.has(name) || override === null) continue;
    resolved.push(topicSpec(name, override, { partitions: 6, retentionMs: 7 * 24 * 60 * 60 * 1000 }, replicationDefault));
  }
  return resolved;
}

function topicSpec(
  name: string,
  override: z.infer<typeof topicOverrideSchema> | undefined,
  defaults: { partitions: number; retentionMs: number; role?: TopicRole },
  replicationDefault: number,
): TopicSpec {
  const config = Object.fromEntries(Object.entries(override?.config ?? {}).map(([key, value]) => [key, String(value)]));
  const role = override?.role ?? defaults.role;
  return {
    name,
    partitions: override?.partitions ?? defaults.partitions,
    replicationFactor: override?.replicationFactor ?? replicationDefault,
    retentionMs: override?.retentionMs ?? defaults.retentionMs,
    config,
    deletionPolicy: override?.deletionPolicy ?? "retain",
    ...(role ? { role } : {}),
  };
}

function resolve(raw: RawConfig, env: NodeJS.ProcessEnv): StackConfig {
  const environment = raw.environment;
  const kafka = raw.kafka ?? {};
  const onKubernetes = environment === "minikube" || environment === "prod";
  const brokerCount =
    environment === "external" ? (kafka.brokerCount ?? EXTERNAL_DEFAULT_BROKER_COUNT) : onKubernetes ? (raw.cluster?.replicas ?? 3) : 1;
  const namespace = raw.namespace ?? "apphub-system";
  const cluster = raw.cluster ?? {};
  const dev = raw.dev ?? {};
  const backup = raw.backup ?? {};
  const streaming = raw.streaming ?? {};
  // On every interface (0.0.0.0) host processes still dial loopback.
  const devHost = dev.bindAddress === undefined || dev.bindAddress === "0.0.0.0" ? "127.0.0.1" : dev.bindAddress;
  const defaultBrokerUrl =
    environment === "external"
      ? (kafka.brokers ?? []).join(",")
      : onKubernetes
        ? "apphub-redpanda:9092"
        : `${devHost}:${dev.kafkaPort ?? 19092}`;

  return {
    environment,
    namespace,
    brokerCount,
    topics: resolveTopics(raw, Math.min(3, brokerCount)),
    probeTopic: raw.probeTopic ?? DEFAULT_PROBE_TOPIC,
    protectTopics: raw.protectTopics ?? environment === "prod",
    kafka: {
      ...(kafka.brokers ? { brokers: kafka.brokers } : {}),
      clientId: kafka.clientId ?? "apphub-streaming-bootstrap",
      connectTimeoutMs: kafka.connectTimeoutMs ?? 5000,
      requestTimeoutMs: kafka.requestTimeoutMs ?? 30000,
      tls: { enabled: kafka.tls?.enabled ?? false, rejectUnauthorized: kafka.tls?.rejectUnauthorized ?? true },
      ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
    },
    cluster: {
      replicas: brokerCount,
      image: cluster.image ?? REDPANDA_IMAGE,
      cpu: cluster.cpu ?? (environment === "prod" ? 4 : 1),
      memory: cluster.memory ?? (environment === "prod" ? "8Gi" : "2Gi"),
      storageSize: cluster.storageSize ?? "10Gi",
      ...(cluster.storageClass ? { storageClass: cluster.storageClass } : {}),
      overprovisioned: cluster.overprovisioned ?? environment === "minikube",
      developerMode: cluster.developerMode ?? environment === "minikube",
      antiAffinity: cluster.antiAffinity ?? (environment === "prod" ? "required" : "preferred"),
      zoneSpread: cluster.zoneSpread ?? environment === "prod",
      terminationGracePeriodSeconds: cluster.terminationGracePeriodSeconds ?? 300,
      startupTimeoutSeconds: cluster.startupTimeoutSeconds ?? 1800,
      appNamespaces: cluster.appNamespaces ?? [namespace],
      appPodLabels: cluster.appPodLabels ?? { "app.kubernetes.io/part-of": "apphub" },
      monitoringNamespace: cluster.monitoringNamespace ?? "monitoring",
      prometheusRule: cluster.prometheusRule ?? false,
      prometheusRuleLabels: cluster.prometheusRuleLabels ?? {},
      backlogAlertSeconds: cluster.backlogAlertSeconds ?? 300,
      external: {
        enabled: cluster.external?.enabled ?? false,
        type: cluster.external?.type ?? "NodePort",
        basePort: cluster.external?.basePort ?? 31092,
        ...(cluster.external?.advertisedHost ? { advertisedHost: cluster.external.advertisedHost } : {}),
        annotations: cluster.external?.annotations ?? {},
      },
    },
    backup: {
      enabled: backup.enabled ?? onKubernetes,
      bucketName: backup.bucketName ?? "",
      region: backup.region ?? "us-east-1",
      createBucket: backup.createBucket ?? environment === "prod",
      ...(backup.endpoint ? { endpoint: backup.endpoint } : {}),
      forcePathStyle: backup.forcePathStyle ?? backup.endpoint !== undefined,
      encryption: backup.encryption ?? "aws:kms",
      prefix: backup.prefix ?? "redpanda",
      schedule: backup.schedule ?? "0 * * * *",
      fullEveryHours: backup.fullEveryHours ?? 24,
      retentionDays: backup.retentionDays ?? 14,
      noncurrentRetentionDays: backup.noncurrentRetentionDays ?? 3,
      image: backup.image ?? "ghcr.io/apphub/streaming-backup:0.1.0",
      ...(backup.roleArn ? { roleArn: backup.roleArn } : {}),
      ...(backup.oidcProviderArn ? { oidcProviderArn: backup.oidcProviderArn } : {}),
      ...(backup.accessKeyId ? { accessKeyId: backup.accessKeyId } : {}),
    },
    dev: {
      dataRoot: dev.dataRoot ?? env.APPHUB_DATA_ROOT ?? "/var/tmp/apphub",
      bindAddress: dev.bindAddress ?? "127.0.0.1",
      kafkaPort: dev.kafkaPort ?? 19092,
      adminPort: dev.adminPort ?? 19644,
      httpProxyPort: dev.httpProxyPort ?? 18082,
      image: dev.image ?? REDPANDA_IMAGE,
      console: { enabled: dev.console?.enabled ?? true, port: dev.console?.port ?? 28000, image: dev.console?.image ?? CONSOLE_IMAGE },
      sequencer: { enabled: dev.sequencer?.enabled ?? true, port: dev.sequencer?.port ?? 25432, image: dev.sequencer?.image ?? "postgres:16-alpine" },
    },
    streaming: {
      enabled: streaming.enabled ?? false,
      mirrors: {
        workflowRuns: streaming.mirrors?.workflowRuns ?? false,
        workflowEvents: streaming.mirrors?.workflowEvents ?? false,
        jobRuns: streaming.mirrors?.jobRuns ?? false,
        ingestion: streaming.mirrors?.ingestion ?? false,
        coreEvents: streaming.mirrors?.coreEvents ?? false,
      },
      brokerUrl: streaming.brokerUrl ?? defaultBrokerUrl,
      clientId: streaming.clientId ?? "apphub-core-stream",
      connectTimeoutMs: streaming.connectTimeoutMs ?? 5000,
      publishTimeoutMs: streaming.publishTimeoutMs ?? 10000,
      targets: streaming.targets ?? Object.fromEntries(Object.entries(DEFAULT_STREAMING_TARGETS).map(([name, containers]) => [name, [...containers]])),
      sequencerSecret: streaming.sequencerSecret ?? { name: "apphub-sequencer-db", key: "url" },
    },
  };
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.key}: ${issue.message}`);
  return [`Invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):`, ...lines].join("\n");
}
