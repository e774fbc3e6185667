/**
 * The stack config surface: everything under `apphub-streaming:` in `Pulumi.<stack>.yaml`, as
 * one zod schema per environment. Each field carries its rule and its default (the
 * environment's, from `profiles.ts`, where they differ); the few defaults that depend on other
 * keys are filled by the schema's last step. The schema's output type *is* the typed config
 * (`StackConfig`) every component and CLI consumes: nothing downstream applies a default again.
 *
 * `parseStackConfig` is pure: it takes the raw key → value map and returns either the resolved
 * config or every problem at once, each naming its full key path and what was expected.
 * Nothing is declared and no broker is contacted before this has passed.
 */
import { z } from "zod";
import { DAY_MS, DEFAULT_PROBE_TOPIC, SEED_TOPICS, TOPIC_ROLES } from "../topics/catalog";
import { DEFAULT_CLUSTER_DOMAIN } from "../cluster/constants";
import { devEndpoints } from "../dev/plan";
import { isRecord } from "./values";
import { crossFieldIssues } from "./crossField";
import {
  CONFIG_NAMESPACE,
  dedupe,
  keyPath,
  RULED,
  toConfigIssue,
  withoutPaths,
  type ConfigIssue,
} from "./issues";
import {
  CLIENT_SERVICE_BROKER,
  ENVIRONMENTS,
  isEnvironment,
  PROFILES,
  type Environment,
  type Profile,
} from "./profiles";
import {
  ACL_OPERATIONS,
  ACL_PATTERNS,
  ACL_RESOURCE_TYPES,
  ACL_CLUSTER_NAME,
  aclOperationProblem,
  aclResourceNameProblem,
  BACKUP_FULL_EVERY_HOURS,
  brokerMechanism,
  brokerAddressProblem,
  deletionPolicyProblem,
  MAX_BROKERS,
  MAX_CORES_PER_BROKER,
  MAX_INT32,
  partitionsProblem,
  pathStyleByDefault,
  replicationFactorProblem,
  retentionMsProblem,
  rotateProblem,
  saslMechanismProblem,
  saslPasswordProblem,
  saslUsernameProblem,
  SCRAM_CLIENT_MECHANISMS,
  SCRAM_MECHANISMS,
  scramClientMechanismProblem,
  scramMechanismProblem,
  scramPasswordProblem,
  scramUsernameProblem,
  SCRAM_USERNAME_PATTERN,
  topicNameProblem,
  type AclOperation,
  type AclPattern,
  type AclResourceType,
  type DeletionPolicy,
  type ScramClientMechanism,
  type SaslMechanism,
  type ScramMechanism,
} from "./rules";

export { CONFIG_NAMESPACE, ENVIRONMENTS, keyPath, type ConfigIssue, type Environment };
export { formatIssues } from "./issues";
export type { DeletionPolicy };

/**
 * Config keys that hold credentials. They are read with `config.getSecret` (so they stay
 * Pulumi secrets end to end) and are deliberately not part of the zod-validated object.
 */
export const SECRET_KEYS = [
  "kafkaSaslPassword",
  "kafkaUserPasswords",
  "backupSecretAccessKey",
  "sequencerDbPassword",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

// --- defaults shared by every environment ---

/** Namespace of the brokers, the backup job and the AppHub deployments unless `namespace` says otherwise. */
export const DEFAULT_NAMESPACE = "apphub-system";
/** Kafka client settings of the topic bootstrap and the topics CLI unless `kafka.*` says otherwise. */
export const DEFAULT_KAFKA_CLIENT = {
  clientId: "apphub-streaming-bootstrap",
  connectTimeoutMs: 5000,
  requestTimeoutMs: 30000,
  tls: { enabled: false, rejectUnauthorized: true },
} as const;
/** Backup settings the backup CLI also falls back to when its flags and BACKUP_* variables are unset. */
export const DEFAULT_BACKUP = {
  prefix: "redpanda",
  region: "us-east-1",
  fullEveryHours: 24,
} as const;
/** The dev stack's host listener unless `dev.*` says otherwise (the compose file's defaults). */
export const DEFAULT_DEV_LISTENER = { bindAddress: "127.0.0.1", kafkaPort: 19092 } as const;
/** Where the dev stack keeps its data unless `dev.dataRoot` or `APPHUB_DATA_ROOT` says otherwise. */
const DEFAULT_DATA_ROOT = "/var/tmp/apphub";
/** A topic the stack file adds without saying otherwise: the seed's common settings. */
const NEW_TOPIC_DEFAULTS = { partitions: 6, retentionMs: 7 * DAY_MS };
/** The seed asks for 3 replicas; a smaller cluster cannot place more than it has brokers. */
const SEED_REPLICATION = 3;

export const REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.3.2";
export const CONSOLE_IMAGE = "docker.redpanda.com/redpandadata/console:v2.6.1";

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

// --- value rules ---

const KUBE_QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CRON = /^(\S+\s+){4}\S+$/;

/** `what` names the range itself when `max` is not the generic INT32 bound. */
const wholeNumber = (what: string, min: number, max: number, maxNote = "") =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}${maxNote}` });
const positiveInt = (what = "a positive integer", max = MAX_INT32) =>
  wholeNumber(what, 1, max, ` (at most ${max})`);
const port = z
  .number({ error: "expected a TCP port (1-65535)" })
  .int({ error: "expected a TCP port (1-65535)" })
  .min(1, { error: "expected a TCP port (1-65535)" })
  .max(65535, { error: "expected a TCP port (1-65535)" });
const bool = z.boolean({ error: "expected true or false" });
const text = z.string().min(1);
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
        ctx.addIssue({ code: "custom", message, input: value, params: RULED });
    });
}
const hostPort = ruled<string>(brokerAddressProblem);
const dnsLabel = z
  .string({ error: "expected a DNS-1123 label (lower-case letters, digits, '-')" })
  .max(63, { error: "expected a DNS-1123 label of at most 63 characters" })
  .regex(DNS_LABEL, { error: "expected a DNS-1123 label (lower-case letters, digits, '-')" });
const stringMap = (what: string) =>
  z.record(z.string(), z.string({ error: `expected a string ${what} value` }), {
    error: `expected a map of ${what} name to value`,
  });
/** Objects take their fields' defaults when the stack file leaves them out. */
function section<T extends z.core.$ZodLooseShape>(shape: T) {
  const object = z.strictObject(shape);
  return object.prefault({} as z.input<typeof object>);
}

export const topicNameSchema = ruled<string>(topicNameProblem);
export const retentionSchema = ruled<number>(retentionMsProblem);

/** Topic config values are strings on the wire; numbers and booleans are accepted and stringified. */
const topicConfigValue = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a string, number or boolean config value",
});

/** One entry of `topics`: what the stack says; seed and broker-count defaults are applied when the catalog is built. */
const topicOverrideSchema = z.strictObject({
  // The cluster-derived bounds (broker count, cores) are checked on the resolved config.
  partitions: ruled<number>((value) => partitionsProblem(value)).optional(),
  replicationFactor: ruled<number>((value) => replicationFactorProblem(value)).optional(),
  /** null: retention.ms is not managed; the topic inherits the cluster's default (and a change of it is not drift). */
  retentionMs: retentionSchema.nullable().optional(),
  config: z
    .record(z.string(), topicConfigValue, { error: "expected a map of topic config name to value" })
    .optional(),
  /** `retain` (default): removing the topic from config only stops managing it. */
  deletionPolicy: ruled<DeletionPolicy>(deletionPolicyProblem).optional(),
  role: z.enum(TOPIC_ROLES, { error: `expected one of ${TOPIC_ROLES.join(", ")}` }).optional(),
  /** true: a topic that already exists when Pulumi first meets it is recorded as it is (`topics import` writes it). */
  adopt: bool.optional(),
});
type TopicOverride = z.output<typeof topicOverrideSchema>;

const mirrorFlags = z.strictObject(
  Object.fromEntries(TOPIC_ROLES.map((role) => [role, bool.default(false)])) as Record<
    (typeof TOPIC_ROLES)[number],
    z.ZodDefault<typeof bool>
  >,
);

/**
 * One entry of a user's `acls`: exactly one resource key (`topic`, `group`, `transactionalId`,
 * or `cluster: true`), how its name matches, and the operations granted (always ALLOW, from
 * any host). Resolved to `{ resourceType, resourceName, pattern, operations }`.
 */
const aclEntrySchema = z
  .strictObject({
    topic: z.string({ error: "expected a topic name or prefix" }).optional(),
    group: z.string({ error: "expected a consumer group id or prefix" }).optional(),
    transactionalId: z.string({ error: "expected a transactional id or prefix" }).optional(),
    cluster: z.literal(true, { error: "expected true (the cluster itself)" }).optional(),
    pattern: z
      .enum(ACL_PATTERNS, { error: `expected ${ACL_PATTERNS.map((p) => `"${p}"`).join(" or ")}` })
      .default("literal"),
    operations: z
      .array(z.enum(ACL_OPERATIONS, { error: `expected one of ${ACL_OPERATIONS.join(", ")}` }), {
        error: "expected a list of operations",
      })
      .min(1, { error: "expected at least one operation" }),
  })
  .superRefine((entry, ctx) => {
    const given = ACL_RESOURCE_TYPES.filter((type) => entry[type] !== undefined);
    const [resourceType] = given;
    if (given.length !== 1 || resourceType === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected exactly one of ${ACL_RESOURCE_TYPES.join(", ")}, got ${given.length === 0 ? "none" : given.join(" and ")}`,
        params: RULED,
      });
      return;
    }
    const nameProblem =
      resourceType === "cluster"
        ? entry.pattern === "literal"
          ? undefined
          : "expected pattern literal: there is one cluster"
        : aclResourceNameProblem(resourceType, entry[resourceType], entry.pattern);
    if (nameProblem)
      ctx.addIssue({ code: "custom", path: [resourceType], message: nameProblem, params: RULED });
    entry.operations.forEach((operation, index) => {
      const problem = aclOperationProblem(resourceType, operation);
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: ["operations", index],
          message: problem,
          params: RULED,
        });
    });
  })
  .transform((entry) => {
    const resourceType = ACL_RESOURCE_TYPES.find((type) => entry[type] !== undefined)!;
    return {
      resourceType: resourceType as AclResourceType,
      resourceName: resourceType === "cluster" ? ACL_CLUSTER_NAME : String(entry[resourceType]),
      pattern: entry.pattern as AclPattern,
      operations: [...new Set(entry.operations)].sort() as AclOperation[],
    };
  });

/** One entry of `users`, keyed by the SCRAM user name; the password is the secret `kafkaUserPasswords.<name>` or generated. */
const userSchema = z.strictObject({
  mechanism: ruled<ScramClientMechanism>(scramClientMechanismProblem).default(
    SCRAM_CLIENT_MECHANISMS[0],
  ),
  acls: z.array(aclEntrySchema, { error: "expected a list of ACL entries" }).default([]),
  /** Raise by one to replace a generated password (a configured one changes with its secret). */
  rotate: ruled<number>(rotateProblem).default(0),
  /**
   * The user already exists (written by `topics import`): its current password must be the
   * secret `kafkaUserPasswords.<name>`, since a generated one would lock its clients out.
   * Default: absent (false).
   */
  adopt: bool.optional(),
});

// --- the schema ---

/** The fields of stack config with the defaults of `profile` (before the defaults that depend on other keys). */
function stackFields(profile: Profile, env: NodeJS.ProcessEnv) {
  const kafka = section({
    brokers: z.array(hostPort, { error: 'expected a list of "host:port"' }).min(1).optional(),
    clientId: text.default(DEFAULT_KAFKA_CLIENT.clientId),
    /** Brokers of an external cluster (environment external): bounds and defaults topic replication. */
    brokerCount: positiveInt("a broker count of at least 1", MAX_BROKERS).optional(),
    connectTimeoutMs: positiveInt().default(DEFAULT_KAFKA_CLIENT.connectTimeoutMs),
    requestTimeoutMs: positiveInt().default(DEFAULT_KAFKA_CLIENT.requestTimeoutMs),
    tls: section({
      enabled: bool.default(DEFAULT_KAFKA_CLIENT.tls.enabled),
      rejectUnauthorized: bool.default(DEFAULT_KAFKA_CLIENT.tls.rejectUnauthorized),
    }),
    sasl: z
      .strictObject({
        mechanism: ruled<SaslMechanism>(saslMechanismProblem),
        username: ruled<string>(saslUsernameProblem),
        /** `pulumi up` applies a changed kafkaSaslPassword to this user, authenticated with the previous one (docs/security.md). */
        managePassword: bool.default(false),
      })
      .optional(),
    /** Redpanda's Admin API as `pulumi up` reaches it: where SCRAM users are written when the brokers lack KIP-554. */
    adminUrls: z
      .array(
        z.url({
          protocol: /^https?$/,
          error:
            'expected an http(s) URL of a broker\'s Admin API, such as "http://127.0.0.1:19644"',
        }),
        { error: "expected a list of Admin API URLs" },
      )
      .min(1, { error: "expected at least one Admin API URL" })
      .optional(),
  });

  const external = section({
    enabled: bool.default(false),
    type: z
      .enum(["NodePort", "LoadBalancer"], { error: 'expected "NodePort" or "LoadBalancer"' })
      .default("NodePort"),
    basePort: port.default(31092),
    advertisedHost: text.optional(),
    /** Put on every per-broker external Service (e.g. an internal-load-balancer annotation). */
    annotations: stringMap("annotation").default({}),
    /** A LoadBalancer listener without TLS and SASL is refused unless this is true. */
    allowPlaintext: bool.default(false),
    /** LoadBalancer only: annotate for an internal load balancer (in-tree AWS controller and AWS Load Balancer Controller). */
    internal: bool.default(true),
    /** LoadBalancer only: `nlb` (either AWS controller), `external` (AWS Load Balancer Controller, IP targets) or `none`. */
    awsLoadBalancerType: z
      .enum(["nlb", "external", "none"], { error: 'expected "nlb", "external" or "none"' })
      .default("nlb"),
    loadBalancerSourceRanges: z
      .array(z.cidrv4({ error: 'expected an IPv4 CIDR such as "10.0.0.0/8"' }))
      .default([]),
    tls: section({
      enabled: bool.default(false),
      certManagerIssuer: z
        .strictObject({
          name: text,
          kind: z
            .enum(["Issuer", "ClusterIssuer"], { error: 'expected "Issuer" or "ClusterIssuer"' })
            .default("ClusterIssuer"),
        })
        .optional(),
    }),
    sasl: section({
      enabled: bool.default(false),
      username: ruled<string>(scramUsernameProblem).default("apphub-admin"),
      mechanism: ruled<ScramMechanism>(scramMechanismProblem).default(SCRAM_MECHANISMS[0]),
    }),
  });

  const cluster = section({
    /** Brokers (StatefulSet replicas); on a stack without one, the environment's broker count. */
    replicas: positiveInt("a broker count of at least 1", MAX_BROKERS).default(
      "fixed" in profile.brokerCount ? profile.brokerCount.fixed : profile.brokerCount.default,
    ),
    image: text.default(REDPANDA_IMAGE),
    cpu: positiveInt(
      "a whole number of CPU cores (it becomes --smp)",
      MAX_CORES_PER_BROKER,
    ).default(profile.cluster.cpu),
    memory: quantity("10Gi").default(profile.cluster.memory),
    storageSize: quantity("10Gi").default("10Gi"),
    storageClass: text.optional(),
    /** Declares `storageClass` with this provisioner, binding at first consumer (docs/kubernetes.md). */
    storageClassProvisioner: text.optional(),
    storageClassParameters: stringMap("parameter").default({}),
    overprovisioned: bool.default(profile.cluster.overprovisioned),
    /** The kubelet CPU manager policy of the brokers' nodes: `static` lets Seastar pin its threads. */
    cpuManagerPolicy: z
      .enum(["none", "static"], {
        error: 'expected "none" or "static" (the kubelet\'s --cpu-manager-policy)',
      })
      .default("none"),
    // Off by default everywhere: rpk's dev-container mode would also enable topic auto-creation and fsync bypass.
    developerMode: bool.default(false),
    antiAffinity: z
      .enum(["required", "preferred"], { error: 'expected "required" or "preferred"' })
      .default(profile.cluster.antiAffinity),
    zoneSpread: bool.default(profile.cluster.zoneSpread),
    terminationGracePeriodSeconds: positiveInt().default(300),
    /** How long a broker may take to open its admin API after (re)start, log recovery included. */
    startupTimeoutSeconds: positiveInt().default(1800),
    /** Namespaces of AppHub's pods; filled with `namespace`. */
    appNamespaces: z.array(dnsLabel).optional(),
    appPodLabels: stringMap("label").default({ "app.kubernetes.io/part-of": "apphub" }),
    /** Prometheus Operator objects and who scrapes the brokers (docs/kubernetes.md, "Monitoring"). */
    monitoring: section({
      /** A ServiceMonitor for /metrics and /public_metrics (needs the Prometheus Operator's CRDs). */
      serviceMonitor: bool.default(profile.cluster.monitoring),
      /** The seed's alerts as a PrometheusRule (needs the Prometheus Operator's CRDs). */
      prometheusRule: bool.default(profile.cluster.monitoring),
      /** On the PrometheusRule and the ServiceMonitor: what the Prometheus' selectors match. */
      labels: stringMap("label").default({ release: "kube-prometheus-stack" }),
      interval: z
        .string({ error: 'expected a Prometheus duration such as "30s"' })
        .regex(/^([0-9]+(ms|s|m|h))+$/, { error: 'expected a Prometheus duration such as "30s"' })
        .default("30s"),
      /** The Prometheus pods admitted to the admin port (9644) to scrape it. */
      prometheus: section({
        namespace: dnsLabel.default("monitoring"),
        podLabels: stringMap("label").default({ "app.kubernetes.io/name": "prometheus" }),
      }),
    }),
    backlogAlertSeconds: positiveInt().default(300),
    external,
    /** The Kubernetes cluster's DNS domain (kubelet `--cluster-domain`). */
    clusterDomain: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
        error: `expected a DNS domain such as "${DEFAULT_CLUSTER_DOMAIN}"`,
      })
      .default(DEFAULT_CLUSTER_DOMAIN),
    /** The operator decommissioned the brokers a lower `replicas` removes (docs/kubernetes.md, "Scaling"). */
    replicasDecreaseDecommissioned: bool.default(false),
  });

  const backup = section({
    enabled: bool.default(profile.backup.enabled),
    bucketName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
        error: "expected an S3 bucket name (3-63 lower-case characters)",
      })
      .default(""),
    region: text.default(DEFAULT_BACKUP.region),
    /** false: use an existing S3-compatible bucket (e.g. AppHub's MinIO at `endpoint`). */
    createBucket: bool.default(profile.backup.createBucket),
    endpoint: z.url({ error: "expected an http(s) URL" }).optional(),
    /** Filled from `endpoint` (`pathStyleByDefault`) when unset. */
    forcePathStyle: bool.optional(),
    encryption: z
      .enum(["aws:kms", "AES256"], { error: 'expected "aws:kms" or "AES256"' })
      .default("aws:kms"),
    prefix: z
      .string()
      .regex(/^\/*[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/*$/, {
        error:
          'expected an S3 key prefix such as "redpanda" (letters, digits and !_.\'()- in "/"-separated segments; the IAM policy is scoped to it)',
      })
      .default(DEFAULT_BACKUP.prefix),
    schedule: z
      .string()
      .regex(CRON, { error: 'expected a five-field cron expression such as "0 * * * *"' })
      .default("0 * * * *"),
    fullEveryHours: wholeNumber(
      `a whole number of hours between ${BACKUP_FULL_EVERY_HOURS.min} and ${BACKUP_FULL_EVERY_HOURS.max} (a year)`,
      BACKUP_FULL_EVERY_HOURS.min,
      BACKUP_FULL_EVERY_HOURS.max,
    ).default(DEFAULT_BACKUP.fullEveryHours),
    retentionDays: positiveInt().default(14),
    noncurrentRetentionDays: positiveInt().default(3),
    image: text.default("ghcr.io/apphub/streaming-backup:0.1.0"),
    roleArn: z
      .string()
      .startsWith("arn:", { error: 'expected an IAM role ARN ("arn:...")' })
      .optional(),
    /** EKS IAM OIDC provider: the created backup role trusts the job's service account through it (IRSA). */
    oidcProviderArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/, {
        error:
          'expected the EKS cluster\'s IAM OIDC provider ARN ("arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>")',
      })
      .optional(),
    accessKeyId: text.optional(),
  });

  const companion = (portDefault: number, image: string) =>
    section({
      enabled: bool.default(true),
      port: port.default(portDefault),
      image: text.default(image),
    });
  const dev = section({
    dataRoot: z
      .string()
      .startsWith("/", { error: "expected an absolute path" })
      .default(env.APPHUB_DATA_ROOT ?? DEFAULT_DATA_ROOT),
    bindAddress: z
      .ipv4({
        error:
          'expected the IPv4 address to publish on, e.g. "127.0.0.1" (loopback) or "0.0.0.0" (every interface)',
      })
      .default(DEFAULT_DEV_LISTENER.bindAddress),
    kafkaPort: port.default(DEFAULT_DEV_LISTENER.kafkaPort),
    adminPort: port.default(19644),
    httpProxyPort: port.default(18082),
    image: text.default(REDPANDA_IMAGE),
    console: companion(28000, CONSOLE_IMAGE),
    sequencer: companion(25432, "postgres:16-alpine"),
  });

  const streaming = section({
    enabled: bool.default(false),
    mirrors: mirrorFlags.prefault({}),
    /** Filled from the environment's `appBrokers` when unset. */
    brokerUrl: z.string().optional(),
    clientId: text.default("apphub-core-stream"),
    connectTimeoutMs: positiveInt().default(5000),
    publishTimeoutMs: positiveInt().default(10000),
    /** deployment name → names of the containers that run AppHub code */
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
      .default(() =>
        Object.fromEntries(
          Object.entries(DEFAULT_STREAMING_TARGETS).map(([name, containers]) => [
            name,
            [...containers],
          ]),
        ),
      ),
    sequencerSecret: z
      .strictObject({ name: dnsLabel, key: text })
      .default({ name: "apphub-sequencer-db", key: "url" }),
  });

  return z.strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `expected one of ${ENVIRONMENTS.join(", ")}` }),
    namespace: dnsLabel.default(DEFAULT_NAMESPACE),
    /** null removes a seed topic from this stack's catalog (it stays on the broker). */
    topics: z
      .record(z.string(), topicOverrideSchema.nullable(), {
        error: "expected a map keyed by topic name",
      })
      .default({}),
    probeTopic: topicNameSchema.default(DEFAULT_PROBE_TOPIC),
    protectTopics: bool.default(profile.protect.topics),
    /** SCRAM users and their ACLs, keyed by user name (docs/security.md). */
    users: z
      .record(z.string().regex(SCRAM_USERNAME_PATTERN), userSchema, {
        error: (issue) =>
          issue.code === "invalid_key"
            ? "expected a user name of letters, digits and ._- (it is the SCRAM user name and the ACL principal User:<name>)"
            : "expected a map keyed by SCRAM user name",
      })
      .default({}),
    kafka,
    cluster,
    backup,
    dev,
    streaming,
  });
}

type StackFields = z.output<ReturnType<typeof stackFields>>;
/** What the stack file set, as the schema accepted it (before any default). */
export type StackInput = z.input<ReturnType<typeof stackFields>>;

/** The brokers this environment has: fixed, or from `cluster.replicas` / `kafka.brokerCount`. */
function brokerCountOf(fields: StackFields, profile: Profile): number {
  const source = profile.brokerCount;
  if ("fixed" in source) return source.fixed;
  return source.key === "cluster.replicas"
    ? fields.cluster.replicas
    : (fields.kafka.brokerCount ?? source.default);
}

function topicSpec(
  name: string,
  override: TopicOverride | undefined,
  defaults: { partitions: number; retentionMs: number; role?: (typeof TOPIC_ROLES)[number] },
  replicationDefault: number,
) {
  const role = override?.role ?? defaults.role;
  return {
    name,
    partitions: override?.partitions ?? defaults.partitions,
    replicationFactor: override?.replicationFactor ?? replicationDefault,
    retentionMs: override?.retentionMs === undefined ? defaults.retentionMs : override.retentionMs,
    /** Other topic configs, values as the broker stores them (strings). */
    config: Object.fromEntries(
      Object.entries(override?.config ?? {}).map(([key, value]) => [key, String(value)]),
    ) as Record<string, string>,
    deletionPolicy: override?.deletionPolicy ?? ("retain" as DeletionPolicy),
    ...(role ? { role } : {}),
    ...(override?.adopt ? { adopt: true } : {}),
  };
}

/** The seed's topics with the stack's overrides (null drops one), then the stack's new topics. */
function catalogOf(overrides: StackFields["topics"], replicationDefault: number) {
  const seedNames = new Set(SEED_TOPICS.map((topic) => topic.name));
  const seeds = SEED_TOPICS.filter((seed) => overrides[seed.name] !== null).map((seed) =>
    topicSpec(seed.name, overrides[seed.name] ?? undefined, seed, replicationDefault),
  );
  const added = Object.entries(overrides).flatMap(([name, override]) =>
    seedNames.has(name) || override === null
      ? []
      : [topicSpec(name, override, NEW_TOPIC_DEFAULTS, replicationDefault)],
  );
  return [...seeds, ...added];
}

/** The core and timestore broker list unless `streaming.brokerUrl` says otherwise. */
function appBrokerUrl(fields: StackFields, profile: Profile): string {
  switch (profile.appBrokers) {
    case "clientService":
      return CLIENT_SERVICE_BROKER;
    case "devListener":
      return devEndpoints(fields.dev).hostBrokers;
    case "kafkaBrokers":
      return (fields.kafka.brokers ?? []).join(",");
  }
}

/** Where `pulumi up` reaches the Admin API unless `kafka.adminUrls` says: the dev stack's published port, else nowhere. */
function defaultAdminUrls(fields: StackFields, profile: Profile): string[] | undefined {
  return profile.bootstrapBrokers === "devListener"
    ? [devEndpoints(fields.dev).adminUrl]
    : undefined;
}

/** The defaults that depend on other keys: broker count, topic catalog, namespaces, addresses. */
function resolveDependentDefaults(fields: StackFields, profile: Profile) {
  const brokerCount = brokerCountOf(fields, profile);
  // kafka.brokerCount only sizes the external cluster: it is `brokerCount` from here on.
  const { brokerCount: _, ...kafka } = fields.kafka;
  return {
    environment: fields.environment,
    namespace: fields.namespace,
    /** Brokers in this environment: 1 in dev, `cluster.replicas` on Kubernetes, `kafka.brokerCount` external. */
    brokerCount,
    topics: catalogOf(fields.topics, Math.min(SEED_REPLICATION, brokerCount)),
    probeTopic: fields.probeTopic,
    protectTopics: fields.protectTopics,
    users: Object.entries(fields.users).map(([name, user]) => ({
      name,
      ...user,
      mechanism: brokerMechanism(user.mechanism),
    })),
    kafka: { ...kafka, adminUrls: kafka.adminUrls ?? defaultAdminUrls(fields, profile) },
    cluster: {
      ...fields.cluster,
      replicas: brokerCount,
      appNamespaces: fields.cluster.appNamespaces ?? [fields.namespace],
    },
    backup: {
      ...fields.backup,
      forcePathStyle: fields.backup.forcePathStyle ?? pathStyleByDefault(fields.backup.endpoint),
    },
    dev: fields.dev,
    streaming: {
      ...fields.streaming,
      brokerUrl: fields.streaming.brokerUrl ?? appBrokerUrl(fields, profile),
    },
  };
}

/** The whole schema for one environment: the fields with its defaults, then the dependent defaults. */
export function stackSchema(profile: Profile, env: NodeJS.ProcessEnv = {}) {
  return stackFields(profile, env).transform((fields) => resolveDependentDefaults(fields, profile));
}

/** Building a schema costs more than parsing with it: one per environment and data-root default. */
const schemas = new Map<string, ReturnType<typeof stackSchema>>();
function cachedSchema(environment: Environment, env: NodeJS.ProcessEnv) {
  const key = `${environment}\u0000${env.APPHUB_DATA_ROOT ?? ""}`;
  let schema = schemas.get(key);
  if (schema === undefined) {
    schema = stackSchema(PROFILES[environment], env);
    schemas.set(key, schema);
  }
  return schema;
}

export type StackConfig = z.output<ReturnType<typeof stackSchema>>;
export type TopicSpec = StackConfig["topics"][number];
export type KafkaUserSpec = StackConfig["users"][number];
export type AclSpec = KafkaUserSpec["acls"][number];
type KafkaSasl = NonNullable<StackConfig["kafka"]["sasl"]>;
export type KafkaClientConfig = Omit<StackConfig["kafka"], "brokers" | "adminUrls" | "sasl"> & {
  /** The SASL user of `pulumi up` and the topics CLI; `managePassword` defaults to false. */
  sasl?: Omit<KafkaSasl, "managePassword"> & { managePassword?: boolean };
  /** Where `pulumi up` / the topics CLI reach the brokers; undefined means "derive from the environment". */
  brokers?: string[] | undefined;
  /** Where `pulumi up` reaches Redpanda's Admin API; undefined: nowhere (fine on brokers that serve KIP-554). */
  adminUrls?: string[] | undefined;
};
export type ClusterConfig = StackConfig["cluster"];
export type BackupConfig = StackConfig["backup"];
export type DevConfig = StackConfig["dev"];
export type StreamingConfig = StackConfig["streaming"];
export type MirrorFlags = StreamingConfig["mirrors"];

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

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
  // An unknown environment is reported by the schema; the field rules do not depend on it.
  const environment = isEnvironment(values.environment) ? values.environment : "dev";
  const schema = cachedSchema(environment, env);
  const parsed = schema.safeParse(values, { reportInput: true });
  if (parsed.success) {
    const config = parsed.data;
    const issues = [
      ...secretIssues,
      ...crossFieldIssues(config, values as StackInput, PROFILES[environment]),
      ...missingSecretIssues(config, raw, source?.stack),
      ...passwordIssues(config, raw, PROFILES[environment], values.users),
      ...adoptedPasswordIssues(config, raw, source?.stack),
    ];
    return issues.length > 0 ? { ok: false, issues: dedupe(issues) } : { ok: true, config };
  }
  // One report carries every problem: the cross-field rules also run, on the config resolved
  // with each value that failed its own rule treated as unset (so it takes its default).
  const issues = [...secretIssues, ...parsed.error.issues.map(toConfigIssue)];
  const rest = withoutPaths(values, parsed.error.issues);
  const resolved = schema.safeParse(rest, { reportInput: true });
  if (resolved.success)
    issues.push(
      ...crossFieldIssues(resolved.data, rest as StackInput, PROFILES[environment]),
      ...passwordIssues(resolved.data, raw, PROFILES[environment], values.users),
      ...adoptedPasswordIssues(resolved.data, raw, source?.stack),
    );
  return { ok: false, issues: dedupe(issues) };
}

export const isSecretKey = (key: string): key is SecretKey =>
  (SECRET_KEYS as readonly string[]).includes(key);

/** The command that stores a credential encrypted (the value itself is never echoed). */
export function setSecretCommand(key: SecretKey, stack: string): string {
  // A map of secrets is set one leaf at a time, each leaf encrypted.
  if (key === "kafkaUserPasswords")
    return `pulumi config set --secret --path '${CONFIG_NAMESPACE}:${key}.<user>' <password> --stack ${stack}`;
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value> --stack ${stack}`;
}

/**
 * The passwords the stack gives Redpanda: each `kafkaUserPasswords` entry must name a declared
 * user and hold a usable password, and a Kubernetes superuser's `kafkaSaslPassword` (it becomes
 * `RP_BOOTSTRAP_USER=user:password:mechanism`) must not contain ':'. Offline the values are
 * placeholders, which pass.
 */
function passwordIssues(
  config: StackConfig,
  raw: Record<string, unknown>,
  profile: Profile,
  givenUsers: unknown,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const passwords = raw.kafkaUserPasswords;
  if (passwords !== undefined && !isRecord(passwords)) {
    issues.push({
      key: keyPath(["kafkaUserPasswords"]),
      message: `expected a map of user name to password, set one at a time: ${setSecretCommand("kafkaUserPasswords", "<stack>")}`,
    });
  }
  // The users the stack file names, even those whose entries failed their own rules.
  const declared = new Set(isRecord(givenUsers) ? Object.keys(givenUsers) : []);
  for (const [name, password] of Object.entries(isRecord(passwords) ? passwords : {})) {
    const problem = declared.has(name)
      ? scramPasswordProblem(password)
      : `expected the name of a user in ${CONFIG_NAMESPACE}:users, got ${JSON.stringify(name)}`;
    if (problem) issues.push({ key: keyPath(["kafkaUserPasswords", name]), message: problem });
  }
  const bootstrap = raw.kafkaSaslPassword;
  if (
    profile.platform === "kubernetes" &&
    config.cluster.external.sasl.enabled &&
    typeof bootstrap === "string" &&
    bootstrap.includes(":")
  ) {
    issues.push({
      key: keyPath(["kafkaSaslPassword"]),
      message: scramPasswordProblem(bootstrap) ?? "expected a password without ':'",
    });
  }
  return issues;
}

/**
 * An adopted user (`adopt: true`) exists with a password its clients use, which nobody can read
 * back: without it as `kafkaUserPasswords.<name>`, `pulumi up` would write a generated one.
 */
function adoptedPasswordIssues(
  config: StackConfig,
  raw: Record<string, unknown>,
  stack = "<stack>",
): ConfigIssue[] {
  const passwords = isRecord(raw.kafkaUserPasswords) ? raw.kafkaUserPasswords : {};
  return config.users
    .filter((user) => user.adopt === true && passwords[user.name] === undefined)
    .map((user) => ({
      key: keyPath(["kafkaUserPasswords", user.name]),
      message:
        `is required: ${CONFIG_NAMESPACE}:users.${user.name}.adopt is true (an existing user; the import cannot read its password), ` +
        `and without it pulumi up would write a generated password and lock out the user's clients: run ${adoptedPasswordCommand(user.name, stack)}`,
    }));
}

/** The command that stores an adopted user's current password as a secret. */
export const adoptedPasswordCommand = (name: string, stack: string): string =>
  `pulumi config set --secret --path '${CONFIG_NAMESPACE}:kafkaUserPasswords["${name}"]' <current password> --stack ${stack}`;

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
