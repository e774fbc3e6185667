import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Plain JavaScript (it loads before any TypeScript loader): typed here by hand.
const freshBuild = require("../../src/freshBuild.js") as {
  sourceDigest(root: string): string;
  compiledState(root: string): { fresh: boolean; reason: string };
  DIGEST_FILE: string;
};

const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-fresh-build-"));
afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

let projects = 0;
function project(): string {
  const root = path.join(SCRATCH, `p${projects++}`);
  fs.mkdirSync(path.join(root, "src/topics"), { recursive: true });
  fs.mkdirSync(path.join(root, "components"), { recursive: true });
  fs.writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
  fs.writeFileSync(path.join(root, "src/index.ts"), "export = 1;\n");
  fs.writeFileSync(path.join(root, "src/topics/catalog.ts"), "export const topics = [];\n");
  fs.writeFileSync(path.join(root, "components/Topic.ts"), "export class Topic {}\n");
  return root;
}
function recordBuild(root: string): void {
  fs.mkdirSync(path.join(root, "dist"), { recursive: true });
  fs.writeFileSync(path.join(root, freshBuild.DIGEST_FILE), `${freshBuild.sourceDigest(root)}\n`);
}

describe("whether dist/ is the build of the sources on disk", () => {
  it("is fresh right after a recorded build, and stays fresh when only file times change", () => {
    const root = project();
    recordBuild(root);
    expect(freshBuild.compiledState(root).fresh).toBe(true);
    const past = new Date(Date.now() + 3_600_000);
    fs.utimesSync(path.join(root, "src/index.ts"), past, past);
    expect(freshBuild.compiledState(root)).toEqual({
      fresh: true,
      reason: "built from these sources",
    });
  });

  it.each([
    [
      "an edited source",
      (root: string) => fs.appendFileSync(path.join(root, "src/index.ts"), "//\n"),
    ],
    [
      "a new component",
      (root: string) => fs.writeFileSync(path.join(root, "components/New.ts"), ""),
    ],
    ["a deleted module", (root: string) => fs.rmSync(path.join(root, "src/topics/catalog.ts"))],
    [
      "a renamed module",
      (root: string) =>
        fs.renameSync(
          path.join(root, "src/topics/catalog.ts"),
          path.join(root, "src/topics/seed.ts"),
        ),
    ],
    [
      "changed compiler options",
      (root: string) =>
        fs.writeFileSync(path.join(root, "tsconfig.json"), '{"compilerOptions":{}}\n'),
    ],
  ])("is stale after %s, whatever the file times say", (_label, change) => {
    const root = project();
    recordBuild(root);
    change(root);
    // Sources older than the build, as `cp -p`, rsync -t or tar leave them: still stale.
    for (const file of ["src/index.ts", "components/Topic.ts", "tsconfig.json"]) {
      const absolute = path.join(root, file);
      if (fs.existsSync(absolute)) fs.utimesSync(absolute, new Date(0), new Date(0));
    }
    expect(freshBuild.compiledState(root)).toEqual({
      fresh: false,
      reason: "the sources changed since the last npm run build",
    });
  });

  it("is stale, naming the missing digest and the command, when nothing was built", () => {
    expect(freshBuild.compiledState(project())).toEqual({
      fresh: false,
      reason: "dist/.source-digest is missing (run npm run build)",
    });
  });
});
