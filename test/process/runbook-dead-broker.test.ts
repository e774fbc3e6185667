/**
 * The runbook "A broker is down for good" of docs/kubernetes.md, run as written: its shell
 * block, read from the page, under bash, with `kubectl` standing in for `kubectl exec` into a
 * broker pod and a stub `rpk` (test/support/rpkStub.ts) that keeps a model of the cluster and
 * answers with rpk v24.3.2's exact output strings, streams and exit codes. The cluster lost
 * broker apphub-redpanda-2's disk: node id 2 is down, and the pod came back as node id 3.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { brokerFqdn } from "../../src/cluster/constants";
import { REPO_ROOT } from "../support/render";
import { runChild } from "../support/child";
import { readStubCluster, type StubCluster, writeRpkStub } from "../support/rpkStub";

const NAMESPACE = "apphub-system";
const SECTION = "### A broker is down for good";

/** The shell blocks of one section of a Markdown page, in order. */
function runbookScript(file: string, heading: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
  const start = text.indexOf(heading);
  expect(start, `${file} has the section "${heading}"`).toBeGreaterThanOrEqual(0);
  const next = text.indexOf("\n### ", start + heading.length);
  const section = text.slice(start, next < 0 ? undefined : next);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  return blocks.join("\n");
}

function lostDiskCluster(overrides: Partial<StubCluster> = {}): StubCluster {
  const uuid = (n: number) => `${n}a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4${n}`;
  return {
    brokers: [
      { id: 0, host: brokerFqdn(NAMESPACE, 0), alive: true, membership: "active", uuid: uuid(0) },
      { id: 1, host: brokerFqdn(NAMESPACE, 1), alive: true, membership: "active", uuid: uuid(1) },
      { id: 2, host: brokerFqdn(NAMESPACE, 2), alive: false, membership: "active", uuid: uuid(2) },
      { id: 3, host: brokerFqdn(NAMESPACE, 2), alive: true, membership: "active", uuid: uuid(3) },
    ],
    removed: [],
    decommissioning: {},
    replication: 3,
    cores: 4,
    version: "24.3.2",
    calls: [],
    ...overrides,
  };
}

interface RunbookRun {
  code: number;
  stdout: string;
  stderr: string;
  cluster: StubCluster;
  /** Every `kubectl` invocation. */
  kubectl: string[];
}

/**
 * Runs `script` under bash with the stub rpk, a `kubectl` that runs `exec <pod> -c redpanda --
 * <command>` locally, and a `sleep` that returns at once (the runbook waits 10 s per poll).
 */
async function runRunbook(script: string, cluster: StubCluster): Promise<RunbookRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-runbook-"));
  const bin = path.join(dir, "bin");
  const state = path.join(dir, "cluster.json");
  writeRpkStub(bin, state, cluster);
  const kubectlLog = path.join(dir, "kubectl.log");
  fs.writeFileSync(
    path.join(bin, "kubectl"),
    [
      "#!/bin/bash",
      `echo "$*" >> ${JSON.stringify(kubectlLog)}`,
      `if [ "$1 $2 $3" = "-n ${NAMESPACE} exec" ] && [ "$5 $6 $7" = "-c redpanda --" ]; then`,
      '  case "$4" in apphub-redpanda-[0-9]*) shift 7; exec "$@" ;; esac',
      "fi",
      'echo "kubectl stand-in: not modelled: kubectl $*" >&2',
      "exit 2",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/bash\nexit 0\n", { mode: 0o755 });
  const file = path.join(dir, "runbook.sh");
  fs.writeFileSync(file, script);
  const { code, stdout, stderr } = await runChild("bash", ["-eo", "pipefail", file], {
    env: { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: dir },
  });
  const read = (name: string) => (fs.existsSync(name) ? fs.readFileSync(name, "utf8") : "");
  return {
    code,
    stdout,
    stderr,
    cluster: readStubCluster(state),
    kubectl: read(kubectlLog).split("\n").filter(Boolean),
  };
}

describe("runbook: a broker is down for good (docs/kubernetes.md)", () => {
  const script = runbookScript("docs/kubernetes.md", SECTION);

  it("finds the old node id by the pod's HOST, decommissions it with --force, waits, and leaves the cluster healthy", async () => {
    const run = await runRunbook(script, lostDiskCluster());
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("node id to decommission: 2\n");
    expect(run.cluster.calls).toContain("redpanda admin brokers decommission 2 --force");
    expect(run.stdout).toContain(
      "Success, broker 2 decommission started.  Use `rpk redpanda admin brokers decommission-status 2` to monitor data movement.",
    );
    expect(run.cluster.brokers.map((broker) => broker.id)).toEqual([0, 1, 3]);
    expect(run.cluster.removed.map((gone) => gone.id)).toEqual([2]);
    // The first health check saw the dead id; the last one says healthy.
    expect(run.stdout).toMatch(/Healthy: {26}false\n[\s\S]*Nodes down: {23}\[2\]/);
    expect(run.stdout.trimEnd().split("\n").slice(-7).join("\n")).toBe(
      [
        "Healthy:                          true",
        "Unhealthy reasons:                []",
        "Controller ID:                    0",
        "All nodes:                        [0 1 3]",
        "Nodes down:                       []",
        "Leaderless partitions (0):        []",
        "Under-replicated partitions (0):  []",
      ].join("\n"),
    );
    // Every rpk ran inside the named broker pod.
    expect(
      run.kubectl.every((line) =>
        line.startsWith(`-n ${NAMESPACE} exec apphub-redpanda-0 -c redpanda -- rpk `),
      ),
    ).toBe(true);
  });

  it("the old runbook's step (no --force) says 'is the node offline?' and exits 0 having done nothing", async () => {
    expect(script).toContain('decommission "$OLD_ID" --force');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-runbook-old-"));
    const state = path.join(dir, "cluster.json");
    writeRpkStub(path.join(dir, "bin"), state, lostDiskCluster());
    const rpk = (...args: string[]) => runChild(path.join(dir, "bin", "rpk"), args);
    const step = await rpk("redpanda", "admin", "brokers", "decommission", "2");
    expect(step.code).toBe(0);
    expect(step.stdout).toBe(
      "version for broker 2 is unknown, is the node offline?\nto bypass the node version check re-run this with --force; see this command's help text for more details\n",
    );
    expect(readStubCluster(state).brokers.find((broker) => broker.id === 2)?.membership).toBe(
      "active",
    );
    // So a wait for the decommission would never end: nothing is decommissioning.
    const status = await rpk("redpanda", "admin", "brokers", "decommission-status", "2");
    expect(status).toMatchObject({ code: 0, stdout: "Node 2 is not decommissioning\n" });
  });

  it("a decommission of a removed id fails with rpk's 404, and one already running with its 400", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-runbook-errors-"));
    const state = path.join(dir, "cluster.json");
    writeRpkStub(path.join(dir, "bin"), state, lostDiskCluster());
    const rpk = (...args: string[]) => runChild(path.join(dir, "bin", "rpk"), args);
    expect((await rpk("redpanda", "admin", "brokers", "decommission", "2", "--force")).code).toBe(
      0,
    );
    const again = await rpk("redpanda", "admin", "brokers", "decommission", "2", "--force");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'unable to decommission broker: request PUT http://127.0.0.1:9644/v1/brokers/2/decommission failed: Bad Request, body: "{\\"message\\": \\"can not update broker 2 state, invalid state transition requested\\", \\"code\\": 400}"\n\n',
    );
    await rpk("redpanda", "admin", "brokers", "decommission-status", "2");
    expect((await rpk("redpanda", "admin", "brokers", "decommission-status", "2")).stdout).toBe(
      "Node 2 is decommissioned successfully.\n",
    );
    const removed = await rpk("redpanda", "admin", "brokers", "decommission", "2", "--force");
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain(
      'failed: Not Found, body: "{\\"message\\": \\"broker with id 2 not found\\", \\"code\\": 404}"',
    );
  });

  it("without a replacement broker the decommission cannot place replicas: allocation failures, and the wait goes on", async () => {
    const dead = lostDiskCluster({
      brokers: lostDiskCluster().brokers.filter((broker) => broker.id !== 3),
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-runbook-noreplacement-"));
    const state = path.join(dir, "cluster.json");
    writeRpkStub(path.join(dir, "bin"), state, dead);
    const rpk = (...args: string[]) => runChild(path.join(dir, "bin", "rpk"), args);
    await rpk("redpanda", "admin", "brokers", "decommission", "2", "--force");
    const status = await rpk("redpanda", "admin", "brokers", "decommission-status", "2");
    expect(status.stdout).toMatch(
      /^ALLOCATION FAILURES\n===================\nkafka\/apphub.core.events\/0\n/,
    );
    expect(status.stdout).not.toContain("decommissioned successfully");
  });
});
