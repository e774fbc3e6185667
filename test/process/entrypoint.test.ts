import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runChild } from "../support/child";
import { REPO_ROOT } from "../support/render";

const ENTRY = path.join(REPO_ROOT, "dist/test/support/tsnodeEntry.js"); // built by test/buildSetup.ts
const EXTERNAL_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-entry-"));
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
afterAll(() => fs.rmSync(EXTERNAL_DIR, { recursive: true, force: true }));

interface EntryRun {
  resources: { type: string; name: string }[];
  loaded: string[];
}

async function loadEntry(stack: string, stackDir = REPO_ROOT): Promise<EntryRun> {
  const result = await runChild(process.execPath, [ENTRY, stack, stackDir], { cwd: REPO_ROOT });
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
  };
}

const topicsOf = (run: EntryRun) =>
  run.resources.filter(
    (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
  );

// `pulumi up` does not run the compiled JS: the Node host loads src/index.ts through the project's
// ts-node with tsconfig.json's `ts-node` options (transpile only: the type check is CI's
// `npm run typecheck`). This loads it the same way and records which SDKs each environment pulls in.
describe("the TypeScript entry point as pulumi up loads it", () => {
  it.each(["dev", "prod"])(
    "declares the %s stack through ts-node, loading that platform's SDKs",
    async (stack) => {
      const run = await loadEntry(stack);
      expect(topicsOf(run)).toHaveLength(7);
      expect(run.loaded).toEqual(
        expect.arrayContaining(
          stack === "dev" ? ["@pulumi/docker"] : ["@pulumi/kubernetes", "@pulumi/tls"],
        ),
      );
    },
    120_000,
  );

  it("declares an external stack without loading any provider SDK or the whole Pulumi SDK", async () => {
    const run = await loadEntry("external", EXTERNAL_DIR);
    expect(topicsOf(run)).toHaveLength(7);
    expect(run.loaded).toEqual([]);
  }, 120_000);
});
