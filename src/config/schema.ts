/**
 * The stack config surface: everything under `apphub-streaming:` in `Pulumi.<stack>.yaml`.
 *
 * `parseStackConfig` is pure: it takes the raw key → value map and returns either a fully
 * resolved `StackConfig` (every default applied) or every problem at once, each naming its
 * full key path and what was expected. Nothing is declared and no broker is contacted
 * before this has passed.
 */
import { z } from "zod";
import {
  DAY_MS,
  DEFAULT_PROBE_TOPIC,
  SEED_TOPICS,
  TOPIC_ROLES,
  type TopicRole,
} from "../topics/catalog";
import { clusterConfigIssues } from "../cluster/validation";
import {
  brokerAddressProblem,
  brokerListProblems,
  deletionPolicyProblem,
  dialableHost,
  isLoopbackBroker,
  MAX_BROKERS,
  MAX_CORES_PER_BROKER,
  MAX_INT32,
  maxPartitions,
  metricName,
  PARTITION_REPLICAS_PER_CORE,
  parseBrokerList,
  partitionsProblem,
  replicationFactorProblem,
  retentionMsProblem,
  saslMechanismProblem,
  saslPasswordProblem,
  saslUsernameProblem,
  topicNameProblem,
  type DeletionPolicy,
  type SaslMechanism,
} from "./rules";

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
export const SECRET_KEYS = [
  "kafkaSaslPassword",
  "backupSecretAccessKey",
  "sequencerDbPassword",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

const KUBE_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CRON = /^(\S+\s+){4}\S+$/;

const positiveInt = (what = "a positive integer", max = MAX_INT32) =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(1, { error: `expected ${what}` })
    .max(max, { error: `expected ${what} (at most ${max})` });
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
/**
 * A value judged by one of the shared rules (`rules.ts`); its message already says what was
 * got, so the report does not append it again.
 */
function ruled<T>(problem: (value: unknown) => string | undefined) {
  return z
    .custom<T>(() => true)
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message !== undefined)
        ctx.addIssue({ code: "custom", message, input: value, params: { ruled: true } });
    });
}
const hostPort = ruled<string>(brokerAddressProblem);
const dnsLabel = z
  .string({ error: "expected a DNS-1123 label (lower-case letters, digits, '-')" })
  .max(63, { error: "expected a DNS-1123 label of at most 63 characters" })
  .regex(DNS_LABEL, { error: "expected a DNS-1123 label (lower-case letters, digits, '-')" });
const labels = z.record(z.string(), z.string({ error: "expected a string label value" }), {
  error: "expected a map of label name to value",
});

export const topicNameSchema = ruled<string>(topicNameProblem);
export const retentionSchema = ruled<number>(retentionMsProblem);

/** Topic config values are strings on the wire; numbers and booleans are accepted and stringified. */
const topicConfigValue = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a string, number or boolean config value",
});

const topicOverrideSchema = z.strictObject({
  // The cluster-derived bounds (broker count, cores) are checked on the resolved config.
  partitions: ruled<number>((value) => partitionsProblem(value)).optional(),
  replicationFactor: ruled<number>((value) => replicationFactorProblem(value)).optional(),
  retentionMs: retentionSchema.optional(),
  config: z
    .record(z.string(), topicConfigValue, { error: "expected a map of topic config name to value" })
    .optional(),
  /** `retain` (default): removing the topic from config only stops managing it. */
  deletionPolicy: ruled<DeletionPolicy>(deletionPolicyProblem).optional(),
  role: z.enum(TOPIC_ROLES, { error: `expected one of ${TOPIC_ROLES.join(", ")}` }).optional(),
});

const rawSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(", ")}` }),
  namespace: dnsLabel.optional(),
  /** null removes a seed topic from this stack's catalog (it stays on the broker). */
  topics: z
    .record(z.string(), topicOverrideSchema.nullable(), {
      error: "expected a map keyed by topic name",
    })
    .optional(),
  probeTopic: topicNameSchema.optional(),
  protectTopics: bool.optional(),
  kafka: z
    .strictObject({
      brokers: z.array(hostPort, { error: 'expected a list of "host:port"' }).min(1).optional(),
      clientId: z.string().min(1).optional(),
      /** Brokers of an external cluster (environment external): bounds and defaults topic replication. */
      brokerCount: positiveInt("a broker count of at least 1", MAX_BROKERS).optional(),
      connectTimeoutMs: positiveInt().optional(),
      requestTimeoutMs: positiveInt().optional(),
      tls: z
        .strictObject({ enabled: bool.optional(), rejectUnauthorized: bool.optional() })
        .optional(),
      sasl: z
        .strictObject({
          mechanism: ruled<SaslMechanism>(saslMechanismProblem),
          username: ruled<string>(saslUsernameProblem),
        })
        .optional(),
    })
    .optional(),
  cluster: z
    .strictObject({
      replicas: positiveInt("a broker count of at least 1", MAX_BROKERS).optional(),
      image: z.string().min(1).optional(),
      cpu: positiveInt(
        "a whole number of CPU cores (it becomes --smp)",
        MAX_CORES_PER_BROKER,
      ).optional(),
      memory: quantity("4Gi").optional(),
      storageSize: quantity("10Gi").optional(),
      storageClass: z.string().min(1).optional(),
      overprovisioned: bool.optional(),
      developerMode: bool.optional(),
      antiAffinity: z
        .enum(["required", "preferred"], { error: 'expected "required" or "preferred"' })
        .optional(),
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
          type: z
            .enum(["NodePort", "LoadBalancer"], { error: 'expected "NodePort" or "LoadBalancer"' })
            .optional(),
          basePort: port.optional(),
          advertisedHost: z.string().min(1).optional(),
          annotations: z
            .record(z.string(), z.string({ error: "expected a string annotation value" }), {
              error: "expected a map of annotation name to value",
            })
            .optional(),
          allowPlaintext: bool.optional(),
          internal: bool.optional(),
          loadBalancerSourceRanges: z
            .array(z.cidrv4({ error: 'expected an IPv4 CIDR such as "10.0.0.0/8"' }))
            .optional(),
          tls: z
            .strictObject({
              enabled: bool.optional(),
              certManagerIssuer: z
                .strictObject({
                  name: z.string().min(1),
                  kind: z
                    .enum(["Issuer", "ClusterIssuer"], {
                      error: 'expected "Issuer" or "ClusterIssuer"',
                    })
                    .optional(),
                })
                .optional(),
            })
            .optional(),
          sasl: z
            .strictObject({
              enabled: bool.optional(),
              username: z
                .string()
                .regex(/^[A-Za-z0-9._-]+$/, {
                  error: "expected a user name of letters, digits and ._-",
                })
                .optional(),
              mechanism: z
                .enum(["SCRAM-SHA-256", "SCRAM-SHA-512"], {
                  error: 'expected "SCRAM-SHA-256" or "SCRAM-SHA-512"',
                })
                .optional(),
            })
            .optional(),
        })
        .optional(),
      replicasDecreaseDecommissioned: bool.optional(),
      clusterDomain: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
          error: 'expected a DNS domain such as "cluster.local"',
        })
        .optional(),
    })
    .optional(),
  backup: z
    .strictObject({
      enabled: bool.optional(),
      bucketName: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
          error: "expected an S3 bucket name (3-63 lower-case characters)",
        })
        .optional(),
      region: z.string().min(1).optional(),
      createBucket: bool.optional(),
      endpoint: z.url({ error: "expected an http(s) URL" }).optional(),
      forcePathStyle: bool.optional(),
      encryption: z
        .enum(["aws:kms", "AES256"], { error: 'expected "aws:kms" or "AES256"' })
        .optional(),
      prefix: z
        .string()
        .regex(/^\/*[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/*$/, {
          error:
            'expected an S3 key prefix such as "redpanda" (letters, digits and !_.\'()- in "/"-separated segments; the IAM policy is scoped to it)',
        })
        .optional(),
      schedule: z
        .string()
        .regex(CRON, { error: 'expected a five-field cron expression such as "0 * * * *"' })
        .optional(),
      fullEveryHours: positiveInt().optional(),
      retentionDays: positiveInt().optional(),
      noncurrentRetentionDays: positiveInt().optional(),
      image: z.string().min(1).optional(),
      roleArn: z
        .string()
        .startsWith("arn:", { error: 'expected an IAM role ARN ("arn:...")' })
        .optional(),
      oidcProviderArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, {
          error:
            'expected the EKS cluster\'s IAM OIDC provider ARN ("arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>")',
        })
        .optional(),
      accessKeyId: z.string().min(1).optional(),
    })
    .optional(),
  dev: z
    .strictObject({
      dataRoot: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      bindAddress: z
        .ipv4({
          error:
            'expected the IPv4 address to publish on, e.g. "127.0.0.1" (loopback) or "0.0.0.0" (every interface)',
        })
        .optional(),
      kafkaPort: port.optional(),
      adminPort: port.optional(),
      httpProxyPort: port.optional(),
      image: z.string().min(1).optional(),
      console: z
        .strictObject({
          enabled: bool.optional(),
          port: port.optional(),
          image: z.string().min(1).optional(),
        })
        .optional(),
      sequencer: z
        .strictObject({
          enabled: bool.optional(),
          port: port.optional(),
          image: z.string().min(1).optional(),
        })
        .optional(),
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
        .record(
          dnsLabel,
          z
            .array(dnsLabel, { error: "expected a list of container names" })
            .min(1, { error: "expected at least one container name" }),
          {
            error: (issue) =>
              issue.code === "invalid_key"
                ? "expected a Deployment name (a DNS-1123 label)"
                : "expected a map of Deployment name to container names",
          },
        )
        .optional(),
      sequencerSecret: z.strictObject({ name: dnsLabel, key: z.string().min(1) }).optional(),
    })
    .optional(),
});
type RawConfig = z.infer<typeof rawSchema>;

export type { DeletionPolicy };

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
  sasl?: { mechanism: SaslMechanism; username: string };
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
    /** A LoadBalancer listener without TLS and SASL is refused unless this is true. */
    allowPlaintext: boolean;
    /** LoadBalancer only: annotate for an internal load balancer (in-tree AWS controller and AWS Load Balancer Controller). */
    internal: boolean;
    loadBalancerSourceRanges: string[];
    tls: {
      enabled: boolean;
      certManagerIssuer?: { name: string; kind: "Issuer" | "ClusterIssuer" };
    };
    sasl: { enabled: boolean; username: string; mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512" };
  };
  /** The Kubernetes cluster's DNS domain (kubelet `--cluster-domain`). */
  clusterDomain: string;
  /** The operator decommissioned the brokers a lower `replicas` removes (docs/kubernetes.md, "Scaling"). */
  replicasDecreaseDecommissioned: boolean;
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

/** Namespace of the brokers, the backup job and the AppHub deployments unless `namespace` says otherwise. */
export const DEFAULT_NAMESPACE = "apphub-system";
/** Kafka client settings of the topic bootstrap and the topics CLI unless `kafka.*` says otherwise. */
export const DEFAULT_KAFKA_CLIENT: Omit<KafkaClientConfig, "brokers" | "sasl"> = {
  clientId: "apphub-streaming-bootstrap",
  connectTimeoutMs: 5000,
  requestTimeoutMs: 30000,
  tls: { enabled: false, rejectUnauthorized: true },
};
/** Backup settings the backup CLI also falls back to when its flags and BACKUP_* variables are unset. */
export const DEFAULT_BACKUP = {
  prefix: "redpanda",
  region: "us-east-1",
  fullEveryHours: 24,
} as const;
/** The dev stack's host listener unless `dev.*` says otherwise (the compose file's defaults). */
export const DEFAULT_DEV_LISTENER = { bindAddress: "127.0.0.1", kafkaPort: 19092 } as const;
/** The dev broker runs with `--smp 1` (the compose file's flags). */
export const DEV_CORES = 1;
/** A topic the stack file adds without saying otherwise: the seed's common settings. */
const NEW_TOPIC_DEFAULTS = { partitions: 6, retentionMs: 7 * DAY_MS };

export const REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.2.3";
export const CONSOLE_IMAGE = "docker.redpanda.com/redpandadata/console:v2.6.1";

export function keyPath(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}

/** Where the raw values came from: which keys hold Pulumi secrets, and the stack's name. */
export interface ConfigSource {
  /** Keys (without the namespace) whose values are Pulumi secrets (`secure:` in the stack file). */
  secretKeys: readonly string[];
  stack: string;
}

/**
 * Validates and resolves the raw config map (keys without the namespace prefix). With
 * `source`, a credential key holding plain text is refused: it sits in the stack file, in git.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  source?: ConfigSource,
): ParseResult {
  const values = Object.fromEntries(Object.entries(raw).filter(([key]) => !isSecretKey(key)));
  const secretIssues = source ? plainTextSecretIssues(Object.keys(raw), source) : [];
  const parsed = rawSchema.safeParse(values, { reportInput: true });
  if (parsed.success) {
    const config = resolve(parsed.data, env);
    const issues = [
      ...secretIssues,
      ...crossFieldIssues(config, parsed.data),
      ...missingSecretIssues(config, raw, source?.stack),
    ];
    return issues.length > 0 ? { ok: false, issues: dedupe(issues) } : { ok: true, config };
  }
  // One report carries every problem: the cross-field rules also run, on the config resolved
  // with each value that failed its own rule treated as unset (so it takes its default).
  const issues = [...secretIssues, ...parsed.error.issues.map(toConfigIssue)];
  const rest = rawSchema.safeParse(withoutPaths(values, parsed.error.issues), {
    reportInput: true,
  });
  if (rest.success) issues.push(...crossFieldIssues(resolve(rest.data, env), rest.data));
  return { ok: false, issues: dedupe(issues) };
}

export const isSecretKey = (key: string): key is SecretKey =>
  (SECRET_KEYS as readonly string[]).includes(key);

/** The command that stores a credential encrypted (the value itself is never echoed). */
export function setSecretCommand(key: SecretKey, stack: string): string {
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value> --stack ${stack}`;
}

/** Secrets the config needs but the stack does not set (their values are never seen here). */
function missingSecretIssues(
  config: StackConfig,
  raw: Record<string, unknown>,
  stack = "<stack>",
): ConfigIssue[] {
  if (config.kafka.sasl === undefined) return [];
  const problem = saslPasswordProblem(raw.kafkaSaslPassword);
  return problem
    ? [
        {
          key: keyPath(["kafkaSaslPassword"]),
          message: `${problem}: run ${setSecretCommand("kafkaSaslPassword", stack)}`,
        },
      ]
    : [];
}

function plainTextSecretIssues(keys: readonly string[], source: ConfigSource): ConfigIssue[] {
  return keys
    .filter(isSecretKey)
    .filter((key) => !source.secretKeys.includes(key))
    .map((key) => ({
      key: keyPath([key]),
      message: `expected a Pulumi secret, got plain text (a credential in the stack file ends up in git): remove it from Pulumi.${source.stack}.yaml and run: ${setSecretCommand(key, source.stack)}`,
    }));
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  if (issue.code === "unrecognized_keys") {
    return {
      key: keyPath([...issue.path, issue.keys.join(", ")]),
      message: "unknown key; see the README for the keys this program reads",
    };
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return { key: keyPath(issue.path), message: `is required: ${issue.message}` };
  }
  if (issue.code === "custom" && (issue.params as { ruled?: boolean } | undefined)?.ruled) {
    return { key: keyPath(issue.path), message: issue.message };
  }
  return { key: keyPath(issue.path), message: `${issue.message}, got ${describe(issue.input)}` };
}

/** A copy of `raw` without the values the issues point at (unknown keys included). */
function withoutPaths(
  raw: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const issue of issues) {
    const paths =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => [...issue.path, key])
        : [issue.path];
    for (const path of paths) {
      const parent = path
        .slice(0, -1)
        .reduce<unknown>(
          (node, key) =>
            isRecord(node) || Array.isArray(node)
              ? (node as Record<PropertyKey, unknown>)[key]
              : undefined,
          copy,
        );
      if (isRecord(parent) && path.length > 0) delete parent[path[path.length - 1] as string];
      else if (Array.isArray(parent) && path.length > 0)
        parent.splice(Number(path[path.length - 1]), 1);
    }
  }
  return copy;
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

/** Brokers of the external cluster when `kafka.brokerCount` does not say: a production-shaped cluster. */
export const EXTERNAL_DEFAULT_BROKER_COUNT = 3;

/**
 * Rules that relate several keys, on the resolved config: every default is already applied,
 * so no rule re-derives one. `raw` only tells which values the stack file set explicitly.
 */
function crossFieldIssues(config: StackConfig, raw: RawConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { environment, brokerCount } = config;
  const onKubernetes = environment === "minikube" || environment === "prod";
  // An external cluster's cores are unknown: only the absolute bound applies there.
  const capacity =
    environment === "external"
      ? undefined
      : { brokers: brokerCount, coresPerBroker: onKubernetes ? config.cluster.cpu : DEV_CORES };

  for (const topic of config.topics) {
    const nameProblem = topicNameProblem(topic.name);
    if (nameProblem) issues.push({ key: keyPath(["topics", topic.name]), message: nameProblem });
    const replication = replicationFactorProblem(topic.replicationFactor, {
      count: brokerCount,
      of: environment,
    });
    if (replication)
      issues.push({
        key: keyPath(["topics", topic.name, "replicationFactor"]),
        message: replication,
      });
    const partitions = capacity
      ? partitionsProblem(topic.partitions, {
          max: maxPartitions(capacity, topic.replicationFactor),
          why: `${brokerCount} broker(s) × ${capacity.coresPerBroker} core(s) × ${PARTITION_REPLICAS_PER_CORE} partition replicas per core (Redpanda's topic_partitions_per_shard) ÷ replication ${topic.replicationFactor}`,
        })
      : partitionsProblem(topic.partitions);
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

  if (environment === "prod") {
    for (const flag of ["overprovisioned", "developerMode"] as const) {
      if (config.cluster[flag]) {
        issues.push({
          key: keyPath(["cluster", flag]),
          message:
            "expected false in prod: it is only for shared CPUs (dev, minikube) and weakens durability and latency guarantees",
        });
      }
    }
  }
  if (environment === "minikube" || environment === "prod") {
    issues.push(
      ...clusterConfigIssues(environment, config.cluster, brokerCount).map((issue) => ({
        key: keyPath(issue.path),
        message: issue.message,
      })),
    );
  }

  if (environment === "external") issues.push(...externalIssues(raw));
  if (environment !== "external" && raw.kafka?.brokerCount !== undefined) {
    issues.push({
      key: keyPath(["kafka", "brokerCount"]),
      message: `expected no value outside environment external: the ${environment} broker count is ${environment === "dev" ? "1" : `apphub-streaming:cluster.replicas`}`,
    });
  }

  // The topic bootstrap runs wherever `pulumi up` runs, so it needs an address for every broker.
  if (onKubernetes && config.kafka.brokers === undefined && !config.cluster.external.enabled) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message:
        "is required on Kubernetes stacks unless apphub-streaming:cluster.external.enabled is true: expected the host:port list where pulumi up reaches every broker",
    });
  }

  const streaming = config.streaming;
  for (const [mirror, on] of Object.entries(streaming.mirrors)) {
    if (!on) continue;
    if (!streaming.enabled) {
      issues.push({
        key: keyPath(["streaming", "mirrors", mirror]),
        message:
          "expected false while apphub-streaming:streaming.enabled is false: a mirror needs streaming on",
      });
    } else if (!roleOwners.has(mirror)) {
      issues.push({
        key: keyPath(["streaming", "mirrors", mirror]),
        message: `expected a topic with role "${mirror}" in apphub-streaming:topics: the mirror writes to it and the catalog has none`,
      });
    }
  }
  if (streaming.enabled && raw.streaming?.brokerUrl !== undefined) {
    const problems = brokerListProblems(streaming.brokerUrl);
    if (problems.length > 0) {
      issues.push({
        key: keyPath(["streaming", "brokerUrl"]),
        message: `expected comma-separated "host:port" broker addresses when streaming is enabled: ${problems.join("; ")}`,
      });
    }
    const loopback =
      environment !== "dev"
        ? parseBrokerList(streaming.brokerUrl).find(isLoopbackBroker)
        : undefined;
    if (loopback !== undefined) {
      issues.push({
        key: keyPath(["streaming", "brokerUrl"]),
        message: `expected an address the core and timestore pods can reach, such as "apphub-redpanda:9092", got ${describe(loopback)}: inside a pod, loopback is the pod itself`,
      });
    }
  }

  if (environment === "dev") {
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
  }

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

/** An external cluster is only addressed, never deployed: no broker, backup or dev settings apply. */
function externalIssues(raw: RawConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (raw.kafka?.brokers === undefined) {
    issues.push({
      key: keyPath(["kafka", "brokers"]),
      message:
        'is required with environment external: expected the "host:port" list where pulumi up reaches the cluster',
    });
  }
  for (const section of ["cluster", "dev"] as const) {
    if (raw[section] !== undefined) {
      issues.push({
        key: keyPath([section]),
        message:
          "expected no value with environment external: this program deploys no brokers there",
      });
    }
  }
  if (raw.backup?.enabled === true) {
    issues.push({
      key: keyPath(["backup", "enabled"]),
      message:
        "expected false with environment external: snapshots copy the data directories of brokers this program runs; back up an external cluster with its own tooling",
    });
  }
  if (raw.streaming?.enabled === true && raw.streaming.brokerUrl === undefined) {
    issues.push({
      key: keyPath(["streaming", "brokerUrl"]),
      message:
        'is required with environment external when streaming is enabled: expected the comma-separated "host:port" list the core and timestore pods use',
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
    resolved.push(
      topicSpec(
        seed.name,
        override,
        { partitions: seed.partitions, retentionMs: seed.retentionMs, role: seed.role },
        replicationDefault,
      ),
    );
  }
  for (const [name, override] of Object.entries(overrides)) {
    if (seedNames.has(name) || override === null) continue;
    resolved.push(topicSpec(name, override, NEW_TOPIC_DEFAULTS, replicationDefault));
  }
  return resolved;
}

function topicSpec(
  name: string,
  override: z.infer<typeof topicOverrideSchema> | undefined,
  defaults: { partitions: number; retentionMs: number; role?: TopicRole },
  replicationDefault: number,
): TopicSpec {
  const config = Object.fromEntries(
    Object.entries(override?.config ?? {}).map(([key, value]) => [key, String(value)]),
  );
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
    environment === "external"
      ? (kafka.brokerCount ?? EXTERNAL_DEFAULT_BROKER_COUNT)
      : onKubernetes
        ? (raw.cluster?.replicas ?? 3)
        : 1;
  const namespace = raw.namespace ?? DEFAULT_NAMESPACE;
  const cluster = raw.cluster ?? {};
  const dev = raw.dev ?? {};
  const backup = raw.backup ?? {};
  const streaming = raw.streaming ?? {};
  const devHost = dialableHost(dev.bindAddress ?? DEFAULT_DEV_LISTENER.bindAddress);
  const defaultBrokerUrl =
    environment === "external"
      ? (kafka.brokers ?? []).join(",")
      : onKubernetes
        ? "apphub-redpanda:9092"
        : `${devHost}:${dev.kafkaPort ?? DEFAULT_DEV_LISTENER.kafkaPort}`;

  return {
    environment,
    namespace,
    brokerCount,
    // The seed asks for 3 replicas; a smaller cluster cannot place more than it has brokers.
    topics: resolveTopics(raw, Math.min(3, brokerCount)),
    probeTopic: raw.probeTopic ?? DEFAULT_PROBE_TOPIC,
    protectTopics: raw.protectTopics ?? environment === "prod",
    kafka: {
      ...(kafka.brokers ? { brokers: kafka.brokers } : {}),
      clientId: kafka.clientId ?? DEFAULT_KAFKA_CLIENT.clientId,
      connectTimeoutMs: kafka.connectTimeoutMs ?? DEFAULT_KAFKA_CLIENT.connectTimeoutMs,
      requestTimeoutMs: kafka.requestTimeoutMs ?? DEFAULT_KAFKA_CLIENT.requestTimeoutMs,
      tls: {
        enabled: kafka.tls?.enabled ?? DEFAULT_KAFKA_CLIENT.tls.enabled,
        rejectUnauthorized:
          kafka.tls?.rejectUnauthorized ?? DEFAULT_KAFKA_CLIENT.tls.rejectUnauthorized,
      },
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
      // Off by default everywhere: rpk's dev-container mode would also enable topic auto-creation and fsync bypass.
      developerMode: cluster.developerMode ?? false,
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
        ...(cluster.external?.advertisedHost
          ? { advertisedHost: cluster.external.advertisedHost }
          : {}),
        annotations: cluster.external?.annotations ?? {},
        allowPlaintext: cluster.external?.allowPlaintext ?? false,
        internal: cluster.external?.internal ?? true,
        loadBalancerSourceRanges: cluster.external?.loadBalancerSourceRanges ?? [],
        tls: {
          enabled: cluster.external?.tls?.enabled ?? false,
          ...(cluster.external?.tls?.certManagerIssuer
            ? {
                certManagerIssuer: {
                  name: cluster.external.tls.certManagerIssuer.name,
                  kind: cluster.external.tls.certManagerIssuer.kind ?? "ClusterIssuer",
                },
              }
            : {}),
        },
        sasl: {
          enabled: cluster.external?.sasl?.enabled ?? false,
          username: cluster.external?.sasl?.username ?? "apphub-admin",
          mechanism: cluster.external?.sasl?.mechanism ?? "SCRAM-SHA-256",
        },
      },
      clusterDomain: cluster.clusterDomain ?? "cluster.local",
      replicasDecreaseDecommissioned: cluster.replicasDecreaseDecommissioned ?? false,
    },
    backup: {
      enabled: backup.enabled ?? onKubernetes,
      bucketName: backup.bucketName ?? "",
      region: backup.region ?? DEFAULT_BACKUP.region,
      createBucket: backup.createBucket ?? environment === "prod",
      ...(backup.endpoint ? { endpoint: backup.endpoint } : {}),
      forcePathStyle: backup.forcePathStyle ?? backup.endpoint !== undefined,
      encryption: backup.encryption ?? "aws:kms",
      prefix: backup.prefix ?? DEFAULT_BACKUP.prefix,
      schedule: backup.schedule ?? "0 * * * *",
      fullEveryHours: backup.fullEveryHours ?? DEFAULT_BACKUP.fullEveryHours,
      retentionDays: backup.retentionDays ?? 14,
      noncurrentRetentionDays: backup.noncurrentRetentionDays ?? 3,
      image: backup.image ?? "ghcr.io/apphub/streaming-backup:0.1.0",
      ...(backup.roleArn ? { roleArn: backup.roleArn } : {}),
      ...(backup.oidcProviderArn ? { oidcProviderArn: backup.oidcProviderArn } : {}),
      ...(backup.accessKeyId ? { accessKeyId: backup.accessKeyId } : {}),
    },
    dev: {
      dataRoot: dev.dataRoot ?? env.APPHUB_DATA_ROOT ?? "/var/tmp/apphub",
      bindAddress: dev.bindAddress ?? DEFAULT_DEV_LISTENER.bindAddress,
      kafkaPort: dev.kafkaPort ?? DEFAULT_DEV_LISTENER.kafkaPort,
      adminPort: dev.adminPort ?? 19644,
      httpProxyPort: dev.httpProxyPort ?? 18082,
      image: dev.image ?? REDPANDA_IMAGE,
      console: {
        enabled: dev.console?.enabled ?? true,
        port: dev.console?.port ?? 28000,
        image: dev.console?.image ?? CONSOLE_IMAGE,
      },
      sequencer: {
        enabled: dev.sequencer?.enabled ?? true,
        port: dev.sequencer?.port ?? 25432,
        image: dev.sequencer?.image ?? "postgres:16-alpine",
      },
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
      targets:
        streaming.targets ??
        Object.fromEntries(
          Object.entries(DEFAULT_STREAMING_TARGETS).map(([name, containers]) => [
            name,
            [...containers],
          ]),
        ),
      sequencerSecret: streaming.sequencerSecret ?? { name: "apphub-sequencer-db", key: "url" },
    },
  };
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.key}: ${issue.message}`);
  return [
    `Invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):`,
    ...lines,
  ].join("\n");
}
