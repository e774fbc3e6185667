import * as fs from "node:fs";
import * as path from "node:path";

/**
 * What `pulumi` reads from a clone after `npm ci` and `npm run build`, besides `node_modules`:
 * the project files, the sources, and their build with the digest of the sources it was compiled
 * from (so the compiled program runs, as in a user's checkout; `src/freshBuild.js`).
 */
const PROJECT_FILES = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "src",
  "components",
  "dist/src",
  "dist/components",
  "dist/.source-digest",
];

/**
 * Makes `dir` a checkout of `repo` as a user has it: the project files copied, `node_modules`
 * linked. Copied, not linked: Node resolves a linked module to its real path, outside the
 * project, which is not what a clone records (e.g. the source positions the engine stores).
 */
export function copyCheckout(repo: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  for (const entry of PROJECT_FILES)
    fs.cpSync(path.join(repo, entry), path.join(dir, entry), { recursive: true });
}
