import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { externalBrokers, seedServers } from "../../src/cluster/addresses";
import { alertRuleGroups, REDPANDA_METRICS_USED } from "../../src/cluster/alerts";
import { brokerFqdn, SELECTOR_LABELS } from "../../src/cluster/constants";
import { buildClusterManifests } from "../../src/cluster/manifests";
import {
  clusterBootstrapProperties,
  drainTimeoutSeconds,
  renderScripts,
  shellQuote,
} from "../../src/cluster/scripts";
import {
  brokerSizing,
  containerMemoryMiB,
  quantityToBytes,
  redpandaMemoryMiB,
  reserveMemoryMiB,
  storageMinFreeBytes,
} from "../../src/cluster/sizing";
import {
  configIssues,
  KUBE_BASICS,
  loadBalancerListener,
  SECURED,
  validConfig,
} from "../support/config";

/** The keys a prod stack with these `cluster` settings is refused for. */
const prodIssueKeys = (cluster: Record<string, unknown>): string[] =>
  configIssues({ environment: "prod", ...KUBE_BASICS, cluster }).map((issue) => issue.key);

/** Plain JSON view of a manifest (the builders' Pulumi input types allow promises; these are plain). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const plain = (value: unknown): any => JSON.parse(JSON.stringify(value));

describe("broker sizing", () => {
  it("reads Kubernetes quantities in binary and decimal units", () => {
    expect(quantityToBytes("2Gi")).toBe(2 * 1024 ** 3);
    expect(quantityToBytes("1536Mi")).toBe(1536 * 1024 ** 2);
    expect(quantityToBytes("1.5Gi")).toBe(1.5 * 1024 ** 3);
    expect(quantityToBytes("3G")).toBe(3e9);
    expect(quantityToBytes("1073741824")).toBe(1024 ** 3);
    expect(() => quantityToBytes("2 GB")).toThrow(/Kubernetes quantity/);
  });

  it("gives Seastar 80% of the container and reserves 0.2% + 200Mi, as Redpanda's chart does", () => {
    expect(redpandaMemoryMiB("2.5Gi")).toBe(2048);
    expect(redpandaMemoryMiB("10Gi")).toBe(8192);
    expect(reserveMemoryMiB("10Gi")).toBe(220);
    expect(reserveMemoryMiB("2.5Gi")).toBe(205);
    // Both fit in the container, so Seastar's "insufficient physical memory" check passes.
    for (const memory of ["2.5Gi", "10Gi", "64Gi"])
      expect(redpandaMemoryMiB(memory) + reserveMemoryMiB(memory)).toBeLessThan(
        containerMemoryMiB(memory),
      );
  });

  it("derives --smp from whole cores; Guaranteed QoS (requests = limits) unless the CPUs are shared", () => {
    const prod = brokerSizing({
      cpu: 4,
      memory: "10Gi",
      overprovisioned: false,
      cpuManagerPolicy: "none",
    });
    expect(prod.smp).toBe(4);
    expect(prod.memoryFlag).toBe("8192M");
    expect(prod.reserveMemoryFlag).toBe("220M");
    expect(prod.resources).toEqual({
      limits: { cpu: "4", memory: "10Gi" },
      requests: { cpu: "4", memory: "10Gi" },
    });
    const minikube = brokerSizing({
      cpu: 2,
      memory: "5Gi",
      overprovisioned: true,
      cpuManagerPolicy: "none",
    });
    expect(minikube.resources.requests).toEqual({ cpu: "500m", memory: "5Gi" });
    expect(minikube.resources.limits).toEqual({ cpu: "2", memory: "5Gi" });
  });

  it("pins Seastar's threads only with Guaranteed QoS and the static CPU manager; otherwise --overprovisioned", () => {
    const size = (overprovisioned: boolean, cpuManagerPolicy: "none" | "static") =>
      brokerSizing({ cpu: 4, memory: "10Gi", overprovisioned, cpuManagerPolicy });
    expect(size(false, "static")).toMatchObject({ pinned: true, cpuFlags: [] });
    expect(size(false, "none")).toMatchObject({ pinned: false, cpuFlags: ["--overprovisioned"] });
    expect(size(true, "none")).toMatchObject({
      pinned: false,
      cpuFlags: ["--overprovisioned", "--check=false"],
    });
    expect(size(true, "static").pinned).toBe(false);
  });
});

describe("free space the brokers keep", () => {
  it("is Redpanda's 5 GiB on large volumes and a tenth of a small one, in the bootstrap properties", () => {
    expect(storageMinFreeBytes("100Gi")).toBe(5 * 1024 ** 3);
    expect(storageMinFreeBytes("10Gi")).toBe(1024 ** 3);
    expect(storageMinFreeBytes("1Gi")).toBe(102 * 1024 ** 2);
    expect(storageMinFreeBytes("50Mi")).toBe(10 * 1024 ** 2);
    const { cluster } = validConfig({ environment: "minikube", ...KUBE_BASICS });
    expect(clusterBootstrapProperties(cluster).storage_min_free_bytes).toBe(1024 ** 3);
  });
});

describe("cluster config validation (names the key)", () => {
  it("refuses overprovisioned and developer mode in prod with the key named", () => {
    const found = configIssues({
      environment: "prod",
      ...KUBE_BASICS,
      cluster: { overprovisioned: true, developerMode: true },
    });
    expect(found.map((issue) => issue.key)).toEqual(
      expect.arrayContaining([
        "apphub-streaming:cluster.overprovisioned",
        "apphub-streaming:cluster.developerMode",
      ]),
    );
    expect(
      found.find((issue) => issue.key === "apphub-streaming:cluster.overprovisioned")?.message,
    ).toMatch(/expected false in prod/);
  });

  it("enables overprovisioned by default on minikube only, and developer mode nowhere (it turns on topic auto-creation)", () => {
    const minikube = validConfig({ environment: "minikube", ...KUBE_BASICS }).cluster;
    const prod = validConfig({ environment: "prod", ...KUBE_BASICS }).cluster;
    expect([minikube.overprovisioned, minikube.developerMode]).toEqual([true, false]);
    expect([prod.overprovisioned, prod.developerMode]).toEqual([false, false]);
  });

  it("refuses less than 2.5Gi of container memory per core, naming the key and the smallest limit", () => {
    const found = configIssues({
      environment: "prod",
      ...KUBE_BASICS,
      cluster: { cpu: 4, memory: "8Gi" },
    });
    const issue = found.find((candidate) => candidate.key === "apphub-streaming:cluster.memory");
    expect(issue?.message).toBe(
      'expected at least 10240Mi (2.5Gi per core) for cluster.cpu=4: Redpanda wants 2Gi per core and gets 80% of the container (--memory), got "8Gi" (6553Mi for Redpanda)',
    );
    // The default prod cpu (4) is checked against an explicit small memory too, and minikube's one core.
    expect(
      configIssues({ environment: "prod", ...KUBE_BASICS, cluster: { memory: "9Gi" } }).map(
        (i) => i.key,
      ),
    ).toContain("apphub-streaming:cluster.memory");
    expect(
      configIssues({ environment: "minikube", ...KUBE_BASICS, cluster: { memory: "2Gi" } }).map(
        (i) => i.key,
      ),
    ).toContain("apphub-streaming:cluster.memory");
    validConfig({ environment: "prod", ...KUBE_BASICS, cluster: { cpu: 4, memory: "10240Mi" } });
    validConfig({ environment: "minikube", ...KUBE_BASICS, cluster: { memory: "2.5Gi" } });
    expect(validConfig({ environment: "prod", ...KUBE_BASICS }).cluster.memory).toBe("10Gi");
  });

  it("refuses the static CPU manager for overprovisioned (Burstable) brokers, naming the key", () => {
    const found = configIssues({
      environment: "minikube",
      ...KUBE_BASICS,
      cluster: { cpuManagerPolicy: "static" },
    });
    expect(found.map((issue) => issue.key)).toEqual(["apphub-streaming:cluster.cpuManagerPolicy"]);
    expect(
      configIssues({
        environment: "prod",
        ...KUBE_BASICS,
        cluster: { cpuManagerPolicy: "pinned" },
      })[0]?.message,
    ).toContain('expected "none" or "static"');
    expect(
      validConfig({ environment: "prod", ...KUBE_BASICS, cluster: { cpuManagerPolicy: "static" } })
        .cluster.cpuManagerPolicy,
    ).toBe("static");
  });

  it("refuses a grace period too short for a drain plus shutdown", () => {
    const found = configIssues({
      environment: "minikube",
      ...KUBE_BASICS,
      cluster: { terminationGracePeriodSeconds: 60 },
    });
    expect(found.map((issue) => issue.key)).toContain(
      "apphub-streaming:cluster.terminationGracePeriodSeconds",
    );
    expect(drainTimeoutSeconds({ terminationGracePeriodSeconds: 300 })).toBe(240);
  });

  it("requires an advertised host for the external listener, and a per-broker name for load balancers", () => {
    const missing = configIssues({
      environment: "minikube",
      backup: KUBE_BASICS.backup,
      cluster: { external: { enabled: true } },
    });
    expect(missing.map((issue) => issue.key)).toContain(
      "apphub-streaming:cluster.external.advertisedHost",
    );
    const shared = configIssues({
      environment: "prod",
      backup: KUBE_BASICS.backup,
      cluster: { external: loadBalancerListener({ advertisedHost: "kafka.example.com" }) },
    });
    expect(
      shared.find((issue) => issue.key === "apphub-streaming:cluster.external.advertisedHost")
        ?.message,
    ).toMatch(/\{ordinal\}/);
    const bogus = configIssues({
      environment: "minikube",
      backup: KUBE_BASICS.backup,
      cluster: { external: { enabled: true, advertisedHost: "not a host" } },
    });
    expect(bogus.map((issue) => issue.key)).toContain(
      "apphub-streaming:cluster.external.advertisedHost",
    );
  });

  it("keeps every broker's NodePort inside the NodePort range", () => {
    const found = configIssues({
      environment: "minikube",
      backup: KUBE_BASICS.backup,
      cluster: { external: { enabled: true, advertisedHost: "192.168.49.2", basePort: 32766 } },
    });
    expect(
      found.find((issue) => issue.key === "apphub-streaming:cluster.external.basePort")?.message,
    ).toContain("32766..32768");
    validConfig({
      environment: "minikube",
      backup: KUBE_BASICS.backup,
      cluster: { external: { enabled: true, advertisedHost: "192.168.49.2", basePort: 32765 } },
    });
  });

  it("resolves the keys this component added, with their defaults", () => {
    const cluster = validConfig({ environment: "prod", ...KUBE_BASICS }).cluster;
    expect(cluster.startupTimeoutSeconds).toBe(1800);
    expect(cluster.monitoring).toEqual({
      serviceMonitor: true,
      prometheusRule: true,
      labels: { release: "kube-prometheus-stack" },
      interval: "30s",
      prometheus: {
        namespace: "monitoring",
        podLabels: { "app.kubernetes.io/name": "prometheus" },
      },
    });
    expect(cluster.external.annotations).toEqual({});
    const minikube = validConfig({ environment: "minikube", ...KUBE_BASICS }).cluster;
    expect([minikube.monitoring.serviceMonitor, minikube.monitoring.prometheusRule]).toEqual([
      false,
      false,
    ]);
    const custom = validConfig({
      environment: "prod",
      ...KUBE_BASICS,
      cluster: {
        startupTimeoutSeconds: 3600,
        monitoring: { serviceMonitor: false, labels: { release: "prometheus" } },
        external: {
          annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
        },
      },
    }).cluster;
    expect(custom.startupTimeoutSeconds).toBe(3600);
    expect(custom.monitoring.labels).toEqual({ release: "prometheus" });
    expect([custom.monitoring.serviceMonitor, custom.monitoring.prometheusRule]).toEqual([
      false,
      true,
    ]);
    expect(custom.external.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    });
    expect(
      configIssues({
        environment: "prod",
        ...KUBE_BASICS,
        cluster: { monitoring: { labels: { release: 1 }, interval: "30 seconds" } },
      }).map((i) => i.key),
    ).toEqual(
      expect.arrayContaining([
        "apphub-streaming:cluster.monitoring.labels.release",
        "apphub-streaming:cluster.monitoring.interval",
      ]),
    );
  });
});

describe("secured external listener and cluster domain (config)", () => {
  const lb = (external: Record<string, unknown>) => ({
    environment: "prod",
    ...KUBE_BASICS,
    cluster: {
      external: loadBalancerListener({
        advertisedHost: "redpanda-{ordinal}.example.com",
        ...external,
      }),
    },
  });

  it("refuses a LoadBalancer listener without TLS or without SASL, naming each key, unless allowPlaintext", () => {
    expect(configIssues(lb({})).map((issue) => issue.key)).toEqual([
      "apphub-streaming:cluster.external.tls.enabled",
      "apphub-streaming:cluster.external.sasl.enabled",
    ]);
    expect(configIssues(lb({ tls: { enabled: true } })).map((issue) => issue.key)).toEqual([
      "apphub-streaming:cluster.external.sasl.enabled",
    ]);
    expect(
      validConfig(lb({ tls: { enabled: true }, sasl: { enabled: true } })).cluster.external.sasl,
    ).toEqual({ enabled: true, username: "apphub-admin", mechanism: "SCRAM-SHA-256" });
    expect(validConfig(lb({ allowPlaintext: true })).cluster.external.allowPlaintext).toBe(true);
    // The minikube NodePort may stay plaintext.
    expect(
      validConfig({
        environment: "minikube",
        ...KUBE_BASICS,
        cluster: { external: { enabled: true, advertisedHost: "192.168.49.2" } },
      }).cluster.external.tls.enabled,
    ).toBe(false);
  });

  it("validates the new keys' shapes with the key named", () => {
    const keys = configIssues(
      lb({
        loadBalancerSourceRanges: ["10.0.0.0"],
        sasl: { enabled: true, mechanism: "PLAIN" },
        tls: { enabled: true },
      }),
    ).map((issue) => issue.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "apphub-streaming:cluster.external.loadBalancerSourceRanges.0",
        "apphub-streaming:cluster.external.sasl.mechanism",
      ]),
    );
    expect(prodIssueKeys({ clusterDomain: "Not A Domain" })).toEqual([
      "apphub-streaming:cluster.clusterDomain",
    ]);
  });

  it("puts cluster.clusterDomain into every FQDN the brokers seed with and advertise", () => {
    const cluster = validConfig({
      environment: "minikube",
      ...KUBE_BASICS,
      cluster: { clusterDomain: "k8s.example" },
    }).cluster;
    const manifests = buildClusterManifests("apphub-system", cluster);
    expect(manifests.topology.data.seeds.split(",")[0]).toBe(
      "apphub-redpanda-0.apphub-redpanda-headless.apphub-system.svc.k8s.example:33145",
    );
    expect(manifests.scripts.data["start.sh"]).toContain(
      'fqdn="${POD_NAME}.apphub-redpanda-headless.apphub-system.svc.k8s.example"',
    );
    expect(manifests.scripts.data["start.sh"]).not.toContain("cluster.local");
  });
});

describe("addresses", () => {
  it("lists every pod's RPC FQDN as a seed server", () => {
    expect(seedServers("apphub-system", 3)).toEqual([
      "apphub-redpanda-0.apphub-redpanda-headless.apphub-system.svc.cluster.local:33145",
      "apphub-redpanda-1.apphub-redpanda-headless.apphub-system.svc.cluster.local:33145",
      "apphub-redpanda-2.apphub-redpanda-headless.apphub-system.svc.cluster.local:33145",
    ]);
    expect(brokerFqdn("streaming", 4)).toBe(
      "apphub-redpanda-4.apphub-redpanda-headless.streaming.svc.cluster.local",
    );
  });

  it("gives each broker basePort + ordinal on its advertised host, with {ordinal} expanded", () => {
    const nodePort = validConfig({
      environment: "minikube",
      backup: KUBE_BASICS.backup,
      cluster: { external: { enabled: true, advertisedHost: "192.168.49.2" } },
    });
    expect(externalBrokers(nodePort.cluster)).toEqual([
      "192.168.49.2:31092",
      "192.168.49.2:31093",
      "192.168.49.2:31094",
    ]);
    const lb = validConfig({
      environment: "prod",
      backup: KUBE_BASICS.backup,
      cluster: { external: loadBalancerListener({ allowPlaintext: true }) },
    });
    expect(externalBrokers(lb.cluster)).toEqual([
      "redpanda-0.kafka.example.com:9094",
      "redpanda-1.kafka.example.com:9095",
      "redpanda-2.kafka.example.com:9096",
    ]);
    expect(externalBrokers(validConfig({ environment: "prod", ...KUBE_BASICS }).cluster)).toEqual(
      [],
    );
  });
});

describe("manifests", () => {
  const prod = validConfig({
    environment: "prod",
    ...KUBE_BASICS,
    cluster: { storageClass: "gp3" },
  });
  const minikube = validConfig({ environment: "minikube", ...KUBE_BASICS });

  it("requires hostname anti-affinity in prod and only prefers it on minikube", () => {
    const prodAffinity = plain(
      buildClusterManifests("apphub-system", prod.cluster).statefulSet.spec,
    ).template.spec.affinity.podAntiAffinity;
    expect(prodAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      { labelSelector: { matchLabels: SELECTOR_LABELS }, topologyKey: "kubernetes.io/hostname" },
    ]);
    expect(prodAffinity.preferredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    const minikubeAffinity = plain(
      buildClusterManifests("apphub-system", minikube.cluster).statefulSet.spec,
    ).template.spec.affinity.podAntiAffinity;
    expect(minikubeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(
      minikubeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm
        .topologyKey,
    ).toBe("kubernetes.io/hostname");
  });

  it("spreads across zones only when cluster.zoneSpread is on", () => {
    const spread = plain(buildClusterManifests("apphub-system", prod.cluster).statefulSet.spec)
      .template.spec.topologySpreadConstraints;
    expect(spread).toEqual([
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: SELECTOR_LABELS },
      },
    ]);
    expect(
      plain(buildClusterManifests("apphub-system", minikube.cluster).statefulSet.spec).template.spec
        .topologySpreadConstraints,
    ).toBeUndefined();
  });

  it("renames the scripts ConfigMap when a script changes, so the brokers roll onto it", () => {
    const base = renderScripts("apphub-system", prod.cluster);
    expect(base.name).toMatch(/^apphub-redpanda-scripts-[0-9a-f]{10}$/);
    expect(renderScripts("apphub-system", prod.cluster).name).toBe(base.name);
    expect(renderScripts("apphub-system", { ...prod.cluster, memory: "16Gi" }).name).not.toBe(
      base.name,
    );
    const sts = plain(buildClusterManifests("apphub-system", prod.cluster).statefulSet.spec);
    expect(sts.template.spec.volumes).toContainEqual({
      name: "scripts",
      configMap: { name: base.name, defaultMode: 0o555 },
    });
  });

  it("declares one external Service per broker, pinned to its pod, only when enabled", () => {
    expect(buildClusterManifests("apphub-system", prod.cluster).externalServices).toEqual([]);
    const config = validConfig({
      environment: "prod",
      backup: KUBE_BASICS.backup,
      cluster: {
        external: loadBalancerListener({
          annotations: { "example.com/team": "streaming" },
          ...SECURED,
        }),
      },
    });
    const services = plain(buildClusterManifests("apphub-system", config.cluster).externalServices);
    expect(
      services.map((service: { metadata: { name: string } }) => service.metadata.name),
    ).toEqual([
      "apphub-redpanda-0-external",
      "apphub-redpanda-1-external",
      "apphub-redpanda-2-external",
    ]);
    expect(services[1].spec.type).toBe("LoadBalancer");
    expect(services[1].spec.selector["statefulset.kubernetes.io/pod-name"]).toBe(
      "apphub-redpanda-1",
    );
    expect(services[1].spec.ports).toEqual([
      { name: "kafka-external", port: 9095, targetPort: "kafka-external", protocol: "TCP" },
    ]);
    expect(services[1].metadata.annotations).toEqual({
      // An NLB by default: without the type the in-tree AWS controller makes a Classic ELB.
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
      "example.com/team": "streaming",
      "external-dns.alpha.kubernetes.io/hostname": "redpanda-1.kafka.example.com",
    });
    expect(services[1].spec.loadBalancerSourceRanges).toBeUndefined();
    const nodePorts = plain(
      buildClusterManifests(
        "apphub-system",
        validConfig({
          environment: "minikube",
          backup: KUBE_BASICS.backup,
          cluster: { external: { enabled: true, advertisedHost: "192.168.49.2" } },
        }).cluster,
      ).externalServices,
    );
    expect(
      nodePorts.map(
        (service: { spec: { ports: { nodePort: number }[] } }) => service.spec.ports[0].nodePort,
      ),
    ).toEqual([31092, 31093, 31094]);
  });

  const securedExternal = (extra: Record<string, unknown> = {}) =>
    validConfig({
      environment: "prod",
      backup: KUBE_BASICS.backup,
      cluster: { external: loadBalancerListener({ ...SECURED, ...extra }) },
    }).cluster;

  it("names the load balancer type for each AWS controller (cluster.external.awsLoadBalancerType); the stack's annotations win", () => {
    const annotationsOf = (extra: Record<string, unknown>) =>
      plain(buildClusterManifests("apphub-system", securedExternal(extra)).externalServices)[0]
        .metadata.annotations;
    expect(annotationsOf({})["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
    expect(annotationsOf({ awsLoadBalancerType: "external" })).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    });
    const none = annotationsOf({ awsLoadBalancerType: "none" });
    expect(Object.keys(none).filter((key) => key.includes("load-balancer-type"))).toEqual([]);
    expect(
      annotationsOf({
        annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip" },
      })["service.beta.kubernetes.io/aws-load-balancer-type"],
    ).toBe("nlb-ip");
    expect(
      configIssues({
        environment: "prod",
        ...KUBE_BASICS,
        cluster: { external: { awsLoadBalancerType: "alb" } },
      }).find((issue) => issue.key === "apphub-streaming:cluster.external.awsLoadBalancerType")
        ?.message,
    ).toContain('expected "nlb", "external" or "none"');
  });

  it("declares the volumes' StorageClass binding at first consumer, only with a provisioner, and needs its name", () => {
    expect(buildClusterManifests("apphub-system", prod.cluster).storageClass).toBeUndefined();
    const declared = validConfig({
      environment: "prod",
      ...KUBE_BASICS,
      cluster: {
        storageClass: "gp3",
        storageClassProvisioner: "ebs.csi.aws.com",
        storageClassParameters: { type: "gp3" },
      },
    });
    expect(
      plain(buildClusterManifests("apphub-system", declared.cluster).storageClass),
    ).toMatchObject({
      kind: "StorageClass",
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3" },
      volumeBindingMode: "WaitForFirstConsumer",
      reclaimPolicy: "Retain",
    });
    expect(prodIssueKeys({ storageClassProvisioner: "ebs.csi.aws.com" })).toEqual([
      "apphub-streaming:cluster.storageClass",
    ]);
  });

  it("holds a restarted broker unavailable for minReadySeconds before the roll goes on", () => {
    expect(
      buildClusterManifests("apphub-system", prod.cluster).statefulSet.spec.minReadySeconds,
    ).toBe(10);
  });

  it("turns authorization and admin API authentication on with the superuser, naming every listener's authentication", () => {
    const secured = securedExternal();
    expect(clusterBootstrapProperties(secured)).toMatchObject({
      superusers: ["apphub-admin"],
      kafka_enable_authorization: true,
      admin_api_require_auth: true,
    });
    const listeners = (cluster: typeof secured) =>
      plain(
        parse(renderScripts("apphub-system", cluster).data["redpanda.yaml"]!).redpanda.kafka_api,
      ).map((listener: { name: string; authentication_method: string }) => [
        listener.name,
        listener.authentication_method,
      ]);
    expect(listeners(secured)).toEqual([
      ["internal", "none"],
      ["external", "sasl"],
    ]);
    // No superuser, no authorization: minikube's plaintext NodePort clients stay anonymous.
    const open = validConfig({ environment: "minikube", ...KUBE_BASICS }).cluster;
    expect(clusterBootstrapProperties(open)).not.toHaveProperty("kafka_enable_authorization");
    expect(clusterBootstrapProperties(open)).not.toHaveProperty("admin_api_require_auth");
    expect(listeners(open)).toEqual([["internal", "none"]]);
  });

  it("shell-quotes values baked into the scripts", () => {
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
  });
});

describe("alert rules", () => {
  const groups = alertRuleGroups("apphub-system", {
    backlogAlertSeconds: 420,
    storageSize: "100Gi",
  });
  const rules = groups.flatMap((group) => group.rules);
  const expr = (alert: string) => rules.find((rule) => rule.alert === alert)?.expr ?? "";

  it("reads only metrics Redpanda v24.3 exports (none of the seed's names), and AppHub's three", () => {
    const text = rules.map((rule) => rule.expr).join("\n");
    // The two movement gauges are selected together by one __name__ regex.
    const selected = text.replace(
      "redpanda_cluster_partition_(moving_to_node|node_cancelling_movements)",
      "redpanda_cluster_partition_moving_to_node redpanda_cluster_partition_node_cancelling_movements",
    );
    for (const metric of [
      ...Object.keys(REDPANDA_METRICS_USED),
      'apphub_stream_mirror_publish_total{result="failure"}',
      "apphub_stream_mirror_publish_duration_ms_bucket",
      "timestore_streaming_backlog_seconds",
    ]) {
      expect(selected, metric).toContain(metric);
    }
    for (const seedName of [
      "vectorized_cluster_health_status",
      "vectorized_storage_log_segments_created_total",
      "vectorized_kafka_request_latency_seconds",
      "vectorized_kafka_broker_partition_under_replicated",
      "vectorized_kafka_recovery_partition_movement_recency",
    ]) {
      expect(text, seedName).not.toContain(seedName);
    }
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
  });

  it("encodes the seed's thresholds, per request type, aggregated to the cluster", () => {
    expect(expr("RedpandaKafkaLatencyHigh")).toBe(
      'histogram_quantile(0.99, sum by (redpanda_cluster, redpanda_request, le) (rate(redpanda_kafka_request_latency_seconds_bucket{redpanda_cluster="apphub-system"}[5m]))) > 0.25',
    );
    expect(expr("RedpandaPartitionsUnderReplicated")).toBe(
      'sum by (redpanda_cluster) (redpanda_kafka_under_replicated_replicas{redpanda_cluster="apphub-system"}) > 0',
    );
    // 100Gi volumes keep Redpanda's 5 GiB free: the warning comes at 10 GiB free, or 5% if that is earlier.
    expect(expr("RedpandaDiskSpaceLow")).toBe(
      '(max by (redpanda_cluster, instance) (redpanda_storage_disk_free_space_alert{redpanda_cluster="apphub-system"}) >= 1) or (max by (redpanda_cluster, instance) (redpanda_storage_disk_free_bytes{redpanda_cluster="apphub-system"}) < 10737418240)',
    );
    expect(expr("RedpandaDiskSpaceDegraded")).toMatch(/\) == 2$/);
    expect(expr("AppHubStreamMirrorPublishFailures")).toMatch(
      /^sum by \(namespace\) \(increase\(apphub_stream_mirror_publish_total\{result="failure"\}\[10m\]\)\) > 0$/,
    );
    expect(expr("AppHubStreamMirrorPublishSlow")).toContain("histogram_quantile(0.95,");
    expect(expr("TimestoreStreamingBacklogHigh")).toBe(
      "max by (namespace) (timestore_streaming_backlog_seconds) > 420",
    );
    for (const rule of rules) {
      expect(rule.expr.split("(").length, rule.alert).toBe(rule.expr.split(")").length);
      expect(["critical", "warning"]).toContain(rule.labels.severity);
      // Every broker rule keeps only the cluster (the disk rules also the broker): no shard, partition or pod series reach the alert.
      if (rule.alert.startsWith("RedpandaDisk"))
        expect(rule.expr, rule.alert).toContain("by (redpanda_cluster, instance)");
      else if (rule.alert.startsWith("Redpanda"))
        expect(rule.expr, rule.alert).not.toMatch(/by \([^)]*(shard|partition|instance|pod)/);
    }
  });

  it("selects brokers by redpanda_cluster, never by namespace (honor_labels replaces it with Redpanda's own)", () => {
    for (const rule of rules.filter((candidate) => candidate.alert.startsWith("Redpanda"))) {
      expect(rule.expr, rule.alert).not.toMatch(/(^|[^_a-z])namespace\s*(=|!=|=~|!~)/);
      expect(rule.expr, rule.alert).not.toMatch(/by \([^)]*\bnamespace\b/);
      for (const selector of rule.expr.match(/\{[^}]*\}/g) ?? [])
        if (!selector.includes("result="))
          expect(selector, rule.alert).toContain('redpanda_cluster="apphub-system"');
    }
  });
});
