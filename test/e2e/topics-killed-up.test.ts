// A `pulumi up` of a 200-topic catalog killed with SIGKILL while the topics are being created
// (a cancelled CI job), twice, then the documented recovery (docs/topics.md, "Runbook: a
// `pulumi up` that was killed"): `npm run state -- recover`, `pulumi cancel`, `pulumi up`. The
// steps converge without hand-editing state: topics the killed runs created but never recorded
// are adopted (not duplicated, not failed), every topic ends up in the state once, and a preview
// afterwards has nothing to do.
//
// The first kill lands wherever the run is once topics appear on the broker. The second lands
// inside a checkpoint write, between the file backend truncating the checkpoint's metadata
// sidecar and writing it, the microseconds in which a kill leaves a stack no command opens
// ("failed to load checkpoint: EOF", src/ops/stateRecovery.ts); a random kill finds that window
// rarely, so strace, attached to the running CLI, delivers the SIGKILL on that very write
// (`-e inject=write:signal=KILL`).
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SINGLE_BROKERS } from "../peers/kafka";
import { repoRoot, sleep } from "../peers/proc";
import { runChild } from "../support/child";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { externalTopicsConfig, PulumiWorkspace, uniqueStack } from "./support/pulumi";

const PREFIX = `e2e-${randomBytes(3).toString("hex")}`;
const COUNT = 200;
const PARTITIONS = 2;
const NAMES = Array.from({ length: COUNT }, (_, index) => `${PREFIX}.killed-${index}`);
const RUN_TIMEOUT_MS = 1_800_000;
const STATE_CLI = path.join(repoRoot(), "dist/src/cli/state.js");
const STRACE = "/usr/bin/strace";

let ws: PulumiWorkspace;
const stack = uniqueStack("killed");

/** Our topics on the broker, each with its partition count; a name listed twice would show twice. */
async function liveTopics(): Promise<{ name: string; partitions: number }[]> {
  return withKafkaAdmin("e2e-killed-up", SINGLE_BROKERS, async (admin) => {
    const names = (await admin.listTopics()).filter((name) => name.startsWith(`${PREFIX}.`));
    if (names.length === 0) return [];
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return topics.map((topic) => ({ name: topic.name, partitions: topic.partitions.length }));
  });
}

const liveCount = async () => (await liveTopics()).length;

/** The checkpoint's metadata sidecar in the file backend (project-scoped layout). */
const sidecar = () =>
  path.join(ws.backendDir, ".pulumi/stacks/apphub-streaming", `${stack}.json.attrs`);

/** The process id of the running `pulumi up` of `name` (the CLI itself, not its plugins). */
function cliPid(name: string): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited meanwhile
    }
    if (argv[0] === ws.engine.bin && argv[1] === "up" && argv.includes(name)) return Number(entry);
  }
  throw new Error(`no running pulumi up --stack ${name}`);
}

/**
 * Ends the plugins a killed CLI leaves running (the language host, the dynamic provider), as a
 * CI runner ends a cancelled job's processes: every process whose working folder is this
 * workspace's project. Without this they outlive the test on a shared machine.
 */
function killOrphans(): void {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (cwd !== ws.projectDir) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
}

/** Step 1 of the runbook, as a user runs it: the built CLI, PULUMI_BACKEND_URL in the environment. */
async function recover(): Promise<string> {
  const result = await runChild(process.execPath, [STATE_CLI, "recover", "--stack", stack], {
    cwd: ws.projectDir,
    env: ws.env(),
  });
  expect(result.code, result.output).toBe(0);
  console.log(result.stdout.trim());
  return result.stdout;
}

/** Steps 1 and 2: recover, then `pulumi cancel` (which must succeed: the stack opens again). */
async function recoverAndCancel(): Promise<string> {
  const report = await recover();
  const cancel = await ws.pulumi(["cancel", "--yes"], { stack });
  expect(cancel.output).toContain("has been canceled");
  return report;
}

beforeAll(async () => {
  ws = await PulumiWorkspace.create("killed-up");
  await ws.initStack(
    stack,
    externalTopicsConfig(NAMES, { partitions: PARTITIONS, retentionMs: 86_400_000 }),
  );
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  ws?.dispose();
  await deleteTestTopics("e2e-killed-up", SINGLE_BROKERS, (name) => name.startsWith(`${PREFIX}.`));
});

describe("pulumi up killed with SIGKILL mid-create, then recovered", () => {
  it(
    "killed early, then mid-checkpoint-write: recover, cancel and up again record every topic once, adopt the half-created ones, leave no changes",
    async () => {
      expect(fs.existsSync(STRACE), `${STRACE} is needed to kill inside a checkpoint write`).toBe(
        true,
      );
      const started = Date.now();
      const abort = new AbortController();
      const early = ws.pulumi(["up", "--yes", "--skip-preview"], {
        stack,
        allowFailure: true,
        signal: abort.signal,
      });
      // Kill once the broker has some of the topics but not all of them.
      let seen = 0;
      for (let polls = 0; polls < 2400 && seen === 0; polls += 1) {
        await sleep(250);
        seen = await liveCount();
      }
      abort.abort();
      expect((await early).signal).toBe("SIGKILL");
      killOrphans();
      const afterEarly = await liveCount();
      expect(afterEarly).toBeGreaterThan(0);
      expect(afterEarly).toBeLessThan(COUNT);
      console.log(`early kill: ${afterEarly} of ${COUNT} topics on the broker`);
      await recoverAndCancel();

      // The second kill: once this run has created topics of its own, strace attaches to the CLI
      // and delivers SIGKILL on its next write of the checkpoint's sidecar, just truncated.
      const mid = ws.pulumi(["up", "--yes", "--skip-preview"], {
        stack,
        allowFailure: true,
      });
      for (let polls = 0; polls < 2400 && (await liveCount()) <= afterEarly; polls += 1)
        await sleep(250);
      const detach = new AbortController();
      const tracer = runChild(
        STRACE,
        [
          ...["-f", "-qq", "-o", "/dev/null", "-p", String(cliPid(stack)), "-P", sidecar()],
          ...["-e", "trace=write", "-e", "inject=write:signal=KILL"],
        ],
        { signal: detach.signal },
      );
      const killed = await mid;
      // strace stays on the plugins the CLI started meanwhile; they are ended below.
      detach.abort();
      const traced = await tracer;
      expect(killed.signal, `${traced.output}\n${killed.output.slice(-2000)}`).toBe("SIGKILL");
      killOrphans();
      const afterMid = await liveCount();
      console.log(`mid-checkpoint kill: ${afterMid} of ${COUNT} topics on the broker`);
      expect(afterMid).toBeLessThan(COUNT);
      // What the kill left, and what a user then sees from every command.
      expect(fs.readFileSync(sidecar(), "utf8")).toBe("");
      const stuck = await ws.pulumi(["stack", "export"], { stack, allowFailure: true });
      expect(stuck.code).not.toBe(0);
      expect(stuck.output).toContain("failed to load checkpoint: EOF");

      const report = await recoverAndCancel();
      expect(report).toContain(
        `set aside .pulumi/stacks/apphub-streaming/${stack}.json.attrs (metadata sidecar is empty`,
      );
      const kept = /kept as (\S+)/.exec(report)?.[1];
      expect(kept && fs.existsSync(path.join(ws.backendDir, kept))).toBe(true);

      const up = await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
      console.log(`recovered up: ${up.output.trim().split("\n").slice(-6).join(" | ")}`);
      const live = await liveTopics();
      expect(live.map((topic) => topic.name).sort()).toEqual([...NAMES].sort());
      expect(live.filter((topic) => topic.partitions !== PARTITIONS)).toEqual([]);
      const exported = await ws.exportState(stack);
      const ids = (exported.deployment.deployment.resources ?? [])
        .filter((resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic")
        .map((resource) => resource.id)
        .sort();
      expect(ids).toEqual([...NAMES].sort());
      await ws.pulumi(["preview", "--expect-no-changes"], { stack });
      console.log(`killed twice and recovered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    RUN_TIMEOUT_MS,
  );
});
