/**
 * Runs the rendered preStop and postStart hooks against a small HTTP server that answers like
 * Redpanda's admin API (node_config, brokers/{id}/maintenance, maintenance), including the
 * cluster's single maintenance slot being held by another broker, a drain that never finishes
 * and an admin API that never answers. The hooks must retry, and must fail loudly (non-zero
 * exit, termination message, container log) rather than exit 0 when they could not drain.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderPreStopScript } from "../../src/cluster/scripts";
import { runChild } from "../support/child";
import { KUBE_BASICS, validConfig } from "../support/config";
import { type KubeObject, type StatefulSetSpec, templateContainers } from "../support/kubeObjects";
import { findObject, renderRepoStack } from "../support/render";

interface Reply {
  status: number;
  body?: unknown;
}

/** Scripted answers per route; the last answer repeats. */
class FakeAdminApi {
  routes = new Map<string, Reply[]>();
  requests: string[] = [];
  /** With admin_api_require_auth: this `Authorization` header or 403 (anonymous) / 401 (wrong). */
  requiredAuthorization?: string;
  private server = http.createServer((request, response) => {
    const route = `${request.method} ${request.url}`;
    this.requests.push(route);
    if (
      this.requiredAuthorization &&
      request.headers.authorization !== this.requiredAuthorization
    ) {
      const status = request.headers.authorization ? 401 : 403;
      this.requests.push(`refused ${status}`);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(
        JSON.stringify({ message: "Forbidden (superuser role required)", code: status }),
      );
      return;
    }
    const replies = this.routes.get(route);
    const reply =
      replies && replies.length > 1 ? replies.shift()! : (replies?.[0] ?? { status: 404 });
    response.writeHead(reply.status, { "content-type": "application/json" });
    response.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  });
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  reset(routes: Record<string, Reply[]>, requiredAuthorization?: string): void {
    this.routes = new Map(Object.entries(routes));
    this.requests = [];
    this.requiredAuthorization = requiredAuthorization;
  }
  count(route: string): number {
    return this.requests.filter((request) => request === route).length;
  }
}

interface HookRun {
  code: number;
  output: string;
  /** What reached the container log (/proc/1/fd/1 in the pod). */
  containerLog: string;
  /** What the kubelet would put in the container status (/dev/termination-log). */
  terminationMessage: string;
  seconds: number;
  /** Arguments of every call to the stub rpk. */
  rpkCalls: string[];
  /** The container log as it is now (a background copy of a hook may still be writing to it). */
  readContainerLog: () => string;
  scriptPath: string;
}

/**
 * Runs a rendered script as the pod would: the topology ConfigMap's `replicas` file mounted,
 * and optionally a stub `rpk` on PATH that prints `rpk.output` (after `rpk.sleep` seconds)
 * and exits with `rpk.exit`, recording that it was called.
 */
async function runHook(
  script: string,
  env: Record<string, string>,
  options: {
    replicas?: number;
    rpk?: { output: string; exit?: number; sleep?: number };
    /** The mounted superuser Secret's files (ADMIN_CREDENTIALS_DIR). */
    adminCredentials?: { username: string; password: string };
  } = {},
): Promise<HookRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-hook-"));
  const credentialsDir = path.join(dir, "admin-credentials");
  if (options.adminCredentials) {
    fs.mkdirSync(credentialsDir);
    fs.writeFileSync(path.join(credentialsDir, "username"), options.adminCredentials.username);
    fs.writeFileSync(path.join(credentialsDir, "password"), options.adminCredentials.password);
  }
  const file = path.join(dir, "hook.sh");
  fs.writeFileSync(file, script, { mode: 0o555 });
  const topologyDir = path.join(dir, "topology");
  fs.mkdirSync(topologyDir);
  fs.writeFileSync(path.join(topologyDir, "replicas"), String(options.replicas ?? 3));
  const binDir = path.join(dir, "bin");
  fs.mkdirSync(binDir);
  if (options.rpk) {
    fs.writeFileSync(path.join(dir, "rpk-output"), options.rpk.output);
    fs.writeFileSync(
      path.join(binDir, "rpk"),
      `#!/bin/bash\necho "$*" >> "${dir}/rpk-calls"\nsleep ${options.rpk.sleep ?? 0}\ncat "${dir}/rpk-output"\nexit ${options.rpk.exit ?? 0}\n`,
      { mode: 0o755 },
    );
  }
  const containerLog = path.join(dir, "container.log");
  const terminationLog = path.join(dir, "termination-log");
  const started = Date.now();
  const { code, output } = await runChild("bash", [file], {
    env: {
      PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      POLL_SECONDS: "0.1",
      HOOK_LOG: containerLog,
      TERMINATION_LOG: terminationLog,
      TOPOLOGY_DIR: topologyDir,
      ADMIN_CREDENTIALS_DIR: credentialsDir,
      ...env,
    },
  });
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
  return {
    code,
    output,
    containerLog: read(containerLog),
    terminationMessage: read(terminationLog),
    seconds: (Date.now() - started) / 1000,
    rpkCalls: read(path.join(dir, "rpk-calls")).split("\n").filter(Boolean),
    readContainerLog: () => read(containerLog),
    scriptPath: file,
  };
}

function scripts(stack: string): Record<string, string> {
  const result = renderRepoStack(stack);
  expect(result.status, result.stderr).toBe(0);
  const configMap = result.objects.find(
    (object: KubeObject) =>
      object.kind === "ConfigMap" && object.metadata.name?.startsWith("apphub-redpanda-scripts-"),
  );
  return configMap!.data as Record<string, string>;
}

const NODE = { "GET /v1/node_config": [{ status: 200, body: { node_id: 7, rack: null } }] };
const DRAINING = {
  status: 200,
  body: {
    draining: true,
    finished: false,
    errors: false,
    partitions: 3,
    eligible: 12,
    transferring: 2,
    failed: 0,
  },
};
const DRAINED = {
  status: 200,
  body: {
    draining: true,
    finished: true,
    errors: false,
    partitions: 12,
    eligible: 12,
    transferring: 0,
    failed: 0,
  },
};

const api = new FakeAdminApi();
beforeAll(() => api.start());
afterAll(() => api.stop());

describe("preStop: drain through maintenance mode", () => {
  const preStop = () => scripts("prod")["pre-stop.sh"]!;

  it("retries while another broker holds the maintenance slot (400), then waits for the drain to finish", async () => {
    api.reset({
      ...NODE,
      "PUT /v1/brokers/7/maintenance": [{ status: 400 }, { status: 400 }, { status: 200 }],
      "GET /v1/maintenance": [DRAINING, DRAINING, DRAINED],
    });
    const run = await runHook(preStop(), { ADMIN_API: api.url });
    expect(run.code, run.output).toBe(0);
    expect(api.count("PUT /v1/brokers/7/maintenance")).toBe(3);
    expect(api.count("GET /v1/maintenance")).toBe(3);
    // Never PUT after the slot was won, never polled the drain before it.
    expect(api.requests.lastIndexOf("PUT /v1/brokers/7/maintenance")).toBeLessThan(
      api.requests.indexOf("GET /v1/maintenance"),
    );
    expect(run.containerLog).toContain("another broker holds the maintenance slot (HTTP 400)");
    expect(run.containerLog).toContain("node 7 is in maintenance mode");
    expect(run.containerLog).toContain("node 7 drained: 12 leaderships moved");
    expect(run.terminationMessage).toBe("");
  });

  it("ends at once on a broker the cluster no longer lists (decommissioned: 404), without polling a drain", async () => {
    api.reset({ ...NODE, "PUT /v1/brokers/7/maintenance": [{ status: 404 }] });
    const run = await runHook(preStop(), { ADMIN_API: api.url, DRAIN_TIMEOUT_SECONDS: "60" });
    expect(run.code, run.output).toBe(0);
    expect(run.seconds).toBeLessThan(10);
    expect(api.count("PUT /v1/brokers/7/maintenance")).toBe(1);
    expect(api.count("GET /v1/maintenance")).toBe(0);
    expect(run.containerLog).toContain(
      "node 7 is not a member of the cluster (decommissioned): nothing to drain",
    );
    expect(run.terminationMessage).toBe("");
  });

  const SUPERUSER = { username: "apphub-admin", password: 'p"a\\s$s w0rd' };
  const BASIC = `Basic ${Buffer.from(`${SUPERUSER.username}:${SUPERUSER.password}`).toString("base64")}`;

  it("drains as the superuser of the mounted Secret when the admin API requires authentication", async () => {
    api.reset(
      {
        ...NODE,
        "PUT /v1/brokers/7/maintenance": [{ status: 200 }],
        "GET /v1/maintenance": [DRAINED],
      },
      BASIC,
    );
    const run = await runHook(preStop(), { ADMIN_API: api.url }, { adminCredentials: SUPERUSER });
    expect(run.code, run.output).toBe(0);
    expect(api.requests).toEqual([
      "GET /v1/node_config",
      "PUT /v1/brokers/7/maintenance",
      "GET /v1/maintenance",
    ]);
    // The password never reaches a command line (the stub would see it in the process list).
    expect(fs.readFileSync(run.scriptPath, "utf8")).not.toContain("--user");
  });

  it("fails loudly when the admin API refuses its credentials (403 anonymous, 401 wrong password)", async () => {
    for (const credentials of [undefined, { ...SUPERUSER, password: "stale" }]) {
      api.reset({ ...NODE, "PUT /v1/brokers/7/maintenance": [{ status: 200 }] }, BASIC);
      const run = await runHook(
        preStop(),
        { ADMIN_API: api.url, DRAIN_TIMEOUT_SECONDS: "1" },
        credentials ? { adminCredentials: credentials } : {},
      );
      expect(run.code).toBe(1);
      expect(api.requests).toContain(credentials ? "refused 401" : "refused 403");
      expect(run.terminationMessage).toContain("reported no node id within 1s");
    }
  });

  it("fails loudly, not with exit 0, when the drain does not finish before its deadline", async () => {
    api.reset({
      ...NODE,
      "PUT /v1/brokers/7/maintenance": [{ status: 200 }],
      "GET /v1/maintenance": [DRAINING],
    });
    const run = await runHook(preStop(), { ADMIN_API: api.url, DRAIN_TIMEOUT_SECONDS: "2" });
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(10);
    expect(api.count("GET /v1/maintenance")).toBeGreaterThanOrEqual(2); // retried; how often depends on load
    expect(run.terminationMessage).toMatch(
      /^pre-stop: drain not finished: drain of node 7 did not finish within 2s; last status: \{"draining":true,"finished":false/,
    );
    expect(run.containerLog).toContain(
      "DRAIN NOT FINISHED: drain of node 7 did not finish within 2s",
    );
    expect(run.output).toContain("DRAIN NOT FINISHED");
  });

  it("fails loudly when the maintenance slot never frees up", async () => {
    api.reset({ ...NODE, "PUT /v1/brokers/7/maintenance": [{ status: 400 }] });
    const run = await runHook(preStop(), { ADMIN_API: api.url, DRAIN_TIMEOUT_SECONDS: "2" });
    expect(run.code).toBe(1);
    expect(api.count("PUT /v1/brokers/7/maintenance")).toBeGreaterThanOrEqual(2); // retried; how often depends on load
    expect(api.count("GET /v1/maintenance")).toBe(0);
    expect(run.terminationMessage).toContain(
      "node 7 could not enter maintenance mode within 2s (last answer HTTP 400); leaderships were NOT drained",
    );
  });

  it("retries while the cluster has no controller leader (503), and fails loudly when none is elected in time", async () => {
    api.reset({ ...NODE, "PUT /v1/brokers/7/maintenance": [{ status: 503 }] });
    const run = await runHook(preStop(), { ADMIN_API: api.url, DRAIN_TIMEOUT_SECONDS: "2" });
    expect(run.code).toBe(1);
    expect(run.seconds).toBeLessThan(10);
    expect(api.count("PUT /v1/brokers/7/maintenance")).toBeGreaterThanOrEqual(2); // retried; how often depends on load
    expect(run.containerLog).toContain("the cluster has no controller leader (HTTP 503)");
    expect(run.terminationMessage).toContain(
      "node 7 could not enter maintenance mode within 2s (last answer HTTP 503); leaderships were NOT drained",
    );
  });

  it("fails loudly when the drain finishes with failed leadership transfers", async () => {
    api.reset({
      ...NODE,
      "PUT /v1/brokers/7/maintenance": [{ status: 200 }],
      "GET /v1/maintenance": [
        {
          status: 200,
          body: {
            draining: true,
            finished: true,
            errors: true,
            partitions: 9,
            eligible: 12,
            transferring: 0,
            failed: 3,
          },
        },
      ],
    });
    const run = await runHook(preStop(), { ADMIN_API: api.url });
    expect(run.code).toBe(1);
    expect(run.terminationMessage).toContain(
      "drain of node 7 finished with errors (failed transfers: 3)",
    );
  });

  it("fails loudly when the admin API never reports the node id", async () => {
    const run = await runHook(preStop(), {
      ADMIN_API: "http://127.0.0.1:9",
      DRAIN_TIMEOUT_SECONDS: "1",
    });
    expect(run.code).toBe(1);
    expect(run.terminationMessage).toContain(
      "reported no node id within 1s; stopping without a drain",
    );
  });

  it("waits for a node id: a broker that has not joined yet reports none", async () => {
    api.reset({
      "GET /v1/node_config": [
        { status: 503 },
        { status: 200, body: { node_id: null } },
        { status: 200, body: { node_id: 7 } },
      ],
      "PUT /v1/brokers/7/maintenance": [{ status: 200 }],
      "GET /v1/maintenance": [DRAINED],
    });
    const run = await runHook(preStop(), { ADMIN_API: api.url });
    expect(run.code, run.output).toBe(0);
    expect(api.count("GET /v1/node_config")).toBe(3);
  });

  it("gives the drain the grace period minus a shutdown margin, so it reports before the kubelet kills it", () => {
    const sts = findObject(renderRepoStack("prod"), "StatefulSet", "apphub-redpanda");
    const grace = (sts.spec as StatefulSetSpec).template.spec!.terminationGracePeriodSeconds!;
    expect(grace).toBe(300);
    expect(preStop()).toContain(`DEADLINE_SECONDS="\${DRAIN_TIMEOUT_SECONDS:-${grace - 60}}"`);
  });

  it("skips the drain, saying why, when the cluster has fewer than three brokers", async () => {
    const { cluster } = validConfig({
      environment: "minikube",
      ...KUBE_BASICS,
      cluster: { replicas: 1 },
    });
    api.reset({ ...NODE });
    const run = await runHook(
      renderPreStopScript(cluster),
      { ADMIN_API: api.url },
      { replicas: 1 },
    );
    expect(run.code).toBe(0);
    expect(run.containerLog).toContain(
      "not draining: maintenance mode needs at least 3 brokers and cluster.replicas is 1",
    );
    expect(api.requests).toEqual([]);
  });
});

describe("postStart: leave maintenance mode", () => {
  const postStart = () => scripts("minikube")["post-start.sh"]!;

  beforeEach(() => api.reset({}));

  it("waits for the admin API, then takes the broker out of maintenance (DELETE), retrying on errors", async () => {
    api.reset({
      "GET /v1/node_config": [
        { status: 503 },
        { status: 503 },
        { status: 200, body: { node_id: 4 } },
      ],
      "DELETE /v1/brokers/4/maintenance": [{ status: 503 }, { status: 200 }],
    });
    const run = await runHook(postStart(), { ADMIN_API: api.url });
    expect(run.code, run.output).toBe(0);
    expect(api.requests).toEqual([
      "GET /v1/node_config",
      "GET /v1/node_config",
      "GET /v1/node_config",
      "DELETE /v1/brokers/4/maintenance",
      "DELETE /v1/brokers/4/maintenance",
    ]);
    expect(run.containerLog).toContain("node 4 left maintenance mode");
  });

  it("accepts a broker that was not in maintenance (400)", async () => {
    api.reset({
      "GET /v1/node_config": [{ status: 200, body: { node_id: 4 } }],
      "DELETE /v1/brokers/4/maintenance": [{ status: 400 }],
    });
    const run = await runHook(postStart(), { ADMIN_API: api.url });
    expect(run.code).toBe(0);
    expect(run.containerLog).toContain("node 4 was not in maintenance mode");
  });

  /** Waits (up to 20 s) until the container log matches: a background copy of the hook writes it. */
  async function eventually(run: HookRun, pattern: RegExp): Promise<string> {
    for (let waited = 0; waited < 200 && !pattern.test(run.readContainerLog()); waited++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return run.readContainerLog();
  }

  it("never fails the container: without a controller leader (503) it returns with exit 0, keeps trying in the background, and gives up with a findable log line", async () => {
    api.reset({
      "GET /v1/node_config": [{ status: 200, body: { node_id: 4 } }],
      "DELETE /v1/brokers/4/maintenance": [{ status: 503 }],
    });
    const run = await runHook(postStart(), {
      ADMIN_API: api.url,
      POST_START_TIMEOUT_SECONDS: "1",
      POST_START_WATCH_SECONDS: "1",
    });
    expect(run.code).toBe(0);
    expect(run.seconds).toBeLessThan(10);
    expect(run.containerLog).toContain("the cluster has no controller leader (HTTP 503)");
    expect(run.containerLog).toContain("still waiting, in the background: node 4 could not leave");
    const log = await eventually(run, /GAVE UP/);
    expect(log).toMatch(
      /post-start \S+: GAVE UP \(the broker keeps running\): node 4 could not leave maintenance mode within 1s \(last answer HTTP 503\); run: rpk cluster maintenance disable 4/,
    );
    expect(api.count("DELETE /v1/brokers/4/maintenance")).toBeGreaterThanOrEqual(2); // retried; how often depends on load
    expect(run.terminationMessage).toBe("");
  });

  it("never leaves the broker in maintenance when its admin API opens after the hook's deadline: the background copy takes it out", async () => {
    api.reset({
      // The admin API stays closed well past the hook's 1s, then opens.
      "GET /v1/node_config": [
        ...Array.from({ length: 40 }, () => ({ status: 503 })),
        { status: 200, body: { node_id: 4 } },
      ],
      "DELETE /v1/brokers/4/maintenance": [{ status: 200 }],
    });
    const run = await runHook(postStart(), {
      ADMIN_API: api.url,
      POST_START_TIMEOUT_SECONDS: "1",
      POST_START_WATCH_SECONDS: "60",
    });
    expect(run.code).toBe(0);
    expect(run.seconds).toBeLessThan(10);
    expect(api.count("DELETE /v1/brokers/4/maintenance")).toBe(0);
    const log = await eventually(run, /left maintenance mode/);
    expect(log).toContain("node 4 left maintenance mode");
    expect(api.count("DELETE /v1/brokers/4/maintenance")).toBe(1);
  });

  it("takes the broker out of maintenance as the superuser when the admin API requires authentication", async () => {
    api.reset(
      {
        "GET /v1/node_config": [{ status: 200, body: { node_id: 4 } }],
        "DELETE /v1/brokers/4/maintenance": [{ status: 200 }],
      },
      `Basic ${Buffer.from("apphub-admin:s3cret").toString("base64")}`,
    );
    const run = await runHook(
      postStart(),
      { ADMIN_API: api.url },
      { adminCredentials: { username: "apphub-admin", password: "s3cret" } },
    );
    expect(run.code, run.output).toBe(0);
    expect(api.requests).toEqual(["GET /v1/node_config", "DELETE /v1/brokers/4/maintenance"]);
  });

  it("never fails the container when the admin API never reports a node id either", async () => {
    const run = await runHook(postStart(), {
      ADMIN_API: "http://127.0.0.1:9",
      POST_START_TIMEOUT_SECONDS: "1",
      POST_START_WATCH_SECONDS: "1",
    });
    expect(run.code).toBe(0);
    expect(await eventually(run, /GAVE UP/)).toContain(
      "GAVE UP (the broker keeps running): the admin API at http://127.0.0.1:9 reported no node id within 1s",
    );
  });

  it("is the hook the StatefulSet runs, returning within 5 minutes and trying in the background for the startup budget", () => {
    const sts = findObject(renderRepoStack("minikube"), "StatefulSet", "apphub-redpanda");
    const lifecycle = templateContainers(sts)[0]!.lifecycle!;
    expect(lifecycle.postStart!.exec!.command).toEqual([
      "/bin/bash",
      "/etc/apphub-redpanda/post-start.sh",
    ]);
    expect(lifecycle.preStop!.exec!.command).toEqual([
      "/bin/bash",
      "/etc/apphub-redpanda/pre-stop.sh",
    ]);
    expect(postStart()).toContain('DEADLINE_SECONDS="${POST_START_TIMEOUT_SECONDS:-300}"');
    expect(postStart()).toContain('DEADLINE_SECONDS="${POST_START_WATCH_SECONDS:-1800}"');
  });
});

const HEALTHY = [
  "CLUSTER HEALTH OVERVIEW",
  "=======================",
  "Healthy:                          true",
  "Unhealthy reasons:                []",
  "Controller ID:                    0",
  "All nodes:                        [0 1 2]",
  "Nodes down:                       []",
  "Leaderless partitions (0):        []",
  "Under-replicated partitions (0):  []",
  "",
].join("\n");
const UNHEALTHY = HEALTHY.replace(
  "Healthy:                          true",
  "Healthy:                          false",
)
  .replace(
    "Unhealthy reasons:                []",
    "Unhealthy reasons:                [leaderless_partitions nodes_down under_replicated_partitions]",
  )
  .replace("Nodes down:                       []", "Nodes down:                       [2]")
  .replace(
    "Leaderless partitions (0):        []",
    "Leaderless partitions (1):        [kafka/apphub.core.events/3]",
  );

describe("readiness: the broker says ready and the cluster is healthy", () => {
  const readiness = () => scripts("prod")["readiness.sh"]!;
  const READY = { "GET /v1/status/ready": [{ status: 200, body: { status: "ready" } }] };

  it("is ready when the admin API's body says ready and rpk cluster health says Healthy: true", async () => {
    api.reset(READY);
    const run = await runHook(readiness(), { ADMIN_API: api.url }, { rpk: { output: HEALTHY } });
    expect(run.code, run.output).toBe(0);
    expect(run.rpkCalls).toEqual(["cluster health"]);
  });

  it("is not ready while the broker boots, although /v1/status/ready answers HTTP 200", async () => {
    api.reset({ "GET /v1/status/ready": [{ status: 200, body: { status: "booting" } }] });
    const run = await runHook(readiness(), { ADMIN_API: api.url }, { rpk: { output: HEALTHY } });
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'not ready: the broker reports {"status":"booting"} (still starting)',
    );
    expect(run.rpkCalls).toEqual([]);
  });

  it("is not ready while the cluster is unhealthy (a node down, a leaderless partition), naming why", async () => {
    api.reset(READY);
    const run = await runHook(readiness(), { ADMIN_API: api.url }, { rpk: { output: UNHEALTHY } });
    expect(run.code).toBe(1);
    expect(run.output).toContain("not ready: the cluster is not healthy");
    expect(run.output).toContain("Nodes down: [2]");
    expect(run.output).toContain("Leaderless partitions (1): [kafka/apphub.core.events/3]");
  });

  it("is not ready when rpk cannot ask (no controller leader), or hangs past its timeout", async () => {
    api.reset(READY);
    const failed = await runHook(
      readiness(),
      { ADMIN_API: api.url },
      { rpk: { output: "unable to request cluster health: 503 Service Unavailable", exit: 1 } },
    );
    expect(failed.code).toBe(1);
    expect(failed.output).toContain(
      "not ready: rpk cluster health failed: unable to request cluster health: 503",
    );
    const hung = await runHook(
      readiness(),
      { ADMIN_API: api.url, RPK_TIMEOUT_SECONDS: "1" },
      { rpk: { output: HEALTHY, sleep: 30 } },
    );
    expect(hung.code).toBe(1);
    expect(hung.seconds).toBeLessThan(10);
    expect(hung.output).toContain("not ready: rpk cluster health failed");
  });

  it("is not ready when the admin API does not answer", async () => {
    const run = await runHook(
      readiness(),
      { ADMIN_API: "http://127.0.0.1:9" },
      { rpk: { output: HEALTHY } },
    );
    expect(run.code).toBe(1);
    expect(run.output).toContain("not ready: the admin API did not answer GET /v1/status/ready");
  });
});

describe("startup probe: started once the broker's body says ready", () => {
  const startup = () => scripts("prod")["startup.sh"]!;

  it("is the StatefulSet's startup probe, an exec of startup.sh (an httpGet would pass on HTTP 200 while booting)", () => {
    const sts = findObject(renderRepoStack("prod"), "StatefulSet", "apphub-redpanda");
    const probe = templateContainers(sts)[0]!.startupProbe!;
    expect(probe.exec!.command).toEqual(["/bin/bash", "/etc/apphub-redpanda/startup.sh"]);
    expect(probe.httpGet).toBeUndefined();
  });

  it("fails while the broker boots, although /v1/status/ready answers HTTP 200, and passes once it says ready", async () => {
    api.reset({ "GET /v1/status/ready": [{ status: 200, body: { status: "booting" } }] });
    const booting = await runHook(startup(), { ADMIN_API: api.url });
    expect(booting.code).toBe(1);
    expect(booting.output).toContain('not started: the broker reports {"status":"booting"}');
    api.reset({ "GET /v1/status/ready": [{ status: 200, body: { status: "ready" } }] });
    const ready = await runHook(startup(), { ADMIN_API: api.url });
    expect(ready.code, ready.output).toBe(0);
  });

  it("asks the public route without credentials, so a stale password cannot fail it", async () => {
    api.reset({ "GET /v1/status/ready": [{ status: 200, body: { status: "ready" } }] });
    const run = await runHook(
      startup(),
      { ADMIN_API: api.url },
      { adminCredentials: { username: "apphub-admin", password: "stale" } },
    );
    expect(run.code, run.output).toBe(0);
    expect(startup()).not.toContain("admin_curl");
  });

  it("fails when the admin API does not answer", async () => {
    const run = await runHook(startup(), { ADMIN_API: "http://127.0.0.1:9" });
    expect(run.code).toBe(1);
    expect(run.output).toContain("not started: the admin API did not answer GET /v1/status/ready");
  });
});
