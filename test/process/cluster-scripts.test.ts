/**
 * Runs the broker start script exactly as rendered into the scripts ConfigMap, with a stub
 * `rpk` on PATH that records its argv, for every pod ordinal: the flags each broker would be
 * started with. The disk-loss check talks to a stand-in for the admin API's /v1/brokers.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT, renderRepoStack, renderStackYaml, type RenderResult } from "../support/render";
import type { KubeObject } from "../support/kubeObjects";
import { runChild } from "../support/child";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  argv: string[] | undefined;
  redpandaYaml: Record<string, unknown> | undefined;
  /** `.bootstrap.yaml` as start.sh left it beside redpanda.yaml. */
  bootstrapYaml: Record<string, unknown> | undefined;
}

const CLOSED_PORT_URL = "http://127.0.0.1:9";
const fqdn = (ordinal: number) =>
  `apphub-redpanda-${ordinal}.apphub-redpanda-headless.apphub-system.svc.cluster.local`;
const SEEDS = `--seeds=${[0, 1, 2].map((ordinal) => `${fqdn(ordinal)}:33145`).join(",")}`;
/** Both repository stacks enable the external listener, which every broker binds on 9094. */
// Every listener names its authentication: with kafka_enable_authorization set, one without it is unauthenticated.
const KAFKA_API_WITH_EXTERNAL = [
  { name: "internal", address: "0.0.0.0", port: 9092, authentication_method: "none" },
  { name: "external", address: "0.0.0.0", port: 9094, authentication_method: "none" },
];

/** The files of the scripts ConfigMap and of the topology ConfigMap (seeds, external addresses), as mounted. */
interface Mounted {
  scripts: Record<string, string>;
  topology: Record<string, string>;
}

function scriptsOf(result: RenderResult): Mounted {
  expect(result.status, result.stderr).toBe(0);
  const configMaps = result.objects.filter(
    (object: KubeObject) =>
      object.kind === "ConfigMap" && object.metadata.name?.startsWith("apphub-redpanda-scripts-"),
  );
  expect(configMaps).toHaveLength(1);
  const topology = result.objects.find(
    (object: KubeObject) =>
      object.kind === "ConfigMap" && object.metadata.name === "apphub-redpanda-topology",
  );
  expect(topology, "the topology ConfigMap apphub-redpanda-topology").toBeDefined();
  return {
    scripts: configMaps[0]!.data as Record<string, string>,
    topology: topology!.data as Record<string, string>,
  };
}

/** Writes the ConfigMap's files as the pod sees them, plus a stub rpk; runs start.sh as the container does. */
async function runStart(
  mounted: Mounted,
  podName: string,
  options: {
    dataDirEntries?: string[];
    adminUrl?: string;
    adminCredentials?: { username: string; password: string };
  } = {},
): Promise<Run> {
  const { scripts, topology } = mounted;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-start-"));
  const credentialsDir = path.join(root, "admin-credentials");
  if (options.adminCredentials) {
    fs.mkdirSync(credentialsDir);
    for (const [file, text] of Object.entries(options.adminCredentials))
      fs.writeFileSync(path.join(credentialsDir, file), text);
  }
  const scriptDir = path.join(root, "etc-apphub-redpanda");
  const topologyDir = path.join(root, "etc-apphub-redpanda-topology");
  fs.mkdirSync(topologyDir);
  for (const [file, text] of Object.entries(topology))
    fs.writeFileSync(path.join(topologyDir, file), text);
  const configDir = path.join(root, "etc-redpanda");
  const dataDir = path.join(root, "data");
  const binDir = path.join(root, "bin");
  for (const dir of [scriptDir, dataDir, binDir]) fs.mkdirSync(dir);
  for (const [file, text] of Object.entries(scripts))
    fs.writeFileSync(path.join(scriptDir, file), text, { mode: 0o555 });
  for (const entry of options.dataDirEntries ?? ["redpanda"])
    fs.mkdirSync(path.join(dataDir, entry));
  const argvFile = path.join(root, "rpk-argv");
  fs.writeFileSync(
    path.join(binDir, "rpk"),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "$STUB_ARGV_FILE"\n`,
    { mode: 0o755 },
  );

  const { code, stdout, stderr } = await runChild("bash", [path.join(scriptDir, "start.sh")], {
    env: {
      PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      POD_NAME: podName,
      CONFIG_DIR: configDir,
      DATA_DIR: dataDir,
      TOPOLOGY_DIR: topologyDir,
      CLUSTER_ADMIN_URL: options.adminUrl ?? CLOSED_PORT_URL,
      ADMIN_CREDENTIALS_DIR: credentialsDir,
      STUB_ARGV_FILE: argvFile,
    },
  });
  const configFile = path.join(configDir, "redpanda.yaml");
  const bootstrapFile = path.join(configDir, ".bootstrap.yaml");
  return {
    code,
    stdout,
    stderr,
    argv: fs.existsSync(argvFile)
      ? fs.readFileSync(argvFile, "utf8").split("\n").slice(0, -1)
      : undefined,
    redpandaYaml: fs.existsSync(configFile)
      ? (parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>)
      : undefined,
    bootstrapYaml: fs.existsSync(bootstrapFile)
      ? (parse(fs.readFileSync(bootstrapFile, "utf8")) as Record<string, unknown>)
      : undefined,
  };
}

describe("broker start script (minikube)", () => {
  const scripts = () => scriptsOf(renderRepoStack("minikube"));

  // Pulumi.minikube.yaml publishes broker N on NodePort 31092 + N of the minikube node.
  for (const ordinal of [0, 1, 2]) {
    it(`starts apphub-redpanda-${ordinal} with its own FQDN, its NodePort address, all three seeds and the dev-only flags`, async () => {
      const run = await runStart(scripts(), `apphub-redpanda-${ordinal}`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.argv).toEqual([
        "redpanda",
        "start",
        `--config=${run.argv?.[2]?.slice("--config=".length)}`,
        SEEDS,
        `--advertise-rpc-addr=${fqdn(ordinal)}:33145`,
        `--advertise-kafka-addr=internal://${fqdn(ordinal)}:9092,external://192.168.49.2:${31092 + ordinal}`,
        `--advertise-pandaproxy-addr=internal://${fqdn(ordinal)}:8082`,
        "--smp=1",
        // 2.5Gi: 80% for Seastar, 0.2% + 200Mi reserved (Redpanda's chart).
        "--memory=2048M",
        "--reserve-memory=205M",
        "--default-log-level=info",
        "--overprovisioned",
        "--check=false",
      ]);
      expect(run.argv?.[2]).toMatch(/^--config=.*\/etc-redpanda\/redpanda\.yaml$/);
      expect(run.argv?.some((arg) => arg.startsWith("--node-id"))).toBe(false);
    });
  }

  it("writes a redpanda.yaml where no broker founds a cluster alone and no node id is pinned", async () => {
    const run = await runStart(scripts(), "apphub-redpanda-1");
    const redpanda = run.redpandaYaml?.redpanda as Record<string, unknown>;
    expect(redpanda.empty_seed_starts_cluster).toBe(false);
    // Developer mode would also turn on topic auto-creation and fsync bypass: off on minikube too.
    expect(redpanda.developer_mode).toBe(false);
    expect(redpanda).not.toHaveProperty("node_id");
    expect(redpanda.data_directory).toBe("/var/lib/redpanda/data");
    expect(redpanda.rpc_server).toEqual({ address: "0.0.0.0", port: 33145 });
    expect(redpanda.kafka_api).toEqual(KAFKA_API_WITH_EXTERNAL);
    expect(redpanda.admin).toEqual([{ address: "0.0.0.0", port: 9644 }]);
  });

  it("refuses a pod name without an ordinal of this StatefulSet", async () => {
    for (const podName of ["apphub-redpanda", "other-redpanda-1", "apphub-redpanda-x"]) {
      const run = await runStart(scripts(), podName);
      expect(run.code, podName).toBe(64);
      expect(run.argv).toBeUndefined();
    }
  });
});

describe("broker start script (prod)", () => {
  const scripts = () => scriptsOf(renderRepoStack("prod"));

  // Pulumi.prod.yaml gives broker N its own internal load balancer, redpanda-N.streaming.apphub.internal:9094 + N.
  for (const ordinal of [0, 1, 2]) {
    it(`starts apphub-redpanda-${ordinal} sized for 4 cores and 10Gi, advertising its load balancer, unpinned without the static CPU manager, without dev-only flags`, async () => {
      const run = await runStart(scripts(), `apphub-redpanda-${ordinal}`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.argv?.slice(3)).toEqual([
        SEEDS,
        `--advertise-rpc-addr=${fqdn(ordinal)}:33145`,
        `--advertise-kafka-addr=internal://${fqdn(ordinal)}:9092,external://redpanda-${ordinal}.streaming.apphub.internal:${9094 + ordinal}`,
        `--advertise-pandaproxy-addr=internal://${fqdn(ordinal)}:8082`,
        "--smp=4",
        "--memory=8192M",
        "--reserve-memory=220M",
        "--default-log-level=info",
        // Pulumi.prod.yaml declares no static CPU manager: Seastar must not pin its threads.
        "--overprovisioned",
      ]);
      for (const devOnly of ["--check=false", "--mode", "--unsafe-bypass-fsync"]) {
        expect(
          run.argv?.some((arg) => arg.startsWith(devOnly)),
          devOnly,
        ).toBe(false);
      }
      const redpanda = run.redpandaYaml?.redpanda as Record<string, unknown>;
      expect(redpanda.developer_mode).toBe(false);
      // SASL on the external listener only: in-cluster AppHub clients have no credentials.
      expect(redpanda.kafka_api).toEqual([
        { ...KAFKA_API_WITH_EXTERNAL[0], authentication_method: "none" },
        { ...KAFKA_API_WITH_EXTERNAL[1], authentication_method: "sasl" },
      ]);
      expect(redpanda.kafka_api_tls).toEqual([
        {
          name: "external",
          enabled: true,
          cert_file: "/etc/tls/external/tls.crt",
          key_file: "/etc/tls/external/tls.key",
          require_client_auth: false,
        },
      ]);
      expect(run.bootstrapYaml).toEqual({
        auto_create_topics_enabled: false,
        default_topic_replications: 3,
        // 100Gi volumes keep Redpanda's 5 GiB free.
        storage_min_free_bytes: 5 * 1024 ** 3,
        superusers: ["apphub-admin"],
        sasl_mechanisms: ["SCRAM"],
        // ACLs on every listener; the admin API wants the superuser except on its public routes.
        kafka_enable_authorization: true,
        admin_api_require_auth: true,
      });
    });
  }

  it("scales up without renaming the scripts ConfigMap: seeds and external addresses live in apphub-redpanda-topology", async () => {
    const three = scriptsOf(renderRepoStack("prod"));
    const fiveYaml = fs
      .readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace("    replicas: 3", "    replicas: 5");
    const five = scriptsOf(await renderStackYaml("prod", fiveYaml));
    expect(five.scripts).toEqual(three.scripts);
    expect(five.topology.seeds.split(",")).toHaveLength(5);
    expect(five.topology["external-addresses"].split("\n")).toHaveLength(5);
  });
});

describe("CPU pinning (prod)", () => {
  it("pins Seastar's threads (no --overprovisioned) once the stack declares the static CPU manager", async () => {
    const yaml = fs
      .readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace("    cpu: 4\n", "    cpu: 4\n    cpuManagerPolicy: static\n");
    const result = await renderStackYaml("prod", yaml);
    const run = await runStart(scriptsOf(result), "apphub-redpanda-0");
    expect(run.code, run.stderr).toBe(0);
    expect(run.argv).toContain("--smp=4");
    expect(
      run.argv?.filter((arg) => arg.startsWith("--overprovisioned") || arg.startsWith("--check")),
    ).toEqual([]);
    // Guaranteed QoS with whole cores, which the static CPU manager needs to give exclusive CPUs.
    const sts = result.objects.find(
      (object: KubeObject) => object.kind === "StatefulSet",
    ) as unknown as {
      spec: { template: { spec: { containers: { resources: unknown }[] } } };
    };
    expect(sts.spec.template.spec.containers[0]!.resources).toEqual({
      limits: { cpu: "4", memory: "10Gi" },
      requests: { cpu: "4", memory: "10Gi" },
    });
  });
});

describe("cluster bootstrap properties (minikube)", () => {
  it("turns topic auto-creation off, defaults new topics to replication 3 and keeps a tenth of the volume free, without SASL", async () => {
    const run = await runStart(scriptsOf(renderRepoStack("minikube")), "apphub-redpanda-0");
    expect(run.code, run.stderr).toBe(0);
    expect(run.bootstrapYaml).toEqual({
      auto_create_topics_enabled: false,
      default_topic_replications: 3,
      // A tenth of the 10Gi volume, not Redpanda's 5 GiB: it would refuse producers half full.
      storage_min_free_bytes: 1024 ** 3,
    });
  });
});

describe("broker start script with the external listener", () => {
  const yaml = [
    "config:",
    "  apphub-streaming:environment: minikube",
    "  apphub-streaming:backup:",
    "    bucketName: apphub-snapshots",
    "  apphub-streaming:cluster:",
    "    external:",
    "      enabled: true",
    "      advertisedHost: 192.168.49.2",
    "",
  ].join("\n");

  it("advertises basePort + ordinal on the external listener and binds it on 9094", async () => {
    const result = await renderStackYaml("minikube", yaml);
    const scripts = scriptsOf(result);
    expect(result.outputs.externalBrokers).toEqual([
      "192.168.49.2:31092",
      "192.168.49.2:31093",
      "192.168.49.2:31094",
    ]);
    for (const ordinal of [0, 1, 2]) {
      const run = await runStart(scripts, `apphub-redpanda-${ordinal}`);
      expect(run.code, run.stderr).toBe(0);
      expect(run.argv).toContain(
        `--advertise-kafka-addr=internal://${fqdn(ordinal)}:9092,external://192.168.49.2:${31092 + ordinal}`,
      );
      expect((run.redpandaYaml?.redpanda as { kafka_api: unknown }).kafka_api).toEqual(
        KAFKA_API_WITH_EXTERNAL,
      );
    }
    // A pod beyond cluster.replicas has no external address: refuse rather than advertise a wrong one.
    expect((await runStart(scripts, "apphub-redpanda-3")).code).toBe(64);
  });
});

describe("disk-loss detection at start", () => {
  let server: http.Server;
  let url = "";
  let brokers: unknown[] = [];
  let requests: string[] = [];
  let requiredAuthorization: string | undefined;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      // /v1/brokers is a "user" route: with admin_api_require_auth an anonymous caller gets 401.
      if (requiredAuthorization && request.headers.authorization !== requiredAuthorization) {
        response.writeHead(401).end();
      } else if (request.url === "/v1/brokers") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(brokers));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const broker = (nodeId: number, ordinal: number, extra: Record<string, unknown> = {}) => ({
    node_id: nodeId,
    num_cores: 1,
    membership_status: "active",
    is_alive: true,
    maintenance_status: {
      draining: false,
      finished: false,
      errors: false,
      partitions: 0,
      eligible: 0,
      transferring: 0,
      failed: 0,
    },
    internal_rpc_address: fqdn(ordinal),
    internal_rpc_port: 33145,
    ...extra,
  });

  it("names the old node id when a broker comes back with an empty data directory, and still starts", async () => {
    brokers = [broker(0, 0), broker(1, 1, { is_alive: false }), broker(2, 2)];
    requests = [];
    const run = await runStart(scriptsOf(renderRepoStack("minikube")), "apphub-redpanda-1", {
      dataDirEntries: ["lost+found"],
      adminUrl: url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(requests).toEqual(["GET /v1/brokers"]);
    expect(run.stderr).toContain(`DISK LOSS DETECTED: apphub-redpanda-1 starts with an empty`);
    expect(run.stderr).toContain(`still lists node id(s) 1 at ${fqdn(1)}`);
    // The old id is offline: rpk decommissions it only with --force (v24.3.2 decommission.go:60-62).
    expect(run.stderr).toMatch(/start \S+: {3}rpk redpanda admin brokers decommission 1 --force\n/);
    expect(run.argv?.[0]).toBe("redpanda");
  });

  it("asks /v1/brokers as the superuser of the mounted Secret when the admin API requires authentication", async () => {
    brokers = [broker(0, 0), broker(1, 1, { is_alive: false }), broker(2, 2)];
    requests = [];
    requiredAuthorization = `Basic ${Buffer.from("apphub-admin:s3cret").toString("base64")}`;
    try {
      const run = await runStart(scriptsOf(renderRepoStack("prod")), "apphub-redpanda-1", {
        dataDirEntries: ["lost+found"],
        adminUrl: url,
        adminCredentials: { username: "apphub-admin", password: "s3cret" },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`still lists node id(s) 1 at ${fqdn(1)}`);
    } finally {
      requiredAuthorization = undefined;
    }
  });

  it("stays quiet when the old id is already removed, or the address belongs to another pod", async () => {
    brokers = [
      broker(0, 0),
      broker(1, 1, { membership_status: "removed", is_alive: false }),
      broker(2, 2),
      broker(3, 1, { internal_rpc_address: fqdn(11) }),
    ];
    const run = await runStart(scriptsOf(renderRepoStack("minikube")), "apphub-redpanda-1", {
      dataDirEntries: [],
      adminUrl: url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("DISK LOSS");
  });

  it("does not ask the cluster when the data directory holds a broker's data (an ordinary restart)", async () => {
    brokers = [broker(0, 0), broker(1, 1), broker(2, 2)];
    requests = [];
    const run = await runStart(scriptsOf(renderRepoStack("minikube")), "apphub-redpanda-1", {
      dataDirEntries: ["redpanda", "lost+found"],
      adminUrl: url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(requests).toEqual([]);
    expect(run.stderr).not.toContain("DISK LOSS");
  });

  it("treats an unreachable cluster with an empty disk as the cluster's first start", async () => {
    const run = await runStart(scriptsOf(renderRepoStack("minikube")), "apphub-redpanda-0", {
      dataDirEntries: [],
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("first start of the cluster");
    expect(run.stderr).not.toContain("DISK LOSS");
  });
});
