/**
 * Setup file of the in-process tiers (unit, render; vitest.config.ts): starting a child process
 * there throws, whether a test asks for it or the product code under test does (a kubectl or git
 * call). Such a test belongs in test/process. test/unit/tiers.test.ts checks the source side.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

/** Every way node:child_process starts a process. */
export const CHILD_PROCESS_STARTERS = [
  "spawn",
  "spawnSync",
  "exec",
  "execSync",
  "execFile",
  "execFileSync",
  "fork",
] as const;

// The CommonJS exports object, which every import of the module reads from.
const childProcess = createRequire(__filename)("node:child_process") as Record<string, unknown>;
for (const name of CHILD_PROCESS_STARTERS) {
  Object.assign(childProcess, {
    [name]: (command: unknown) => {
      throw new Error(
        `the unit and render tiers run in-process: ${name}(${JSON.stringify(command)}) would start a child process; move this test to test/process (README, Tests)`,
      );
    },
  });
}
// ESM imports of node:child_process read the patched functions too.
syncBuiltinESMExports();
