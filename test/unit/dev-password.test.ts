/**
 * The generated sequencer password is a dynamic provider, so it is tested the way the engine
 * runs it (SPEC, "Pulumi facts"): compiled JS, serialized with Pulumi's closure serializer in
 * plain Node (vitest's transform breaks serialization), loaded back from that text, driven.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/render";

const COMPILED = path.join(REPO_ROOT, "dist/src/dev/generatedPassword.js");

const SCRIPT = `
const closure = require("@pulumi/pulumi/runtime/closure/serializeClosure");
// The loader the engine's dynamic-provider host uses, resolved from @pulumi/pulumi itself.
const requireFromString = require(require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }));
const { generatedPasswordProvider } = require(${JSON.stringify(COMPILED)});
(async () => {
  const serialized = await closure.serializeFunction(() => generatedPasswordProvider, { allowSecrets: true });
  const provider = requireFromString(serialized.text).handler();
  const inputs = { length: 32, providerVersion: "1" };
  const first = await provider.create(inputs);
  const second = await provider.create(inputs);
  const noChange = await provider.diff(first.id, first.outs, inputs);
  const longer = await provider.diff(first.id, first.outs, { ...inputs, length: 40 });
  const newVersion = await provider.diff(first.id, first.outs, { ...inputs, providerVersion: "2" });
  const updated = await provider.update(first.id, first.outs, { ...inputs, providerVersion: "2" });
  process.stdout.write(JSON.stringify({ text: serialized.text, containsSecrets: serialized.containsSecrets, first, second, noChange, longer, newVersion, updated }));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

interface Result {
  text: string;
  containsSecrets: boolean;
  first: { id: string; outs: { value: string; length: number } };
  second: { id: string; outs: { value: string } };
  noChange: { changes: boolean; replaces: string[] };
  longer: { changes: boolean; replaces: string[] };
  newVersion: { changes: boolean; replaces: string[] };
  updated: { outs: { value: string; providerVersion: string } };
}

function run(): Result {
  if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run npm run build first`);
  const child = spawnSync(process.execPath, ["-e", SCRIPT], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  if (child.status !== 0) throw new Error(`serialization run failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Result;
}

describe("the generated sequencer password, serialized as the engine does", () => {
  const result = run();

  it("serializes without capturing a secret, and requires node:crypto rather than copying it", () => {
    expect(result.containsSecrets).toBe(false);
    expect(result.text).toMatch(/require\("(node:)?crypto"\)/);
  });

  it("creates a 32-character hex password, a different one each time", () => {
    expect(result.first.outs.value).toMatch(/^[0-9a-f]{32}$/);
    expect(result.second.outs.value).toMatch(/^[0-9a-f]{32}$/);
    expect(result.first.outs.value).not.toBe(result.second.outs.value);
    expect(result.first.id).not.toBe(result.second.id);
  });

  it("keeps the password on later updates and replaces it only when its length changes", () => {
    expect(result.noChange).toEqual({ changes: false, replaces: [] });
    expect(result.longer).toEqual({ changes: true, replaces: ["length"] });
    expect(result.newVersion).toEqual({ changes: true, replaces: [] });
    expect(result.updated.outs).toMatchObject({ value: result.first.outs.value, providerVersion: "2" });
  });
});
