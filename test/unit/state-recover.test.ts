/**
 * `npm run state -- recover`: the command in-process on scratch file backends laid out as the
 * Pulumi CLI writes them (meta.yaml, stacks/<project>/<stack>.json with its `.attrs` sidecar and
 * `.bak`, history, locks), each broken the way a killed run or a crash leaves it. What the real
 * CLI does after a kill is in test/e2e/topics-killed-up.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkpointProblem, fileBackendRoot, stateCommand } from "../../src/cli/state";
import { planRecovery, restoredKey } from "../../src/ops/stateRecovery";
import { runCommand } from "../support/cli";

const PROJECT = "apphub-streaming";
const STACK = "ci";
const STACKS = `.pulumi/stacks/${PROJECT}`;
const ATTRS = JSON.stringify({ "user.content_type": "application/octet-stream", md5: "" });

const checkpoint = (resources: number) =>
  JSON.stringify({
    version: 3,
    checkpoint: { stack: STACK, latest: { resources: Array(resources).fill({}) } },
  });

let root: string;
let backend: string;
let project: string;

function put(key: string, content: string | Buffer, mtimeSeconds?: number): void {
  const file = path.join(backend, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  if (mtimeSeconds !== undefined) fs.utimesSync(file, mtimeSeconds, mtimeSeconds);
}
const read = (key: string) => fs.readFileSync(path.join(backend, key), "utf8");
const exists = (key: string) => fs.existsSync(path.join(backend, key));

/** Every file under the backend, relative, sorted: to see that nothing else moved. */
function files(): string[] {
  return (fs.readdirSync(backend, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(backend, path.join(entry.parentPath, entry.name)))
    .sort();
}

const recover = (...extra: string[]) =>
  runCommand(stateCommand, [
    "recover",
    "--stack",
    STACK,
    "--backend",
    `file://${backend}`,
    "--project-dir",
    project,
    ...extra,
  ]);

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "state-recover-"));
  backend = path.join(root, "backend");
  project = path.join(root, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), `name: ${PROJECT}\nruntime: nodejs\n`);
  put(".pulumi/meta.yaml", "version: 1\n");
  put(".pulumi/meta.yaml.attrs", ATTRS);
  put(`${STACKS}/${STACK}.json`, checkpoint(5));
  put(`${STACKS}/${STACK}.json.attrs`, ATTRS);
  put(`${STACKS}/${STACK}.json.bak`, checkpoint(4));
  put(`${STACKS}/${STACK}.json.bak.attrs`, ATTRS);
  put(`.pulumi/history/${PROJECT}/${STACK}/${STACK}-100.checkpoint.json`, checkpoint(1));
  put(`.pulumi/history/${PROJECT}/${STACK}/${STACK}-200.checkpoint.json`, checkpoint(2));
  put(`.pulumi/history/${PROJECT}/${STACK}/${STACK}-200.history.json`, "{}");
  // Another stack whose name starts like ours: never touched.
  put(`${STACKS}/${STACK}.x.json`, "");
  put(`${STACKS}/${STACK}.x.json.attrs`, "");
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("state recover on a file backend", () => {
  it("changes nothing when every file reads, and says what comes next", async () => {
    const before = files();
    const result = await recover();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("nothing to repair: every file of the stack reads fine");
    expect(result.stdout).toContain(`next: pulumi up --stack ${STACK}`);
    expect(files()).toEqual(before);
  });

  it("sets an empty checkpoint sidecar aside (Pulumi's 'failed to load checkpoint: EOF'), keeping it, and points at pulumi cancel for the lock", async () => {
    put(`${STACKS}/${STACK}.json.attrs`, "");
    put(`.pulumi/locks/organization/${PROJECT}/${STACK}/abc.json`, "{}");
    put(`${STACKS}/${STACK}.json.18ee27a7db57e9eb.tmp`, checkpoint(6));
    const result = await recover();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `set aside ${STACKS}/${STACK}\\.json\\.attrs \\(metadata sidecar is empty.*\\); kept as \\.pulumi/recovered/[^/]+/stacks/${PROJECT}/${STACK}\\.json\\.attrs`,
      ),
    );
    expect(result.stdout).toContain("left alone: 1 temp file(s)");
    expect(result.stdout).toContain(
      `next: pulumi cancel --stack ${STACK} --yes (releases the killed run's lock), then pulumi up --stack ${STACK}`,
    );
    expect(exists(`${STACKS}/${STACK}.json.attrs`)).toBe(false);
    const kept = files().filter((key) => key.startsWith(".pulumi/recovered/"));
    expect(kept).toHaveLength(1);
    expect(read(kept[0]!)).toBe("");
    // The checkpoint, the lock, the temp file and the other stack's files are as they were.
    expect(read(`${STACKS}/${STACK}.json`)).toBe(checkpoint(5));
    expect(exists(`.pulumi/locks/organization/${PROJECT}/${STACK}/abc.json`)).toBe(true);
    expect(exists(`${STACKS}/${STACK}.json.18ee27a7db57e9eb.tmp`)).toBe(true);
    expect(read(`${STACKS}/${STACK}.x.json.attrs`)).toBe("");
  });

  it("with --dry-run reports the same and changes nothing", async () => {
    put(`${STACKS}/${STACK}.json.attrs`, '{"user.cont');
    const before = files();
    const result = await recover("--dry-run");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `would set aside ${STACKS}/${STACK}.json.attrs (metadata sidecar is cut off or not JSON`,
    );
    expect(result.stdout).toContain("dry run: nothing changed");
    expect(files()).toEqual(before);
  });

  it("restores a cut-off checkpoint from the .bak, keeping the cut-off one", async () => {
    put(`${STACKS}/${STACK}.json`, checkpoint(5).slice(0, 30));
    const result = await recover();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `restored ${STACKS}/${STACK}.json from ${STACKS}/${STACK}.json.bak (the checkpoint is cut off or not JSON`,
    );
    expect(read(`${STACKS}/${STACK}.json`)).toBe(checkpoint(4));
    const kept = files().filter((key) => key.startsWith(".pulumi/recovered/"));
    expect(kept.map((key) => read(key))).toEqual([checkpoint(5).slice(0, 30)]);
  });

  it("falls back to the newest history checkpoint when the .bak is unreadable too", async () => {
    put(`${STACKS}/${STACK}.json`, "");
    put(`${STACKS}/${STACK}.json.bak`, "");
    const result = await recover();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `from .pulumi/history/${PROJECT}/${STACK}/${STACK}-200.checkpoint.json (the checkpoint is empty)`,
    );
    expect(read(`${STACKS}/${STACK}.json`)).toBe(checkpoint(2));
  });

  it("stops for a human (exit 3) and changes nothing when no copy reads", async () => {
    put(`${STACKS}/${STACK}.json`, "");
    put(`${STACKS}/${STACK}.json.bak`, "{");
    fs.rmSync(path.join(backend, ".pulumi/history"), { recursive: true });
    const before = files();
    const result = await recover();
    expect(result.status).toBe(3);
    expect(result.stdout).toContain(
      `cannot recover: the checkpoint ${STACKS}/${STACK}.json is empty, and no readable copy to restore it from: ${STACKS}/${STACK}.json.bak (is cut off or not JSON`,
    );
    expect(files()).toEqual(before);
  });

  it.each([
    [["--backend", "s3://bucket/state"], "recover repairs file:// backends only; s3 backends"],
    [["--stack", "org/apphub-streaming/ci"], "--stack: expected a stack name"],
    [["--stack", "nope"], `no stack nope of project ${PROJECT}`],
  ])("refuses %j as bad input (exit 2)", async (extra, message) => {
    const result = await recover(...extra);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("refuses a folder that is no Pulumi backend, and the legacy layout, as bad input", async () => {
    fs.writeFileSync(path.join(backend, ".pulumi/meta.yaml"), "version: 0\n");
    expect((await recover()).stderr).toContain("legacy layout");
    fs.rmSync(path.join(backend, ".pulumi/meta.yaml"));
    const result = await recover();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("is not a Pulumi file backend (no .pulumi/meta.yaml)");
  });
});

describe("state recover: the pieces", () => {
  it("prints its help in the kit's layout, exit codes included", async () => {
    const result = await runCommand(stateCommand, ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage:\n {2}npm run state -- recover --stack <s>/);
    expect(result.stdout).toContain("  3  recover: no readable checkpoint (nothing changed)");
  });

  it("reads the file:// forms Pulumi accepts", () => {
    expect(fileBackendRoot("file://~", "/p")).toBe(os.homedir());
    expect(fileBackendRoot("file://~/state", "/p")).toBe(path.join(os.homedir(), "state"));
    expect(fileBackendRoot("file:///var/state?no_tmp_dir=true", "/p")).toBe("/var/state");
    expect(fileBackendRoot("file://./state", "/p")).toBe("/p/state");
  });

  it("checks gzip checkpoints through the compression", () => {
    const good = zlib.gzipSync(checkpoint(1));
    expect(checkpointProblem(good, "s.json.gz")).toBeUndefined();
    expect(checkpointProblem(good.subarray(0, 20), "s.json.gz.bak")).toMatch(
      /^is not readable gzip/,
    );
    expect(checkpointProblem(Buffer.from('{"version":3}'), "s.json")).toBe(
      "is not a Pulumi checkpoint (no version and checkpoint)",
    );
  });

  it("restores under the compression of the copy it restores from", () => {
    expect(restoredKey("s/ci.json", "h/ci-1.checkpoint.json.gz")).toBe("s/ci.json.gz");
    expect(restoredKey("s/ci.json.gz", "s/ci.json.gz.bak")).toBe("s/ci.json.gz");
    expect(restoredKey("s/ci.json.zst", "s/ci.json.bak")).toBe("s/ci.json");
  });

  it("repairs sidecars and the checkpoint in one plan, the newest readable copy first", () => {
    const plan = planRecovery({
      stack: STACK,
      checkpoint: { key: "c.json", problem: "is empty" },
      sidecars: [{ key: "c.json.attrs", problem: "is empty" }, { key: "meta.yaml.attrs" }],
      copies: [{ key: "c.json.bak", problem: "is empty" }, { key: "h-2.checkpoint.json" }],
      locks: [],
      temps: [],
    });
    expect(plan.steps.map((step) => [step.kind, step.key])).toEqual([
      ["set-aside", "c.json.attrs"],
      ["restore", "c.json"],
    ]);
    expect(plan.steps[1]).toMatchObject({ from: "h-2.checkpoint.json", into: "c.json" });
    expect(plan.locked).toBe(false);
  });
});
