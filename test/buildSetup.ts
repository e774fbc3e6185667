// Vitest globalSetup of the tiers that run compiled code in child processes (the process and
// integration projects): compiles the sources first, so a test never runs a stale dist/.
// Incremental: when nothing changed since the last build it takes a few seconds.
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export default function setup(): void {
  const root = path.resolve(__dirname, "..");
  // As `npm run build`: the compiler, then the digest of the sources it compiled (src/freshBuild.js).
  const result = spawnSync(
    process.execPath,
    ["src/freshBuild.js", "build", "--incremental", "--tsBuildInfoFile", ".cache/tsbuildinfo"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (result.status !== 0)
    throw new Error(
      `npm run build failed, so dist/ would be stale:\n${result.stdout}${result.stderr}`,
    );
}
