/**
 * Names, ports and paths of the Kubernetes Redpanda cluster. The object names are the ones
 * AppHub's kustomize overlay used (seed, "Minikube & Kubernetes"), so clients configured with
 * `apphub-redpanda:9092` keep working.
 */
export const STATEFULSET_NAME = "apphub-redpanda";
export const CLIENT_SERVICE_NAME = "apphub-redpanda";
export const HEADLESS_SERVICE_NAME = "apphub-redpanda-headless";
export const PDB_NAME = "apphub-redpanda";
export const NETWORK_POLICY_NAME = "apphub-redpanda";
export const PROMETHEUS_RULE_NAME = "apphub-redpanda";
export const SERVICE_MONITOR_NAME = "apphub-redpanda";
/** The scripts ConfigMap carries a content hash after this prefix, so a change rolls the brokers. */
export const SCRIPTS_CONFIGMAP_PREFIX = "apphub-redpanda-scripts";
/**
 * What depends on the broker count (seed servers, external addresses): a ConfigMap with a fixed
 * name, read by the start script, so a scale-up does not change the pod template and restart
 * every broker. A broker picks a change up at its next start.
 */
export const TOPOLOGY_CONFIGMAP_NAME = "apphub-redpanda-topology";
/** Scraped for /public_metrics (the `redpanda_` series); the headless Service is scraped for /metrics. */
export const PUBLIC_METRICS_SERVICE_NAME = "apphub-redpanda-public-metrics";
/** `RP_BOOTSTRAP_USER` (user:password:mechanism) and the superuser's name and password. */
export const SUPERUSER_SECRET_NAME = "apphub-redpanda-superuser";
/** kubernetes.io/tls Secret of the external listener (from cert-manager or made by the component). */
export const EXTERNAL_TLS_SECRET_NAME = "apphub-redpanda-external-tls";
export const CONTAINER_NAME = "redpanda";
/**
 * Pods of the brokers' namespace with this label reach the admin API (9644): operators' jobs
 * (e.g. `kubectl run --labels streaming.apphub.io/admin-api=true ...`). Nothing else does but
 * the brokers and the Prometheus pods of `cluster.monitoring.prometheus`.
 */
export const ADMIN_CLIENT_LABELS: Readonly<Record<string, string>> = {
  "streaming.apphub.io/admin-api": "true",
};
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export const PORTS = {
  kafka: 9092,
  /** Container port of the optional external Kafka listener (the Services map basePort+ordinal to it). */
  kafkaExternal: 9094,
  admin: 9644,
  httpProxy: 8082,
  rpc: 33145,
} as const;

/** The Redpanda image's user and group (the official chart's defaults). */
export const REDPANDA_UID = 101;
export const REDPANDA_GID = 101;

export const PATHS = {
  data: "/var/lib/redpanda/data",
  /** Written by `rpk redpanda start` at every start: an emptyDir, so the root filesystem stays read-only. */
  config: "/etc/redpanda",
  scripts: "/etc/apphub-redpanda",
  topology: "/etc/apphub-redpanda-topology",
  externalTls: "/etc/tls/external",
  /** `username` and `password` of the superuser Secret, for the hooks' admin API calls (admin_api_require_auth). */
  adminCredentials: "/etc/apphub-redpanda-admin",
  /** rpk keeps its profile under $HOME/.config (HOME is /var/lib/redpanda in the image). */
  rpkHome: "/var/lib/redpanda/.config",
  tmp: "/tmp",
} as const;

export const SCRIPT_FILES = {
  start: "start.sh",
  preStop: "pre-stop.sh",
  postStart: "post-start.sh",
  startup: "startup.sh",
  readiness: "readiness.sh",
  bootstrapYaml: "bootstrap.yaml",
  redpandaYaml: "redpanda.yaml",
} as const;

/**
 * Seconds kept for Redpanda's own shutdown after the preStop drain: the drain deadline is the
 * termination grace period minus this, so the hook reports a timeout before the kubelet kills it.
 */
export const SHUTDOWN_MARGIN_SECONDS = 60;
/**
 * postStart returns (exit 0, logged) after this long, or the broker's startup budget if shorter;
 * a background copy then keeps trying for the startup budget (`cluster.startupTimeoutSeconds`).
 */
export const POST_START_TIMEOUT_SECONDS = 300;
export const MIN_TERMINATION_GRACE_SECONDS = SHUTDOWN_MARGIN_SECONDS + 30;

/** Kubernetes' default NodePort range (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** Placeholder in `cluster.external.advertisedHost` replaced by the pod ordinal. */
export const ORDINAL_PLACEHOLDER = "{ordinal}";

/** Labels that select the broker pods (immutable once the StatefulSet exists). */
export const SELECTOR_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "redpanda",
  "app.kubernetes.io/instance": STATEFULSET_NAME,
  "app.kubernetes.io/component": "broker",
};

export const COMMON_LABELS: Readonly<Record<string, string>> = {
  ...SELECTOR_LABELS,
  "app.kubernetes.io/part-of": "apphub-streaming",
  "app.kubernetes.io/managed-by": "pulumi",
};

/**
 * The label every broker series carries, whichever way Prometheus scrapes: a label of the
 * scraped Services that the annotation scrape job copies onto targets (its `labelmap` of
 * `__meta_kubernetes_service_label_(.+)`) and the ServiceMonitor names in `targetLabels`.
 * Redpanda emits no label of that name, so `honor_labels` cannot replace it (its own
 * `namespace`, the Kafka namespace, does replace Kubernetes' under the annotation job). The
 * value is the cluster's namespace (one cluster per namespace). Rules select brokers by it.
 */
export const CLUSTER_METRIC_LABEL = "redpanda_cluster";

export function clusterMetricLabels(namespace: string): Record<string, string> {
  return { [CLUSTER_METRIC_LABEL]: namespace };
}

/**
 * The annotations AppHub's platform Prometheus discovers scrape targets by (seed, "Metrics &
 * Alerting"). An annotation names one path, so each path has its own Service: the headless
 * Service for `/metrics` (`vectorized_*`), {@link PUBLIC_METRICS_SERVICE_NAME} for
 * `/public_metrics` (`redpanda_*`). The client Service carries none, so no broker is scraped twice.
 */
export function scrapeAnnotations(path: "/metrics" | "/public_metrics"): Record<string, string> {
  return {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": String(PORTS.admin),
    "prometheus.io/path": path,
  };
}

export function podName(ordinal: number): string {
  return `${STATEFULSET_NAME}-${ordinal}`;
}

/** `<pod>.apphub-redpanda-headless.<ns>.svc.<domain>`: what each broker advertises in the cluster. */
export function brokerFqdn(
  namespace: string,
  ordinal: number,
  clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
): string {
  return `${podName(ordinal)}.${HEADLESS_SERVICE_NAME}.${namespace}.svc.${clusterDomain}`;
}

export function clientServiceFqdn(
  namespace: string,
  clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
): string {
  return `${CLIENT_SERVICE_NAME}.${namespace}.svc.${clusterDomain}`;
}

export function ordinals(replicas: number): number[] {
  return Array.from({ length: replicas }, (_, ordinal) => ordinal);
}
