/**
 * The compiled scripts of test/serialization, run in plain Node as Pulumi's engine runs a dynamic
 * provider (vitest's transform breaks closure serialization): serialize a provider, then load it
 * back from its text and call it. Needs dist/, which test/buildSetup.ts builds for the tiers that
 * start processes.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type ChildOptions, type ChildResult, runChild } from "./child";
import { REPO_ROOT } from "./renderFiles";

/** Runs `dist/test/serialization/<script>.js` from the repository root; two minutes at most. */
export function runSerializationScript(
  script: "serialize-provider" | "serialize-replica-guard" | "drive-provider",
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  const file = path.join(REPO_ROOT, "dist/test/serialization", `${script}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npx tsc -p . first`);
  return runChild(process.execPath, [file, ...args], {
    cwd: REPO_ROOT,
    timeoutMs: 120_000,
    ...options,
  });
}

export type DriveOutcome<Result> = { ok: true; result: Result } | { ok: false; error: string };

/**
 * One provider call in a fresh Node process, as one engine run with one resource operation:
 * the provider loaded from the serialized text in providerFile (`{ "text" }`), the arguments
 * written beside it.
 */
export async function driveProvider<Result>(
  providerFile: string,
  method: string,
  args: readonly unknown[],
  options: ChildOptions = {},
): Promise<DriveOutcome<Result>> {
  const argsFile = path.join(path.dirname(providerFile), `${method}-${randomUUID()}.json`);
  fs.writeFileSync(argsFile, JSON.stringify(args));
  const child = await runSerializationScript(
    "drive-provider",
    [providerFile, method, argsFile],
    options,
  );
  const line = child.stdout.trim().split("\n").pop() ?? "";
  if (!line.startsWith("{"))
    throw new Error(
      `drive-provider ${method} printed no result (exit ${child.code}): ${child.stderr}`,
    );
  return JSON.parse(line) as DriveOutcome<Result>;
}
