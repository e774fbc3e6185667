/**
 * What the minikube and prod stacks render for the Redpanda cluster: names, Services, the
 * StatefulSet's storage, security, probes and spreading, the PDB, what the NetworkPolicy lets
 * through, the alert rules, the outputs and the ordering of dependents after the brokers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { kubeStackYaml } from "../support/config";
import {
  findObject,
  REPO_ROOT,
  renderRepoStack,
  renderStackYaml,
  type RenderResult,
} from "../support/render";
import type { KubeObject } from "../support/kubeObjects";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const NAMESPACE = "apphub-system";
const SCRAPE = {
  "prometheus.io/scrape": "true",
  "prometheus.io/port": "9644",
  "prometheus.io/path": "/metrics",
};
const SCRAPE_PUBLIC = { ...SCRAPE, "prometheus.io/path": "/public_metrics" };
/** What the repository stacks publish through their external listeners (Pulumi.<stack>.yaml, cluster.external). */
const REPO_EXTERNAL_BROKERS: Record<string, string[]> = {
  minikube: ["192.168.49.2:31092", "192.168.49.2:31093", "192.168.49.2:31094"],
  prod: [
    "redpanda-0.streaming.apphub.internal:9094",
    "redpanda-1.streaming.apphub.internal:9095",
    "redpanda-2.streaming.apphub.internal:9096",
  ],
};

const object = (result: RenderResult, kind: string, name: string): Json =>
  findObject(result, kind, name);
const statefulSet = (stack: string): Json =>
  object(renderRepoStack(stack), "StatefulSet", "apphub-redpanda");
const broker = (stack: string): Json => statefulSet(stack).spec.template.spec.containers[0];
const externalServices = (result: RenderResult): Json[] =>
  result.objects.filter(
    (candidate: KubeObject) =>
      candidate.kind === "Service" && candidate.metadata.name?.endsWith("-external"),
  );

function matches(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

interface Peer {
  namespace: string;
  labels: Record<string, string>;
}

/**
 * NetworkPolicy ingress semantics (for matchLabels selectors, as rendered): a connection to
 * `port` on a pod the policy selects is allowed if some rule lists the port (or no ports) and
 * some `from` peer matches the client, or the rule has no `from`.
 */
function allows(policy: Json, target: Peer, client: Peer, port: number): boolean {
  if (
    target.namespace !== policy.metadata.namespace ||
    !matches(policy.spec.podSelector, target.labels)
  )
    return true;
  const namespaceLabels = { "kubernetes.io/metadata.name": client.namespace };
  return (policy.spec.ingress ?? []).some((rule: Json) => {
    const portOk =
      !rule.ports ||
      rule.ports.some(
        (candidate: Json) => candidate.port === port && (candidate.protocol ?? "TCP") === "TCP",
      );
    if (!portOk) return false;
    if (!rule.from) return true;
    return rule.from.some((peer: Json) => {
      if (peer.ipBlock) return false;
      const namespaceOk = peer.namespaceSelector
        ? matches(peer.namespaceSelector, namespaceLabels)
        : client.namespace === policy.metadata.namespace;
      const podOk = peer.podSelector ? matches(peer.podSelector, client.labels) : true;
      return namespaceOk && podOk;
    });
  });
}

describe("Services", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: client Service apphub-redpanda serves Kafka, admin and HTTP proxy to every broker, not-ready ones too, unscraped`, () => {
      const service = object(renderRepoStack(stack), "Service", "apphub-redpanda");
      expect(service.metadata.namespace).toBe(NAMESPACE);
      // Scraped through the headless and public-metrics Services only: no broker twice per path.
      expect(service.metadata.annotations).toBeUndefined();
      expect(service.spec.type).toBe("ClusterIP");
      // Readiness gates rolls on cluster health: one broker down turns the others not-ready, and clients must still connect.
      expect(service.spec.publishNotReadyAddresses).toBe(true);
      expect(service.spec.ports.map((port: Json) => [port.name, port.port])).toEqual([
        ["kafka", 9092],
        ["admin", 9644],
        ["http-proxy", 8082],
      ]);
      expect(
        matches(
          { matchLabels: service.spec.selector },
          statefulSet(stack).spec.template.metadata.labels,
        ),
      ).toBe(true);
    });

    it(`${stack}: headless Service publishes not-ready brokers (peer discovery) and carries RPC and scrape annotations`, () => {
      const service = object(renderRepoStack(stack), "Service", "apphub-redpanda-headless");
      expect(service.spec.clusterIP).toBe("None");
      expect(service.spec.publishNotReadyAddresses).toBe(true);
      expect(service.metadata.annotations).toEqual(SCRAPE);
      expect(service.spec.ports.map((port: Json) => port.port)).toEqual([9092, 9644, 8082, 33145]);
      expect(statefulSet(stack).spec.serviceName).toBe("apphub-redpanda-headless");
    });

    it(`${stack}: /public_metrics is scraped through its own headless Service, not-ready brokers included`, () => {
      const service = object(renderRepoStack(stack), "Service", "apphub-redpanda-public-metrics");
      expect(service.metadata.annotations).toEqual(SCRAPE_PUBLIC);
      expect(service.spec.clusterIP).toBe("None");
      expect(service.spec.publishNotReadyAddresses).toBe(true);
      expect(service.spec.ports.map((port: Json) => port.port)).toEqual([9644]);
      expect(
        matches(
          { matchLabels: service.spec.selector },
          statefulSet(stack).spec.template.metadata.labels,
        ),
      ).toBe(true);
    });
  }

  it("publishes each broker through its own external Service: NodePorts on minikube, internal load balancers in prod", () => {
    expect(
      externalServices(renderRepoStack("minikube")).map((service) => [
        service.metadata.name,
        service.spec.type,
        service.spec.ports[0].nodePort,
      ]),
    ).toEqual([
      ["apphub-redpanda-0-external", "NodePort", 31092],
      ["apphub-redpanda-1-external", "NodePort", 31093],
      ["apphub-redpanda-2-external", "NodePort", 31094],
    ]);
    const prod = externalServices(renderRepoStack("prod"));
    expect(
      prod.map((service) => [service.metadata.name, service.spec.type, service.spec.ports[0].port]),
    ).toEqual([
      ["apphub-redpanda-0-external", "LoadBalancer", 9094],
      ["apphub-redpanda-1-external", "LoadBalancer", 9095],
      ["apphub-redpanda-2-external", "LoadBalancer", 9096],
    ]);
    prod.forEach((service, ordinal) => {
      // Internal for the in-tree AWS controller and for the AWS Load Balancer Controller alike.
      expect(service.metadata.annotations).toEqual({
        // An NLB for either AWS controller: the in-tree one would otherwise make a Classic ELB.
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "external-dns.alpha.kubernetes.io/hostname": `redpanda-${ordinal}.streaming.apphub.internal`,
      });
      expect(service.spec.loadBalancerSourceRanges).toEqual(["10.0.0.0/8"]);
    });
  });
});

describe("StatefulSet apphub-redpanda", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: forms one cluster on first start and rolls one broker at a time`, () => {
      const sts = statefulSet(stack);
      expect(sts.metadata.namespace).toBe(NAMESPACE);
      expect(sts.spec.replicas).toBe(3);
      expect(sts.spec.podManagementPolicy).toBe("Parallel");
      expect(sts.spec.updateStrategy.type).toBe("RollingUpdate");
      expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(300);
    });

    it(`${stack}: runs as the Redpanda user with fsGroup ownership, no root init container, no privileges`, () => {
      const pod = statefulSet(stack).spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsUser: 101,
        runAsGroup: 101,
        fsGroup: 101,
        fsGroupChangePolicy: "OnRootMismatch",
        runAsNonRoot: true,
      });
      expect(pod.initContainers).toBeUndefined();
      const container = broker(stack);
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.securityContext.capabilities.add).toBeUndefined();
      // Everything Redpanda and rpk write lives on a volume, since the root filesystem is read-only.
      const mounts = Object.fromEntries(
        container.volumeMounts.map((mount: Json) => [mount.mountPath, mount.name]),
      );
      expect(mounts).toMatchObject({
        "/var/lib/redpanda/data": "datadir",
        "/etc/redpanda": "config",
        "/tmp": "tmp",
        "/var/lib/redpanda/.config": "rpk-home",
      });
      const volumes = Object.fromEntries(pod.volumes.map((volume: Json) => [volume.name, volume]));
      for (const name of ["config", "tmp", "rpk-home"]) expect(volumes[name].emptyDir).toEqual({});
      expect(volumes.scripts.configMap.name).toMatch(/^apphub-redpanda-scripts-[0-9a-f]{10}$/);
    });

    it(`${stack}: readiness gates on the broker and cluster health, liveness on an answering admin server, a startup probe covering recovery`, () => {
      const container = broker(stack);
      expect(container.readinessProbe.exec.command).toEqual([
        "/bin/bash",
        "/etc/apphub-redpanda/readiness.sh",
      ]);
      expect(container.readinessProbe.httpGet).toBeUndefined();
      // Liveness: the admin server answers HTTP (a hung one does not); never cluster health.
      expect(container.livenessProbe.httpGet).toEqual({ path: "/v1/status/ready", port: 9644 });
      expect(container.livenessProbe.exec).toBeUndefined();
      // An exec, not an httpGet: /v1/status/ready answers 200 while booting (hooks test: startup.sh).
      expect(container.startupProbe.exec.command).toEqual([
        "/bin/bash",
        "/etc/apphub-redpanda/startup.sh",
      ]);
      expect(
        container.startupProbe.periodSeconds * container.startupProbe.failureThreshold,
      ).toBeGreaterThanOrEqual(1800);
    });

    it(`${stack}: starts through the rendered script with the pod name from the downward API`, () => {
      const container = broker(stack);
      expect(container.command).toEqual(["/bin/bash", "/etc/apphub-redpanda/start.sh"]);
      expect(container.env).toContainEqual({
        name: "POD_NAME",
        valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
      });
      // The repository stack enables the external listener, which every broker binds on 9094.
      expect(container.ports.map((port: Json) => port.containerPort)).toEqual([
        9092, 9644, 8082, 33145, 9094,
      ]);
    });
  }

  it("sizes minikube brokers for shared CPUs and prod brokers for dedicated ones, at least 2.5Gi per core", () => {
    expect(broker("minikube").resources).toEqual({
      limits: { cpu: "1", memory: "2.5Gi" },
      requests: { cpu: "250m", memory: "2.5Gi" },
    });
    expect(broker("prod").resources).toEqual({
      limits: { cpu: "4", memory: "10Gi" },
      requests: { cpu: "4", memory: "10Gi" },
    });
    for (const stack of ["minikube", "prod"]) {
      const { limits } = broker(stack).resources;
      const gib = Number(limits.memory.replace("Gi", ""));
      expect(gib / Number(limits.cpu), stack).toBeGreaterThanOrEqual(2.5);
    }
  });

  it("claims 10Gi of the standard class on minikube and the prod stack's 100Gi gp3, and never deletes claims", () => {
    const claim = (stack: string) => statefulSet(stack).spec.volumeClaimTemplates[0];
    expect(claim("minikube").metadata.name).toBe("datadir");
    expect(claim("minikube").spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "standard",
      resources: { requests: { storage: "10Gi" } },
    });
    expect(claim("prod").spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      storageClassName: "gp3",
      resources: { requests: { storage: "100Gi" } },
    });
    for (const stack of ["minikube", "prod"]) {
      expect(statefulSet(stack).spec.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: "Retain",
        whenScaled: "Retain",
      });
    }
  });

  it("omits the storage class when the stack sets none (the cluster default)", async () => {
    const result = await renderStackYaml("minikube", kubeStackYaml("minikube"));
    expect(result.status, result.stderr).toBe(0);
    const claim = object(result, "StatefulSet", "apphub-redpanda").spec.volumeClaimTemplates[0];
    expect(claim.spec.storageClassName).toBeUndefined();
    expect(claim.spec.resources.requests.storage).toBe("10Gi");
  });

  it("requires one broker per node in prod and spreads across zones; minikube only prefers it", () => {
    const prod = statefulSet("prod").spec.template.spec;
    const term = prod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe("kubernetes.io/hostname");
    expect(matches(term.labelSelector, statefulSet("prod").spec.template.metadata.labels)).toBe(
      true,
    );
    expect(prod.topologySpreadConstraints).toEqual([
      expect.objectContaining({
        topologyKey: "topology.kubernetes.io/zone",
        maxSkew: 1,
        whenUnsatisfiable: "DoNotSchedule",
      }),
    ]);
    const minikube = statefulSet("minikube").spec.template.spec;
    expect(
      minikube.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toBeUndefined();
    expect(
      minikube.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]
        .podAffinityTerm.topologyKey,
    ).toBe("kubernetes.io/hostname");
    expect(minikube.topologySpreadConstraints).toBeUndefined();
  });
});

describe("PodDisruptionBudget", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: lets at most one broker be disrupted`, () => {
      const pdb = object(renderRepoStack(stack), "PodDisruptionBudget", "apphub-redpanda");
      expect(pdb.apiVersion).toBe("policy/v1");
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.minAvailable).toBeUndefined();
      expect(matches(pdb.spec.selector, statefulSet(stack).spec.template.metadata.labels)).toBe(
        true,
      );
    });
  }
});

describe("NetworkPolicy", () => {
  const policy = (): Json => object(renderRepoStack("prod"), "NetworkPolicy", "apphub-redpanda");
  const brokerPod = (): Peer => ({
    namespace: NAMESPACE,
    labels: statefulSet("prod").spec.template.metadata.labels,
  });
  const appPod: Peer = {
    namespace: NAMESPACE,
    labels: { "app.kubernetes.io/part-of": "apphub", app: "apphub-core-api" },
  };
  const unlabelledPod: Peer = { namespace: NAMESPACE, labels: { app: "something-else" } };
  const appLabelsElsewhere: Peer = {
    namespace: "other-team",
    labels: { "app.kubernetes.io/part-of": "apphub" },
  };
  const prometheus: Peer = {
    namespace: "monitoring",
    labels: { "app.kubernetes.io/name": "prometheus", prometheus: "kube-prometheus-stack" },
  };
  const opsJob: Peer = {
    namespace: NAMESPACE,
    labels: { "streaming.apphub.io/admin-api": "true", "job-name": "decommission-2" },
  };
  const opsLabelElsewhere: Peer = {
    namespace: "other-team",
    labels: { "streaming.apphub.io/admin-api": "true" },
  };
  const grafanaInMonitoring: Peer = {
    namespace: "monitoring",
    labels: { "app.kubernetes.io/name": "grafana" },
  };

  it("selects the broker pods and governs ingress", () => {
    expect(matches(policy().spec.podSelector, brokerPod().labels)).toBe(true);
    expect(policy().spec.policyTypes).toEqual(["Ingress"]);
  });

  it.each([
    ["AppHub workload", appPod, { 9092: true, 8082: true, 9644: false, 33145: false }],
    [
      "unlabelled pod in the namespace",
      unlabelledPod,
      { 9092: false, 8082: false, 9644: false, 33145: false },
    ],
    [
      "AppHub labels in another namespace",
      appLabelsElsewhere,
      { 9092: false, 8082: false, 9644: false, 33145: false },
    ],
    ["Prometheus", prometheus, { 9092: false, 8082: false, 9644: true, 33145: false }],
    [
      "an ops job (admin-api label)",
      opsJob,
      { 9092: false, 8082: false, 9644: true, 33145: false },
    ],
    [
      "the admin-api label in another namespace",
      opsLabelElsewhere,
      { 9092: false, 8082: false, 9644: false, 33145: false },
    ],
    [
      "another pod of the monitoring namespace",
      grafanaInMonitoring,
      { 9092: false, 8082: false, 9644: false, 33145: false },
    ],
  ])("%s reaches exactly the allowed ports", (_name, client, expected) => {
    const actual = Object.fromEntries(
      Object.keys(expected).map((port) => [
        port,
        allows(policy(), brokerPod(), client, Number(port)),
      ]),
    );
    expect(actual).toEqual(
      Object.fromEntries(Object.entries(expected).map(([port, allowed]) => [port, allowed])),
    );
  });

  it("lets brokers reach each other on RPC, admin and Kafka", () => {
    for (const port of [33145, 9644, 9092])
      expect(allows(policy(), brokerPod(), brokerPod(), port), String(port)).toBe(true);
  });

  it("follows cluster.appNamespaces, cluster.appPodLabels and cluster.monitoring.prometheus", async () => {
    const result = await renderStackYaml(
      "prod",
      kubeStackYaml("prod", [
        "  apphub-streaming:cluster:",
        "    appNamespaces: [apphub-core, apphub-timestore]",
        "    appPodLabels:",
        '      apphub.io/streaming-client: "true"',
        "    monitoring:",
        "      prometheus: { namespace: observability, podLabels: { app: prometheus } }",
      ]),
    );
    expect(result.status, result.stderr).toBe(0);
    const custom = object(result, "NetworkPolicy", "apphub-redpanda");
    const client = (
      namespace: string,
      labels: Record<string, string> = { "apphub.io/streaming-client": "true" },
    ): Peer => ({ namespace, labels });
    expect(allows(custom, brokerPod(), client("apphub-core"), 9092)).toBe(true);
    expect(allows(custom, brokerPod(), client("apphub-timestore"), 8082)).toBe(true);
    expect(allows(custom, brokerPod(), client(NAMESPACE), 9092)).toBe(false);
    expect(
      allows(
        custom,
        brokerPod(),
        client("apphub-core", { "app.kubernetes.io/part-of": "apphub" }),
        9092,
      ),
    ).toBe(false);
    expect(allows(custom, brokerPod(), client("observability", { app: "prometheus" }), 9644)).toBe(
      true,
    );
    expect(allows(custom, brokerPod(), client("observability", {}), 9644)).toBe(false);
    expect(allows(custom, brokerPod(), client("monitoring", { app: "prometheus" }), 9644)).toBe(
      false,
    );
  });

  it("opens the external listener port to everyone only when the listener is enabled", async () => {
    const anywhere: Peer = { namespace: "anywhere", labels: {} };
    // The repository's prod stack enables the listener (internal load balancers): 9094 is open, RPC is not.
    expect(allows(policy(), brokerPod(), anywhere, 9094)).toBe(true);
    expect(allows(policy(), brokerPod(), anywhere, 33145)).toBe(false);
    // A prod stack that reaches its brokers through kafka.brokers instead keeps 9094 closed and publishes nothing.
    const internalOnly = await renderStackYaml("prod", kubeStackYaml("prod"));
    expect(internalOnly.status, internalOnly.stderr).toBe(0);
    expect(
      allows(object(internalOnly, "NetworkPolicy", "apphub-redpanda"), brokerPod(), anywhere, 9094),
    ).toBe(false);
    expect(externalServices(internalOnly)).toEqual([]);
    expect(internalOnly.outputs.externalBrokers).toEqual([]);
    const result = await renderStackYaml(
      "minikube",
      [
        "config:",
        "  apphub-streaming:environment: minikube",
        "  apphub-streaming:backup:",
        "    bucketName: apphub-snapshots",
        "  apphub-streaming:cluster:",
        "    external: { enabled: true, advertisedHost: 192.168.49.2 }",
        "",
      ].join("\n"),
    );
    expect(result.status, result.stderr).toBe(0);
    const open = object(result, "NetworkPolicy", "apphub-redpanda");
    expect(allows(open, brokerPod(), anywhere, 9094)).toBe(true);
    expect(allows(open, brokerPod(), anywhere, 33145)).toBe(false);
    expect(
      externalServices(result).map((service) => [
        service.metadata.name,
        service.spec.type,
        service.spec.ports[0].nodePort,
      ]),
    ).toEqual([
      ["apphub-redpanda-0-external", "NodePort", 31092],
      ["apphub-redpanda-1-external", "NodePort", 31093],
      ["apphub-redpanda-2-external", "NodePort", 31094],
    ]);
    expect(result.outputs.externalBrokers).toEqual([
      "192.168.49.2:31092",
      "192.168.49.2:31093",
      "192.168.49.2:31094",
    ]);
  });
});

describe("monitoring: PrometheusRule and ServiceMonitor", () => {
  it("renders the seed's alerts and a disk alert in prod, labelled for kube-prometheus-stack, and nothing on minikube", () => {
    const rule = object(renderRepoStack("prod"), "PrometheusRule", "apphub-redpanda");
    expect(rule.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
    const rules = rule.spec.groups.flatMap((group: Json) => group.rules);
    expect(rules.map((candidate: Json) => candidate.alert)).toEqual([
      "RedpandaClusterUnhealthy",
      "RedpandaSegmentCreationSpike",
      "RedpandaKafkaLatencyHigh",
      "RedpandaPartitionsUnderReplicated",
      "RedpandaPartitionMovementStuck",
      "RedpandaDiskSpaceLow",
      "RedpandaDiskSpaceDegraded",
      "AppHubStreamMirrorPublishFailures",
      "AppHubStreamMirrorPublishSlow",
      "TimestoreStreamingBacklogHigh",
    ]);
    // Brokers are selected by a label both scrape shapes keep, never by namespace.
    for (const candidate of rules) {
      expect(candidate.expr, candidate.alert).not.toMatch(/(^|[^_a-z])namespace\s*(=|!=|=~|!~)"/);
      if (candidate.alert.startsWith("Redpanda"))
        expect(candidate.expr, candidate.alert).toContain('redpanda_cluster="apphub-system"');
    }
    const minikube = renderRepoStack("minikube").objects.map((candidate) => candidate.kind);
    expect(minikube).not.toContain("PrometheusRule");
    expect(minikube).not.toContain("ServiceMonitor");
  });

  it("scrapes /metrics and /public_metrics of every broker through a ServiceMonitor that carries redpanda_cluster", () => {
    const result = renderRepoStack("prod");
    const monitor = object(result, "ServiceMonitor", "apphub-redpanda");
    expect(monitor.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(monitor.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(monitor.spec.endpoints).toEqual([
      { port: "admin", path: "/metrics", scheme: "http", interval: "30s", honorLabels: false },
      {
        port: "admin",
        path: "/public_metrics",
        scheme: "http",
        interval: "30s",
        honorLabels: false,
      },
    ]);
    expect(monitor.spec.targetLabels).toEqual(["redpanda_cluster"]);
    // It selects exactly one Service, the public-metrics one, whose pods are every broker.
    const services = result.objects.filter((candidate: KubeObject) => candidate.kind === "Service");
    const selected = services.filter((service: Json) =>
      matches(monitor.spec.selector, service.metadata.labels),
    );
    expect(selected.map((service: Json) => service.metadata.name)).toEqual([
      "apphub-redpanda-public-metrics",
    ]);
    const [service] = selected as Json[];
    expect(service.metadata.labels.redpanda_cluster).toBe("apphub-system");
    expect(service.spec.ports.map((port: Json) => port.name)).toContain("admin");
    // The annotation job copies Service labels onto targets: both scraped Services carry the label.
    expect(
      object(result, "Service", "apphub-redpanda-headless").metadata.labels.redpanda_cluster,
    ).toBe("apphub-system");
  });

  it("follows cluster.monitoring: labels, interval, backlog threshold, and either object off", async () => {
    const result = await renderStackYaml(
      "prod",
      kubeStackYaml("prod", [
        "  apphub-streaming:cluster:",
        "    backlogAlertSeconds: 900",
        "    monitoring:",
        "      serviceMonitor: false",
        "      labels: { release: prometheus-stack, team: streaming }",
        "      interval: 15s",
      ]),
    );
    expect(result.status, result.stderr).toBe(0);
    const rule = object(result, "PrometheusRule", "apphub-redpanda");
    expect(rule.metadata.labels).toMatchObject({ release: "prometheus-stack", team: "streaming" });
    const backlog = rule.spec.groups
      .flatMap((group: Json) => group.rules)
      .find((candidate: Json) => candidate.alert === "TimestoreStreamingBacklogHigh");
    expect(backlog.expr).toBe("max by (namespace) (timestore_streaming_backlog_seconds) > 900");
    expect(result.objects.some((candidate) => candidate.kind === "ServiceMonitor")).toBe(false);
    const onMinikube = await renderStackYaml(
      "minikube",
      kubeStackYaml("minikube", [
        "  apphub-streaming:cluster:",
        "    monitoring: { serviceMonitor: true, interval: 15s }",
      ]),
    );
    expect(onMinikube.status, onMinikube.stderr).toBe(0);
    expect(object(onMinikube, "ServiceMonitor", "apphub-redpanda").spec.endpoints[0].interval).toBe(
      "15s",
    );
    expect(onMinikube.objects.some((candidate) => candidate.kind === "PrometheusRule")).toBe(false);
  });
});

describe("outputs and ordering", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: exports the in-cluster bootstrap address, admin URL and the external listener's broker addresses`, () => {
      const outputs = renderRepoStack(stack).outputs;
      expect(outputs.brokerUrl).toBe("apphub-redpanda:9092");
      expect(outputs.adminUrl).toBe("http://apphub-redpanda.apphub-system.svc.cluster.local:9644");
      expect(outputs.externalBrokers).toEqual(REPO_EXTERNAL_BROKERS[stack]);
    });

    it(`${stack}: the StatefulSet waits for what it mounts and its headless Service; topics and env patches wait for the StatefulSet`, () => {
      const result = renderRepoStack(stack);
      const sts = result.resources.find(
        (resource) => resource.type === "kubernetes:apps/v1:StatefulSet",
      );
      expect(sts?.name).toBe("apphub-redpanda-brokers");
      // Prod declares its gp3 StorageClass (the claims bind through it).
      const secured =
        stack === "prod"
          ? [
              "apphub-redpanda-external-tls",
              "apphub-redpanda-superuser",
              "apphub-redpanda-storage-class",
            ]
          : [];
      expect([...(sts?.dependsOn ?? [])].sort()).toEqual(
        [
          "apphub-redpanda-headless",
          "apphub-redpanda-replicas",
          "apphub-redpanda-scripts",
          "apphub-redpanda-topology",
          ...secured,
        ].sort(),
      );
      const patches = result.resources.filter(
        (resource) => resource.type === "kubernetes:apps/v1:DeploymentPatch",
      );
      expect(patches.length).toBeGreaterThan(0);
      for (const patch of patches)
        expect(patch.dependsOn, patch.name).toContain("apphub-redpanda-brokers");
      const topics = result.resources.filter((resource) => resource.type.endsWith(":KafkaTopic"));
      expect(topics.length).toBeGreaterThan(0);
      for (const topic of topics)
        expect(topic.dependsOn, topic.name).toContain("apphub-redpanda-brokers");
    });
  }

  it("protects the prod StatefulSet from deletion and replacement, not minikube's", () => {
    const protect = (stack: string) =>
      renderRepoStack(stack).resources.find(
        (resource) => resource.type === "kubernetes:apps/v1:StatefulSet",
      )?.options.protect;
    expect(protect("prod")).toBe(true);
    expect(protect("minikube")).toBe(false);
  });

  it("orphans the broker pods when the StatefulSet is replaced, so they are adopted and rolled rather than deleted at once", () => {
    for (const stack of ["minikube", "prod"]) {
      expect(statefulSet(stack).metadata.annotations).toEqual({
        "pulumi.com/deletionPropagationPolicy": "orphan",
      });
    }
  });
});

describe("refused configurations", () => {
  it("exits 2 naming apphub-streaming:cluster.overprovisioned for a prod stack that enables it", async () => {
    const result = await renderStackYaml(
      "prod",
      kubeStackYaml("prod", ["  apphub-streaming:cluster:", "    overprovisioned: true"]),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("apphub-streaming:cluster.overprovisioned");
    expect(result.stderr).toContain("expected false in prod");
    expect(result.resources).toEqual([]);
  });

  it("exits 2 naming apphub-streaming:cluster.developerMode for a prod stack that enables it", async () => {
    const result = await renderStackYaml(
      "prod",
      kubeStackYaml("prod", ["  apphub-streaming:cluster:", "    developerMode: true"]),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("apphub-streaming:cluster.developerMode");
  });

  const plaintextLoadBalancer = (extra: string[] = []) =>
    kubeStackYaml("prod", [
      "  apphub-streaming:cluster:",
      "    external:",
      "      enabled: true",
      "      type: LoadBalancer",
      "      basePort: 9094",
      "      advertisedHost: redpanda-{ordinal}.streaming.apphub.internal",
      ...extra,
    ]);

  it("exits 2 naming cluster.external.tls.enabled and cluster.external.sasl.enabled for a plaintext LoadBalancer listener", async () => {
    const result = await renderStackYaml("prod", plaintextLoadBalancer());
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "apphub-streaming:cluster.external.tls.enabled: expected true for a LoadBalancer listener",
    );
    expect(result.stderr).toContain(
      "apphub-streaming:cluster.external.sasl.enabled: expected true for a LoadBalancer listener",
    );
    expect(result.stderr).toContain("apphub-streaming:cluster.external.allowPlaintext: true");
    expect(result.resources).toEqual([]);
  });

  it("renders the plaintext LoadBalancer when cluster.external.allowPlaintext says so, still internal", async () => {
    const result = await renderStackYaml(
      "prod",
      plaintextLoadBalancer(["      allowPlaintext: true"]),
    );
    expect(result.status, result.stderr).toBe(0);
    const service = findObject(result, "Service", "apphub-redpanda-0-external") as Json;
    expect(
      service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-internal"],
    ).toBe("true");
    expect(result.resources.some((resource) => resource.type.startsWith("tls:"))).toBe(false);
  });
});

describe("secured external listener (prod)", () => {
  it("serves TLS from a program-made CA kept in a Secret, and SASL/SCRAM with a bootstrap superuser from a secret", () => {
    const result = renderRepoStack("prod");
    const types = result.resources.map((resource) => resource.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "tls:index/selfSignedCert:SelfSignedCert",
        "tls:index/locallySignedCert:LocallySignedCert",
      ]),
    );
    const tlsSecret = findObject(result, "Secret", "apphub-redpanda-external-tls") as Json;
    expect(tlsSecret.type).toBe("kubernetes.io/tls");
    // Key material never reaches the render in plain text.
    // Keys kept (so the server accepts the Secret), every value masked.
    expect(tlsSecret.stringData).toEqual({
      "ca.crt": "[secret]",
      "tls.crt": "[secret]",
      "tls.key": "[secret]",
    });
    expect(JSON.stringify(tlsSecret)).not.toContain("PRIVATE KEY");
    const container = broker("prod");
    expect(container.env).toContainEqual({
      name: "RP_BOOTSTRAP_USER",
      valueFrom: { secretKeyRef: { name: "apphub-redpanda-superuser", key: "RP_BOOTSTRAP_USER" } },
    });
    expect(container.volumeMounts).toContainEqual({
      name: "external-tls",
      mountPath: "/etc/tls/external",
      readOnly: true,
    });
    expect(statefulSet("prod").spec.template.spec.volumes).toContainEqual({
      name: "external-tls",
      secret: { secretName: "apphub-redpanda-external-tls", defaultMode: 0o440 },
    });
    expect(result.outputs.superuserPassword).toBe("[secret]");
  });

  it("the topic bootstrap connects through it with TLS and the superuser's SCRAM credentials", () => {
    const topic = renderRepoStack("prod").resources.find((resource) =>
      resource.type.endsWith(":KafkaTopic"),
    ) as Json;
    // TLS trusting exactly the program's own CA (its PEM exists only after pulumi up).
    expect(topic.inputs.connection.tls).toEqual({
      enabled: true,
      rejectUnauthorized: true,
      ca: "[generated at pulumi up]",
    });
    expect(topic.inputs.connection.sasl).toEqual({
      mechanism: "scram-sha-256",
      username: "apphub-admin",
    });
  });

  it("uses a cert-manager Certificate instead when an issuer is configured, and no @pulumi/tls resources", async () => {
    const yaml = fs
      .readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace(
        "      tls:\n        enabled: true\n",
        "      tls:\n        enabled: true\n        certManagerIssuer:\n          name: apphub-internal-ca\n",
      );
    const result = await renderStackYaml("prod", yaml);
    expect(result.status, result.stderr).toBe(0);
    const certificate = findObject(result, "Certificate", "apphub-redpanda-external-tls") as Json;
    expect(certificate.spec.secretName).toBe("apphub-redpanda-external-tls");
    expect(certificate.spec.issuerRef).toEqual({
      name: "apphub-internal-ca",
      kind: "ClusterIssuer",
      group: "cert-manager.io",
    });
    expect(certificate.spec.dnsNames).toEqual(
      [0, 1, 2].map((ordinal) => `redpanda-${ordinal}.streaming.apphub.internal`),
    );
    expect(result.resources.some((resource) => resource.type.startsWith("tls:"))).toBe(false);
  });

  it("keeps minikube free of @pulumi/tls, random and aws resources (plaintext NodePort)", () => {
    const types = renderRepoStack("minikube").resources.map((resource) => resource.type);
    expect(types.filter((type) => /^(tls|random|aws):/.test(type))).toEqual([]);
  });
});

describe("security and operations in the prod render (issues #19, #20)", () => {
  it("turns authorization and admin API authentication on, and mounts only the superuser's name and password for the hooks", () => {
    const result = renderRepoStack("prod");
    const scripts = result.objects.find(
      (candidate: KubeObject) =>
        candidate.kind === "ConfigMap" &&
        candidate.metadata.name?.startsWith("apphub-redpanda-scripts-"),
    ) as Json;
    const bootstrap = parseYaml(scripts.data["bootstrap.yaml"]);
    expect(bootstrap).toMatchObject({
      kafka_enable_authorization: true,
      admin_api_require_auth: true,
      superusers: ["apphub-admin"],
    });
    const pod = statefulSet("prod").spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: "admin-credentials",
      secret: {
        secretName: "apphub-redpanda-superuser",
        defaultMode: 0o440,
        items: [
          { key: "username", path: "username" },
          { key: "password", path: "password" },
        ],
      },
    });
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: "admin-credentials",
      mountPath: "/etc/apphub-redpanda-admin",
      readOnly: true,
    });
    // Minikube has no superuser: nothing to mount, no authentication to ask for.
    const minikube = statefulSet("minikube").spec.template.spec;
    expect(minikube.volumes.map((volume: Json) => volume.name)).not.toContain("admin-credentials");
  });

  it("puts an NLB type on every LoadBalancer, declares gp3 binding at first consumer and holds a restarted broker for minReadySeconds", () => {
    const result = renderRepoStack("prod");
    const loadBalancers = result.objects.filter(
      (candidate: KubeObject) =>
        candidate.kind === "Service" && (candidate as Json).spec.type === "LoadBalancer",
    ) as Json[];
    expect(loadBalancers).toHaveLength(3);
    for (const service of loadBalancers)
      expect(
        service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"],
        service.metadata.name,
      ).toBe("nlb");
    expect(findObject(result, "StorageClass", "gp3")).toMatchObject({
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3" },
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Retain",
    });
    expect(statefulSet("prod").spec.volumeClaimTemplates[0].spec.storageClassName).toBe("gp3");
    expect(statefulSet("prod").spec.minReadySeconds).toBe(10);
    // Minikube uses its existing "standard" class: none declared.
    expect(
      renderRepoStack("minikube").objects.filter(
        (candidate: KubeObject) => candidate.kind === "StorageClass",
      ),
    ).toEqual([]);
  });
});
