import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyCheckout } from "../support/checkout";
import { runChild } from "../support/child";
import { REPO_ROOT } from "../support/render";

const ENTRY = path.join(REPO_ROOT, "dist/test/support/hostEntry.js"); // built by test/buildSetup.ts
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-entry-"));
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

const EXTERNAL_DIR = path.join(SCRATCH, "external-stack");
fs.mkdirSync(EXTERNAL_DIR);
fs.writeFileSync(
  path.join(EXTERNAL_DIR, "Pulumi.external.yaml"),
  [
    "config:",
    "  apphub-streaming:environment: external",
    "  apphub-streaming:kafka:",
    '    brokers: ["127.0.0.1:19092"]',
    "    brokerCount: 1",
    "",
  ].join("\n"),
);

/** A project folder as a clone has it after `npm ci` and `npm run build` (the process tier builds first). */
function checkout(label: string): string {
  const dir = path.join(SCRATCH, label);
  copyCheckout(REPO_ROOT, dir);
  return dir;
}

interface EntryRun {
  resources: { type: string; name: string }[];
  loaded: string[];
  form: { program: string[]; typescriptLoaded: boolean };
}

async function loadEntry(stack: string, stackDir: string, projectDir: string): Promise<EntryRun> {
  const result = await runChild(process.execPath, [ENTRY, stack, stackDir, projectDir], {
    cwd: projectDir,
  });
  expect(result.stderr).not.toMatch(/TSError|error TS\d+/);
  expect(result.code, result.stderr).toBe(0);
  const marked = (marker: string): unknown =>
    JSON.parse(
      result.stdout
        .split("\n")
        .find((line) => line.startsWith(`${marker} `))
        ?.slice(marker.length + 1) ?? "null",
    );
  return {
    resources: marked("RESOURCES") as EntryRun["resources"],
    loaded: marked("LOADED") as string[],
    form: marked("FORM") as EntryRun["form"],
  };
}

const topicsOf = (run: EntryRun) =>
  run.resources.filter(
    (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
  );

const BUILT = checkout("built");
const COMPILED = ["dist/src/index.js"];
const THROUGH_TS_NODE = ["src/index.ts"];

// Pulumi.yaml sets `typescript: false`: the Node host requires package.json's `main`
// (src/programEntry.js) and registers no TypeScript loader. The entry runs dist/ when it is the
// build of the sources on disk, and the sources through ts-node (transpile only) otherwise.
describe("the program as pulumi up loads it", () => {
  it.each(["dev", "prod"])(
    "declares the %s stack from the fresh build, loading that platform's SDKs",
    async (stack) => {
      const run = await loadEntry(stack, REPO_ROOT, BUILT);
      expect(run.form.program).toEqual(COMPILED);
      expect(topicsOf(run)).toHaveLength(7);
      expect(run.loaded).toEqual(
        expect.arrayContaining(
          stack === "dev" ? ["@pulumi/docker"] : ["@pulumi/kubernetes", "@pulumi/tls"],
        ),
      );
    },
    120_000,
  );

  // The whole SDK (which a provider SDK pulls in) loads the TypeScript compiler for its closure
  // serializer; an external stack loads neither.
  it("declares an external stack from the fresh build without loading any provider SDK, the whole Pulumi SDK or the TypeScript compiler", async () => {
    const run = await loadEntry("external", EXTERNAL_DIR, BUILT);
    expect(run.form).toEqual({ program: COMPILED, typescriptLoaded: false });
    expect(topicsOf(run)).toHaveLength(7);
    expect(run.loaded).toEqual([]);
  }, 120_000);

  it("runs the sources through ts-node when one changed since the build, so a stale dist/ never runs", async () => {
    const edited = checkout("edited");
    // The seed catalog gains a topic in the source only: the compiled catalog does not have it.
    const catalog = path.join(edited, "src/topics/catalog.ts");
    const text = fs.readFileSync(catalog, "utf8");
    expect(text).toContain('name: "apphub.workflows.runs",');
    fs.writeFileSync(
      catalog,
      text.replace('name: "apphub.workflows.runs",', 'name: "apphub.workflows.audit",'),
    );
    const run = await loadEntry("external", EXTERNAL_DIR, edited);
    expect(run.form).toEqual({ program: THROUGH_TS_NODE, typescriptLoaded: true });
    expect(topicsOf(run).map((topic) => topic.name)).toContain("apphub.workflows.audit");
    expect(topicsOf(run).map((topic) => topic.name)).not.toContain("apphub.workflows.runs");
  }, 120_000);

  it("runs the sources through ts-node when the build left no digest (never built, or the build failed)", async () => {
    const unbuilt = checkout("unbuilt");
    fs.rmSync(path.join(unbuilt, "dist/.source-digest"));
    const run = await loadEntry("external", EXTERNAL_DIR, unbuilt);
    expect(run.form).toEqual({ program: THROUGH_TS_NODE, typescriptLoaded: true });
    expect(topicsOf(run)).toHaveLength(7);
  }, 120_000);
});
