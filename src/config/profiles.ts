/**
 * What each environment means, in one table. The schema takes its per-environment defaults and
 * refusals from here, `program.ts` chooses the components by `platform`, and the CLIs find the
 * brokers through `bootstrapBrokers`. A new environment is one row here plus, if it deploys
 * something new, its components.
 */
import { CLIENT_SERVICE_NAME, PORTS } from "../cluster/constants";
import { DEV_BROKER_SIZE } from "../dev/plan";

/**
 * `dev`: the local Docker stack; `minikube` / `prod`: the Redpanda StatefulSet on Kubernetes;
 * `external`: an existing Redpanda or Kafka cluster this program does not deploy (Redpanda Cloud,
 * an operator-managed cluster, the dev broker) — only the topic catalog and the env injection.
 */
export const ENVIRONMENTS = ["dev", "minikube", "prod", "external"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Where the in-cluster Service takes Kafka clients (the address AppHub's overlay used). */
export const CLIENT_SERVICE_BROKER = `${CLIENT_SERVICE_NAME}:${PORTS.kafka}`;

/** Brokers per environment; `cluster`/`dev` defaults that differ by environment. */
export interface ClusterDefaults {
  cpu: number;
  memory: string;
  /** Shared CPUs: Seastar does not pin threads or busy-poll. */
  overprovisioned: boolean;
  antiAffinity: "required" | "preferred";
  zoneSpread: boolean;
  /** `cluster.monitoring.serviceMonitor` and `.prometheusRule`: the Prometheus Operator runs there. */
  monitoring: boolean;
}

export interface Profile {
  /** What `pulumi up` deploys besides the topic catalog: the dev Docker stack, the Redpanda StatefulSet, or nothing. */
  platform: "docker" | "kubernetes" | "none";
  /** How many brokers there are: fixed, or read from a config key with a default. */
  brokerCount:
    { fixed: number } | { key: "cluster.replicas" | "kafka.brokerCount"; default: number };
  /** CPU cores per broker for the partition bound: fixed, the `cluster.cpu` key, or unknown (only the absolute bound applies). */
  coresPerBroker: number | "cluster.cpu" | "unknown";
  /** Config sections this environment has nothing to apply to: setting them is refused. */
  refusedSections: readonly ("cluster" | "dev")[];
  /** `cluster.*` defaults (only a Kubernetes profile uses them; the others keep them for a complete config). */
  cluster: ClusterDefaults;
  /** Dedicated CPUs: `cluster.overprovisioned` and `cluster.developerMode` are refused. */
  dedicatedCpu: boolean;
  /** Pulumi `protect` defaults: topics (`protectTopics`), the StatefulSet (its replace restarts every broker), the backup bucket. */
  protect: { topics: boolean; statefulSet: boolean; bucket: boolean };
  /** Backup defaults; `allowed: false` refuses `backup.enabled: true` (nothing here to snapshot). */
  backup: { enabled: boolean; createBucket: boolean; allowed: boolean };
  /**
   * The brokers core and timestore are given unless `streaming.brokerUrl` says: the in-cluster
   * client Service, the dev stack's host listener (AppHub runs on the host), or `kafka.brokers`
   * (then `streaming.brokerUrl` is required once streaming is on: where `pulumi up` reaches the
   * cluster need not be where the pods do).
   */
  appBrokers: "clientService" | "devListener" | "kafkaBrokers";
  /**
   * Where `pulumi up` and the topics CLI reach the brokers unless `kafka.brokers` says: the dev
   * host listener, the cluster's external listener (`cluster.external`; without it
   * `kafka.brokers` is required), or nowhere (`kafka.brokers` is required).
   */
  bootstrapBrokers: "devListener" | "externalListener" | "required";
}

const SHARED_CPU_CLUSTER: ClusterDefaults = {
  cpu: 1,
  memory: "2.5Gi",
  overprovisioned: false,
  antiAffinity: "preferred",
  zoneSpread: false,
  monitoring: false,
};

export const PROFILES: Readonly<Record<Environment, Profile>> = {
  dev: {
    platform: "docker",
    brokerCount: { fixed: 1 },
    coresPerBroker: DEV_BROKER_SIZE.cores,
    refusedSections: [],
    cluster: SHARED_CPU_CLUSTER,
    dedicatedCpu: false,
    protect: { topics: false, statefulSet: false, bucket: false },
    backup: { enabled: false, createBucket: false, allowed: true },
    appBrokers: "devListener",
    bootstrapBrokers: "devListener",
  },
  minikube: {
    platform: "kubernetes",
    brokerCount: { key: "cluster.replicas", default: 3 },
    coresPerBroker: "cluster.cpu",
    refusedSections: [],
    cluster: { ...SHARED_CPU_CLUSTER, overprovisioned: true },
    dedicatedCpu: false,
    protect: { topics: false, statefulSet: false, bucket: false },
    backup: { enabled: true, createBucket: false, allowed: true },
    appBrokers: "clientService",
    bootstrapBrokers: "externalListener",
  },
  prod: {
    platform: "kubernetes",
    brokerCount: { key: "cluster.replicas", default: 3 },
    coresPerBroker: "cluster.cpu",
    refusedSections: [],
    cluster: {
      cpu: 4,
      memory: "10Gi",
      overprovisioned: false,
      antiAffinity: "required",
      zoneSpread: true,
      monitoring: true,
    },
    dedicatedCpu: true,
    protect: { topics: true, statefulSet: true, bucket: true },
    backup: { enabled: true, createBucket: true, allowed: true },
    appBrokers: "clientService",
    bootstrapBrokers: "externalListener",
  },
  external: {
    platform: "none",
    // A production-shaped cluster unless kafka.brokerCount says otherwise.
    brokerCount: { key: "kafka.brokerCount", default: 3 },
    coresPerBroker: "unknown",
    refusedSections: ["cluster", "dev"],
    cluster: SHARED_CPU_CLUSTER,
    dedicatedCpu: false,
    protect: { topics: false, statefulSet: false, bucket: false },
    backup: { enabled: false, createBucket: false, allowed: false },
    appBrokers: "kafkaBrokers",
    bootstrapBrokers: "required",
  },
};

export const isEnvironment = (value: unknown): value is Environment =>
  (ENVIRONMENTS as readonly unknown[]).includes(value);
