/**
 * Every Kubernetes object of the Redpanda cluster, as plain data derived from the stack config.
 * `components/RedpandaCluster.ts` only declares them; all decisions are made (and unit-tested)
 * here.
 */
import type { types } from "@pulumi/kubernetes";
import type { ClusterConfig } from "../config/schema";
import { externalHost, externalPort } from "./addresses";
import { alertRuleGroups, type RuleGroup } from "./alerts";
import {
  ADMIN_CLIENT_LABELS,
  CLIENT_SERVICE_NAME,
  clusterMetricLabels,
  CLUSTER_METRIC_LABEL,
  COMMON_LABELS,
  CONTAINER_NAME,
  EXTERNAL_TLS_SECRET_NAME,
  HEADLESS_SERVICE_NAME,
  NETWORK_POLICY_NAME,
  ordinals,
  PATHS,
  PDB_NAME,
  podName,
  PORTS,
  PROMETHEUS_RULE_NAME,
  PUBLIC_METRICS_SERVICE_NAME,
  REDPANDA_GID,
  REDPANDA_UID,
  scrapeAnnotations,
  SCRIPT_FILES,
  SELECTOR_LABELS,
  SERVICE_MONITOR_NAME,
  STATEFULSET_NAME,
  SUPERUSER_SECRET_NAME,
  TOPOLOGY_CONFIGMAP_NAME,
} from "./constants";
import { READINESS_RPK_TIMEOUT_SECONDS, renderScripts, renderTopology } from "./scripts";
import { authorizationEnabled } from "./grants";
import { brokerSizing } from "./sizing";

export type Meta = types.input.meta.v1.ObjectMeta;
type StatefulSetSpec = types.input.apps.v1.StatefulSetSpec;
type ServiceSpec = types.input.core.v1.ServiceSpec;
type ServicePort = types.input.core.v1.ServicePort;
type ContainerPort = types.input.core.v1.ContainerPort;
type Affinity = types.input.core.v1.Affinity;
type TopologySpreadConstraint = types.input.core.v1.TopologySpreadConstraint;
type PodDisruptionBudgetSpec = types.input.policy.v1.PodDisruptionBudgetSpec;
type NetworkPolicySpec = types.input.networking.v1.NetworkPolicySpec;
type NetworkPolicyIngressRule = types.input.networking.v1.NetworkPolicyIngressRule;

export interface Manifest<Spec> {
  apiVersion: string;
  kind: string;
  metadata: Meta & { name: string; namespace: string };
  spec: Spec;
}

type ConfigMapManifest = {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: Meta & { name: string; namespace: string };
  data: Record<string, string>;
};

export interface ClusterManifests {
  scripts: ConfigMapManifest;
  /** Seeds and external addresses under a fixed name: a scale-up does not roll the brokers. */
  topology: ConfigMapManifest;
  statefulSet: Manifest<StatefulSetSpec>;
  clientService: Manifest<ServiceSpec>;
  headlessService: Manifest<ServiceSpec>;
  /** Scraped for /public_metrics; the headless Service is scraped for /metrics. */
  publicMetricsService: Manifest<ServiceSpec>;
  /** cert-manager Certificate of the external listener, when `cluster.external.tls.certManagerIssuer` is set. */
  certificate?: Manifest<Record<string, unknown>>;
  /** One per broker when `cluster.external.enabled`, in ordinal order. */
  externalServices: Manifest<ServiceSpec>[];
  podDisruptionBudget: Manifest<PodDisruptionBudgetSpec>;
  networkPolicy: Manifest<NetworkPolicySpec>;
  /** Present when `cluster.storageClassProvisioner`: the class of the brokers' volumes. */
  storageClass?: StorageClassManifest;
  /** Present when `cluster.monitoring.prometheusRule`. */
  prometheusRule?: Manifest<{ groups: RuleGroup[] }>;
  /** Present when `cluster.monitoring.serviceMonitor`: scrapes /metrics and /public_metrics. */
  serviceMonitor?: Manifest<ServiceMonitorSpec>;
}

/** A cluster-scoped StorageClass (storage.k8s.io/v1); every field but the labels is immutable. */
export interface StorageClassManifest {
  apiVersion: "storage.k8s.io/v1";
  kind: "StorageClass";
  metadata: { name: string; labels: Record<string, string> };
  provisioner: string;
  parameters: Record<string, string>;
  volumeBindingMode: "WaitForFirstConsumer";
  reclaimPolicy: "Retain";
  allowVolumeExpansion: true;
}

/**
 * The brokers' StorageClass. Zonal volumes (EBS) must be made in the zone the scheduler puts the
 * broker in, or zone spread and required anti-affinity leave pods unschedulable next to a
 * volume in another zone: bind at first consumer (Kubernetes' default is Immediate). Retain:
 * deleting a claim by mistake keeps the volume.
 */
function storageClass(cluster: ClusterConfig): StorageClassManifest | undefined {
  if (!cluster.storageClassProvisioner || !cluster.storageClass) return undefined;
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: cluster.storageClass, labels: { ...COMMON_LABELS } },
    provisioner: cluster.storageClassProvisioner,
    parameters: { ...cluster.storageClassParameters },
    volumeBindingMode: "WaitForFirstConsumer",
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
  };
}

/** The fields of a Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1) this program sets. */
export interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  targetLabels: string[];
  endpoints: { port: string; path: string; scheme: "http"; interval: string; honorLabels: false }[];
}

const NAMED_PORTS = {
  kafka: "kafka",
  kafkaExternal: "kafka-external",
  admin: "admin",
  httpProxy: "http-proxy",
  rpc: "rpc",
} as const;
const SCRIPTS_VOLUME = "scripts";
const DATA_VOLUME = "datadir";
const TOPOLOGY_VOLUME = "topology";
const EXTERNAL_TLS_VOLUME = "external-tls";
const ADMIN_CREDENTIALS_VOLUME = "admin-credentials";
const PROBE_PERIOD_SECONDS = 10;
/**
 * A restarted broker counts as available only after this long ready: a broker that turns ready
 * and crashes right after does not let the roll (or the PDB) take the next one down.
 */
export const MIN_READY_SECONDS = 10;

function metadata(
  name: string,
  namespace: string,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
) {
  return {
    name,
    namespace,
    labels: { ...COMMON_LABELS, ...extra.labels },
    ...(extra.annotations && Object.keys(extra.annotations).length > 0
      ? { annotations: { ...extra.annotations } }
      : {}),
  };
}

export const tlsEnabled = (cluster: ClusterConfig): boolean =>
  cluster.external.enabled && cluster.external.tls.enabled;
export const saslEnabled = (cluster: ClusterConfig): boolean =>
  cluster.external.enabled && cluster.external.sasl.enabled;

/** Names the external listener's certificate must carry: every advertised host (IPv4 hosts go in ipAddresses). */
export function externalTlsNames(cluster: ClusterConfig): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const hosts = [
    ...new Set(
      ordinals(cluster.replicas).map((ordinal) => externalHost(cluster.external, ordinal)),
    ),
  ];
  const isIp = (host: string) => /^[0-9]+(\.[0-9]+){3}$/.test(host);
  return { dnsNames: hosts.filter((host) => !isIp(host)), ipAddresses: hosts.filter(isIp) };
}

/**
 * Internal-load-balancer annotations both AWS controllers understand: the in-tree controller
 * reads `aws-load-balancer-internal`, the AWS Load Balancer Controller reads
 * `aws-load-balancer-scheme` (and ignores the other). With only one of them, the other
 * controller would create an internet-facing load balancer.
 */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, string>> = {
  "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
};

/**
 * The load balancer's type, which no AWS controller picks well by itself: without an annotation
 * the in-tree controller makes a Classic ELB (60 s idle timeout cuts quiet Kafka connections).
 * `nlb`: the in-tree controller makes an NLB ("nlb" is the only value it accepts), and the AWS
 * Load Balancer Controller (v2.5+, its Service webhook on) takes the Service over as an NLB too.
 * `external`: the AWS Load Balancer Controller only (the in-tree one then makes nothing), IP
 * targets. `none`: no annotation (not on AWS).
 */
export function loadBalancerTypeAnnotations(
  type: ClusterConfig["external"]["awsLoadBalancerType"],
): Record<string, string> {
  if (type === "nlb") return { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" };
  if (type === "external")
    return {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    };
  return {};
}

const brokerSelector = () => ({ matchLabels: { ...SELECTOR_LABELS } });
/** Tells the public-metrics Service (the ServiceMonitor's target) from the other two. */
const METRICS_SERVICE_LABELS = { "app.kubernetes.io/component": "metrics" };

function affinity(cluster: ClusterConfig): Affinity {
  const term = { labelSelector: brokerSelector(), topologyKey: "kubernetes.io/hostname" };
  return {
    podAntiAffinity:
      cluster.antiAffinity === "required"
        ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
        : {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: term },
            ],
          },
  };
}

function topologySpread(cluster: ClusterConfig): TopologySpreadConstraint[] {
  if (!cluster.zoneSpread) return [];
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: brokerSelector(),
    },
  ];
}

function containerPorts(cluster: ClusterConfig): ContainerPort[] {
  const ports: { name: string; containerPort: number }[] = [
    { name: NAMED_PORTS.kafka, containerPort: PORTS.kafka },
    { name: NAMED_PORTS.admin, containerPort: PORTS.admin },
    { name: NAMED_PORTS.httpProxy, containerPort: PORTS.httpProxy },
    { name: NAMED_PORTS.rpc, containerPort: PORTS.rpc },
  ];
  if (cluster.external.enabled)
    ports.push({ name: NAMED_PORTS.kafkaExternal, containerPort: PORTS.kafkaExternal });
  return ports.map((port) => ({ ...port, protocol: "TCP" }));
}

function statefulSetSpec(cluster: ClusterConfig, scriptsConfigMap: string): StatefulSetSpec {
  const sizing = brokerSizing(cluster);
  const scriptPath = (file: string) => `${PATHS.scripts}/${file}`;
  const emptyDirs = [
    { name: "config", mountPath: PATHS.config },
    { name: "rpk-home", mountPath: PATHS.rpkHome },
    { name: "tmp", mountPath: PATHS.tmp },
  ];
  const admin = { port: PORTS.admin };
  return {
    replicas: cluster.replicas,
    minReadySeconds: MIN_READY_SECONDS,
    serviceName: HEADLESS_SERVICE_NAME,
    selector: brokerSelector(),
    // All brokers must be up together for the seed servers to found the cluster.
    podManagementPolicy: "Parallel",
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
    // Volumes outlive the StatefulSet and scale-downs: nothing here deletes broker data.
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    template: {
      // Scrape annotations stay on the Services (as the seed has them): on the pods too, Prometheus would scrape each broker once more.
      metadata: { labels: { ...COMMON_LABELS } },
      spec: {
        terminationGracePeriodSeconds: cluster.terminationGracePeriodSeconds,
        enableServiceLinks: false,
        automountServiceAccountToken: false,
        securityContext: {
          runAsNonRoot: true,
          runAsUser: REDPANDA_UID,
          runAsGroup: REDPANDA_GID,
          fsGroup: REDPANDA_GID,
          // Only a fresh (or foreign-owned) volume is chowned; a large data dir is not walked on every start.
          fsGroupChangePolicy: "OnRootMismatch",
          seccompProfile: { type: "RuntimeDefault" },
        },
        affinity: affinity(cluster),
        ...(cluster.zoneSpread ? { topologySpreadConstraints: topologySpread(cluster) } : {}),
        containers: [
          {
            name: CONTAINER_NAME,
            image: cluster.image,
            command: ["/bin/bash", scriptPath(SCRIPT_FILES.start)],
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              // Read by Redpanda when it founds the cluster: creates the SCRAM superuser (user:password:mechanism).
              ...(saslEnabled(cluster)
                ? [
                    {
                      name: "RP_BOOTSTRAP_USER",
                      valueFrom: {
                        secretKeyRef: { name: SUPERUSER_SECRET_NAME, key: "RP_BOOTSTRAP_USER" },
                      },
                    },
                  ]
                : []),
            ],
            ports: containerPorts(cluster),
            resources: sizing.resources,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: REDPANDA_UID,
              runAsGroup: REDPANDA_GID,
              allowPrivilegeEscalation: false,
              privileged: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"] },
            },
            // /v1/status/ready answers HTTP 200 from early in startup, "booting" in its body until the
            // broker serves: startup.sh wants "ready". Its budget covers log recovery after a crash or a
            // disk swap, and liveness starts after it.
            startupProbe: {
              exec: { command: ["/bin/bash", scriptPath(SCRIPT_FILES.startup)] },
              periodSeconds: PROBE_PERIOD_SECONDS,
              timeoutSeconds: 5,
              failureThreshold: Math.ceil(cluster.startupTimeoutSeconds / PROBE_PERIOD_SECONDS),
            },
            // Alive means the admin server answers HTTP within 5s: a hung admin server fails it, a
            // broker that is booting or whose cluster is unhealthy does not (restarting healthy
            // brokers because another one is down would cascade).
            livenessProbe: {
              httpGet: { path: "/v1/status/ready", ...admin },
              periodSeconds: PROBE_PERIOD_SECONDS,
              timeoutSeconds: 5,
              failureThreshold: 6,
            },
            // The roll gate: this broker says "ready" and the cluster is healthy (scripts.ts, readiness.sh).
            readinessProbe: {
              exec: { command: ["/bin/bash", scriptPath(SCRIPT_FILES.readiness)] },
              periodSeconds: PROBE_PERIOD_SECONDS,
              timeoutSeconds: READINESS_RPK_TIMEOUT_SECONDS + 5,
              failureThreshold: 3,
              successThreshold: 1,
            },
            lifecycle: {
              postStart: { exec: { command: ["/bin/bash", scriptPath(SCRIPT_FILES.postStart)] } },
              preStop: { exec: { command: ["/bin/bash", scriptPath(SCRIPT_FILES.preStop)] } },
            },
            terminationMessagePolicy: "File",
            volumeMounts: [
              { name: DATA_VOLUME, mountPath: PATHS.data },
              { name: SCRIPTS_VOLUME, mountPath: PATHS.scripts, readOnly: true },
              { name: TOPOLOGY_VOLUME, mountPath: PATHS.topology, readOnly: true },
              ...(tlsEnabled(cluster)
                ? [{ name: EXTERNAL_TLS_VOLUME, mountPath: PATHS.externalTls, readOnly: true }]
                : []),
              ...(authorizationEnabled(cluster)
                ? [
                    {
                      name: ADMIN_CREDENTIALS_VOLUME,
                      mountPath: PATHS.adminCredentials,
                      readOnly: true,
                    },
                  ]
                : []),
              ...emptyDirs.map(({ name, mountPath }) => ({ name, mountPath })),
            ],
          },
        ],
        volumes: [
          { name: SCRIPTS_VOLUME, configMap: { name: scriptsConfigMap, defaultMode: 0o555 } },
          { name: TOPOLOGY_VOLUME, configMap: { name: TOPOLOGY_CONFIGMAP_NAME } },
          // A renewed certificate reaches the mounted files without a restart; Redpanda reloads them.
          ...(tlsEnabled(cluster)
            ? [
                {
                  name: EXTERNAL_TLS_VOLUME,
                  secret: { secretName: EXTERNAL_TLS_SECRET_NAME, defaultMode: 0o440 },
                },
              ]
            : []),
          // The hooks' admin API superuser (admin_api_require_auth), as files: a rotated password
          // reaches them without a restart. Only the name and the password, not RP_BOOTSTRAP_USER.
          ...(authorizationEnabled(cluster)
            ? [
                {
                  name: ADMIN_CREDENTIALS_VOLUME,
                  secret: {
                    secretName: SUPERUSER_SECRET_NAME,
                    defaultMode: 0o440,
                    items: [
                      { key: "username", path: "username" },
                      { key: "password", path: "password" },
                    ],
                  },
                },
              ]
            : []),
          ...emptyDirs.map(({ name }) => ({ name, emptyDir: {} })),
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: DATA_VOLUME, labels: { ...SELECTOR_LABELS } },
        spec: {
          accessModes: ["ReadWriteOnce"],
          ...(cluster.storageClass ? { storageClassName: cluster.storageClass } : {}),
          resources: { requests: { storage: cluster.storageSize } },
        },
      },
    ],
  };
}

function servicePorts(withRpc: boolean): ServicePort[] {
  const ports: { name: string; port: number; targetPort: string }[] = [
    { name: NAMED_PORTS.kafka, port: PORTS.kafka, targetPort: NAMED_PORTS.kafka },
    { name: NAMED_PORTS.admin, port: PORTS.admin, targetPort: NAMED_PORTS.admin },
    { name: NAMED_PORTS.httpProxy, port: PORTS.httpProxy, targetPort: NAMED_PORTS.httpProxy },
  ];
  if (withRpc) ports.push({ name: NAMED_PORTS.rpc, port: PORTS.rpc, targetPort: NAMED_PORTS.rpc });
  return ports.map((port) => ({ ...port, protocol: "TCP" }));
}

function externalService(
  namespace: string,
  cluster: ClusterConfig,
  ordinal: number,
): Manifest<ServiceSpec> {
  const port = externalPort(cluster.external, ordinal);
  const loadBalancer = cluster.external.type === "LoadBalancer";
  const annotations = {
    ...(loadBalancer ? loadBalancerTypeAnnotations(cluster.external.awsLoadBalancerType) : {}),
    ...(loadBalancer && cluster.external.internal ? INTERNAL_LB_ANNOTATIONS : {}),
    ...cluster.external.annotations,
  };
  if (loadBalancer) {
    // For external-dns, when installed: publishes the name this broker advertises.
    annotations["external-dns.alpha.kubernetes.io/hostname"] ??= externalHost(
      cluster.external,
      ordinal,
    );
  }
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(`${podName(ordinal)}-external`, namespace, { annotations }),
    spec: {
      type: cluster.external.type,
      // The pod behind this Service advertises exactly this port, so no other broker may answer on it.
      selector: { ...SELECTOR_LABELS, "statefulset.kubernetes.io/pod-name": podName(ordinal) },
      publishNotReadyAddresses: true,
      ...(loadBalancer && cluster.external.loadBalancerSourceRanges.length > 0
        ? { loadBalancerSourceRanges: [...cluster.external.loadBalancerSourceRanges] }
        : {}),
      ports: [
        {
          name: NAMED_PORTS.kafkaExternal,
          port,
          targetPort: NAMED_PORTS.kafkaExternal,
          protocol: "TCP",
          ...(cluster.external.type === "NodePort" ? { nodePort: port } : {}),
        },
      ],
    },
  };
}

function certificate(
  namespace: string,
  cluster: ClusterConfig,
): Manifest<Record<string, unknown>> | undefined {
  const issuer = cluster.external.tls.certManagerIssuer;
  if (!tlsEnabled(cluster) || !issuer) return undefined;
  const names = externalTlsNames(cluster);
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: metadata(EXTERNAL_TLS_SECRET_NAME, namespace),
    spec: {
      secretName: EXTERNAL_TLS_SECRET_NAME,
      issuerRef: { name: issuer.name, kind: issuer.kind, group: "cert-manager.io" },
      ...(names.dnsNames.length > 0 ? { dnsNames: names.dnsNames } : {}),
      ...(names.ipAddresses.length > 0 ? { ipAddresses: names.ipAddresses } : {}),
      usages: ["server auth", "digital signature", "key encipherment"],
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    },
  };
}

function networkPolicySpec(cluster: ClusterConfig): NetworkPolicySpec {
  const brokers = { podSelector: brokerSelector() };
  const namespaceSelector = (name: string) => ({
    matchLabels: { "kubernetes.io/metadata.name": name },
  });
  const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
  const appWorkloads = cluster.appNamespaces.map((name) => ({
    namespaceSelector: namespaceSelector(name),
    podSelector: { matchLabels: { ...cluster.appPodLabels } },
  }));
  const ingress: NetworkPolicyIngressRule[] = [
    // Brokers are listed too: rpk run in a broker pod follows metadata to the other brokers.
    { ports: tcp(PORTS.kafka, PORTS.httpProxy), from: [...appWorkloads, brokers] },
    {
      ports: tcp(PORTS.admin),
      from: [
        {
          namespaceSelector: namespaceSelector(cluster.monitoring.prometheus.namespace),
          podSelector: { matchLabels: { ...cluster.monitoring.prometheus.podLabels } },
        },
        { podSelector: { matchLabels: { ...ADMIN_CLIENT_LABELS } } },
        brokers,
      ],
    },
    { ports: tcp(PORTS.rpc), from: [brokers] },
  ];
  // The external listener exists to be reached from outside the cluster (where `pulumi up` runs).
  if (cluster.external.enabled) ingress.push({ ports: tcp(PORTS.kafkaExternal) });
  return { podSelector: brokerSelector(), policyTypes: ["Ingress"], ingress };
}

export function buildClusterManifests(namespace: string, cluster: ClusterConfig): ClusterManifests {
  const scripts = renderScripts(namespace, cluster);
  const manifests: ClusterManifests = {
    scripts: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(scripts.name, namespace),
      data: scripts.data,
    },
    statefulSet: {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: metadata(STATEFULSET_NAME, namespace, {
        // Changing an immutable field (volumeClaimTemplates, selector) replaces the StatefulSet.
        // Orphaning keeps the brokers running; the new StatefulSet adopts them and rolls them
        // one at a time, drained, instead of all of them being deleted at once.
        annotations: { "pulumi.com/deletionPropagationPolicy": "orphan" },
      }),
      spec: statefulSetSpec(cluster, scripts.name),
    },
    topology: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(TOPOLOGY_CONFIGMAP_NAME, namespace),
      data: renderTopology(namespace, cluster),
    },
    clientService: {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(CLIENT_SERVICE_NAME, namespace),
      spec: {
        type: "ClusterIP",
        // Readiness gates rolls on cluster health, so with one broker down the others turn
        // not-ready too: clients must still reach them through this bootstrap address.
        publishNotReadyAddresses: true,
        selector: { ...SELECTOR_LABELS },
        ports: servicePorts(false),
      },
    },
    headlessService: {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(HEADLESS_SERVICE_NAME, namespace, {
        labels: clusterMetricLabels(namespace),
        annotations: scrapeAnnotations("/metrics"),
      }),
      spec: {
        clusterIP: "None",
        // Brokers must find each other before any of them is ready, or the cluster never forms.
        publishNotReadyAddresses: true,
        selector: { ...SELECTOR_LABELS },
        ports: servicePorts(true),
      },
    },
    publicMetricsService: {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(PUBLIC_METRICS_SERVICE_NAME, namespace, {
        labels: { ...METRICS_SERVICE_LABELS, ...clusterMetricLabels(namespace) },
        annotations: scrapeAnnotations("/public_metrics"),
      }),
      spec: {
        clusterIP: "None",
        // An unhealthy cluster is exactly when its metrics matter.
        publishNotReadyAddresses: true,
        selector: { ...SELECTOR_LABELS },
        ports: [
          {
            name: NAMED_PORTS.admin,
            port: PORTS.admin,
            targetPort: NAMED_PORTS.admin,
            protocol: "TCP",
          },
        ],
      },
    },
    externalServices: cluster.external.enabled
      ? ordinals(cluster.replicas).map((ordinal) => externalService(namespace, cluster, ordinal))
      : [],
    podDisruptionBudget: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(PDB_NAME, namespace),
      spec: { maxUnavailable: 1, selector: brokerSelector() },
    },
    networkPolicy: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata(NETWORK_POLICY_NAME, namespace),
      spec: networkPolicySpec(cluster),
    },
  };
  const cert = certificate(namespace, cluster);
  if (cert) manifests.certificate = cert;
  const volumeClass = storageClass(cluster);
  if (volumeClass) manifests.storageClass = volumeClass;
  Object.assign(manifests, monitoringManifests(namespace, cluster));
  return manifests;
}

/** The PrometheusRule and the ServiceMonitor, each when `cluster.monitoring` asks for it. */
function monitoringManifests(
  namespace: string,
  cluster: ClusterConfig,
): Pick<ClusterManifests, "prometheusRule" | "serviceMonitor"> {
  const { monitoring } = cluster;
  const labels = { labels: { ...monitoring.labels } };
  const endpoint = (path: "/metrics" | "/public_metrics") => ({
    port: NAMED_PORTS.admin,
    path,
    scheme: "http" as const,
    interval: monitoring.interval,
    // Redpanda's own `namespace` (internal metrics) is kept as exported_namespace; rules use redpanda_cluster.
    honorLabels: false as const,
  });
  return {
    ...(monitoring.prometheusRule
      ? {
          prometheusRule: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: metadata(PROMETHEUS_RULE_NAME, namespace, labels),
            spec: { groups: alertRuleGroups(namespace, cluster) },
          },
        }
      : {}),
    ...(monitoring.serviceMonitor
      ? {
          serviceMonitor: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: metadata(SERVICE_MONITOR_NAME, namespace, labels),
            spec: {
              // The public-metrics Service: every broker once, not-ready ones included.
              selector: {
                matchLabels: {
                  "app.kubernetes.io/instance": STATEFULSET_NAME,
                  ...METRICS_SERVICE_LABELS,
                },
              },
              targetLabels: [CLUSTER_METRIC_LABEL],
              endpoints: [endpoint("/metrics"), endpoint("/public_metrics")],
            },
          },
        }
      : {}),
  };
}
