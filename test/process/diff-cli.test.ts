/**
 * `npm run diff` end to end: a scratch git repository holding a copy of this program, a base
 * commit, and a working tree that changes one thing. The CLI runs as compiled JS in a child
 * process and renders both sides under Pulumi's mock runtime (the process project builds it first: test/buildSetup.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ChildResult, runChild } from "../support/child";
import { kubeStackYaml } from "../support/config";

const REPO_ROOT = path.resolve(__dirname, "../..");
const DIFF_CLI = path.join(REPO_ROOT, "dist/src/cli/diff.js");
const PROGRAM_PATHS = ["src", "components", "tsconfig.json", "package.json", "Pulumi.yaml"];
const scratchDirs: string[] = [];
/** Two renders in child processes; generous for a loaded two-core CI machine. */
const RENDER_TEST_TIMEOUT = 120_000;

/** Production, as the base commit has it; the topics come last, so a test can append one. */
const PROD_BASE = kubeStackYaml("prod", [
  "  apphub-streaming:topics:",
  "    apphub.scratch.events:",
  "      retentionMs: 3600000",
  "      deletionPolicy: delete",
  "    apphub.legacy.events:",
  "      partitions: 3",
]);

function git(dir: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd: dir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** A git repository with this program and `Pulumi.prod.yaml` = PROD_BASE committed. */
function scratchRepo(prodBase = PROD_BASE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-diff-repo-"));
  scratchDirs.push(dir);
  for (const entry of PROGRAM_PATHS)
    fs.cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\ndist/\n");
  fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prodBase);
  git(dir, "init", "--quiet", "--initial-branch=main");
  commitAll(dir, "base");
  return dir;
}

/** Commits everything in the working tree, as a throwaway author. */
function commitAll(dir: string, message: string): void {
  git(dir, "add", "-A");
  const author = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"];
  git(dir, ...author, "commit", "--quiet", "-m", message);
}

/** The diff CLI in a child process (asynchronously: two renders can take over a minute). */
function diff(dir: string, ...args: string[]): Promise<ChildResult> {
  if (!fs.existsSync(DIFF_CLI)) throw new Error(`${DIFF_CLI} is missing: run npx tsc -p . first`);
  return runChild(
    process.execPath,
    [DIFF_CLI, "--stack", "prod", "--base", "main", "--project-dir", dir, ...args],
    { timeoutMs: 300_000 },
  );
}

/** The lines that report a change: everything indented under a section, and every banner line. */
function changeLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("  ") || line.startsWith("!!!"));
}

afterAll(() => {
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm run diff", () => {
  it(
    "a base where only one topic's retention differs prints exactly that change and exits 0",
    async () => {
      const dir = scratchRepo();
      fs.appendFileSync(
        path.join(dir, "Pulumi.prod.yaml"),
        "    apphub.ingestion.telemetry:\n      retentionMs: 86400000\n",
      );
      const result = await diff(dir);
      expect(result.stderr).not.toMatch(/diff failed/);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        "base rendered with the working tree's code (src, components, tsconfig.json unchanged since main)",
      );
      expect(changeLines(result.stdout)).toEqual([
        "  apphub.ingestion.telemetry retention.ms 259200000 => 86400000",
      ]);
      expect(result.stdout).toContain(
        "summary: topics: 1 changed, 0 added, 0 removed; other resources: 0 changed, 0 added, 0 removed, 0 moved; 0 destructive",
      );
    },
    RENDER_TEST_TIMEOUT,
  );

  it(
    "removing a topic whose deletion policy is delete prints it as destructive and exits 3",
    async () => {
      const dir = scratchRepo();
      fs.writeFileSync(
        path.join(dir, "Pulumi.prod.yaml"),
        PROD_BASE.replace(/ {4}apphub\.scratch\.events:\n(?: {6}.*\n)+/, ""),
      );
      const result = await diff(dir);
      expect(result.code).toBe(3);
      expect(result.stdout).toContain(
        '!!! DESTRUCTIVE !!! apphub.scratch.events is removed from config with deletionPolicy "delete": pulumi up DELETES the topic from the broker',
      );
      expect(result.stdout).toContain(
        "!!! 1 DESTRUCTIVE CHANGE: data would be deleted or replaced",
      );
      expect(result.stdout).not.toContain("apphub.legacy.events");
    },
    RENDER_TEST_TIMEOUT,
  );

  it(
    "removing a topic with the default policy prints that it stays on the broker, no longer managed, and exits 0",
    async () => {
      const dir = scratchRepo();
      fs.writeFileSync(
        path.join(dir, "Pulumi.prod.yaml"),
        PROD_BASE.replace("    apphub.legacy.events:\n      partitions: 3\n", ""),
      );
      const result = await diff(dir);
      expect(result.code).toBe(0);
      const lines = changeLines(result.stdout);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^ {2}- apphub\.legacy\.events is removed from config: it stays on the broker, no longer managed \(deletionPolicy "retain"\)/,
      );
      expect(result.stdout).not.toContain("DESTRUCTIVE");
    },
    RENDER_TEST_TIMEOUT,
  );

  it("renders the base ref with its own code when the code changed", async () => {
    // The base commit's catalog gave telemetry two days; the working tree has the seed's three.
    const dir = scratchRepo();
    const catalog = path.join(dir, "src/topics/catalog.ts");
    const original = fs.readFileSync(catalog, "utf8");
    const twoDays = original.replace(
      /(name: "apphub\.ingestion\.telemetry",[\s\S]*?retentionMs: )3 \* DAY_MS/,
      "$12 * DAY_MS",
    );
    expect(twoDays).not.toBe(original);
    fs.writeFileSync(catalog, twoDays);
    commitAll(dir, "two days");
    fs.writeFileSync(catalog, original);

    const result = await diff(dir);
    expect(result.stderr).not.toMatch(/diff failed/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "base rendered with main's own code (changed since: src/topics/catalog.ts)",
    );
    expect(changeLines(result.stdout)).toEqual([
      "  apphub.ingestion.telemetry retention.ms 172800000 => 259200000",
    ]);
  }, 300_000);

  it("exits 1, not 3, when the base ref does not exist", async () => {
    const dir = scratchRepo();
    const result = await diff(dir, "--base", "no-such-branch");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--base no-such-branch: no such commit");
  });
});
