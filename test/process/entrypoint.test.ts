import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runChild } from "../support/child";
import { REPO_ROOT } from "../support/render";

const ENTRY = path.join(REPO_ROOT, "dist/test/support/tsnodeEntry.js"); // built by test/buildSetup.ts

// `pulumi up` does not run the compiled JS: it type-checks and loads src/index.ts through
// ts-node, which sees only the files the program imports. This catches what tsc over the
// whole tree cannot (e.g. an ambient declaration no import reaches).
describe("the TypeScript entry point as pulumi up loads it", () => {
  it.each(["dev", "prod"])(
    "type-checks and declares the %s stack through ts-node",
    async (stack) => {
      const result = await runChild(process.execPath, [ENTRY, stack], { cwd: REPO_ROOT });
      expect(result.stderr).not.toMatch(/TSError|error TS\d+/);
      expect(result.code).toBe(0);
      const marked = result.stdout.split("\n").find((line) => line.startsWith("RESOURCES "));
      const resources = JSON.parse(marked?.slice("RESOURCES ".length) ?? "[]") as {
        type: string;
        name: string;
      }[];
      expect(
        resources.filter(
          (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
        ),
      ).toHaveLength(7);
    },
    120_000,
  );
});
