/**
 * The I/O edge of `npm run diff`: renders one stack at a git ref and in the working tree,
 * each in a child Node process running the render CLI (Pulumi's closure serialization needs
 * plain compiled JS, and the mock runtime runs once per process).
 *
 * The base side runs the base ref's own code, since code changes move resources as much as
 * config does: its `src/`, `components/` and `tsconfig.json` are extracted with `git archive`,
 * compiled against this checkout's node_modules, and run there. When none of those differ
 * from the working tree, the compile is skipped and the base ref's stack file is rendered
 * with the working tree's build, which gives the same result.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RenderedResource } from "../render/write";

/** What the render depends on besides the stack file. */
export const CODE_PATHS = ["src", "components", "tsconfig.json"] as const;
/** Dependencies cannot be installed per ref offline: both sides use the working tree's node_modules. */
export const DEPENDENCY_PATHS = ["package.json", "package-lock.json"] as const;

const RENDER_TIMEOUT_MS = 180_000;
const BUILD_TIMEOUT_MS = 300_000;

export class DiffError extends Error {
  override readonly name = "DiffError";
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { input?: Buffer; timeout?: number } = {},
): SpawnSyncReturns<Buffer> {
  const result = spawnSync(command, args, {
    cwd,
    input: options.input,
    timeout: options.timeout ?? 60_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (result.error) throw new DiffError(`${command} ${args.join(" ")}: ${result.error.message}`);
  return result;
}

function git(projectDir: string, args: readonly string[]): string {
  const result = run("git", args, projectDir);
  if (result.status !== 0)
    throw new DiffError(`git ${args.join(" ")} failed: ${result.stderr.toString().trim()}`);
  return result.stdout.toString();
}

export interface ResolvedRef {
  ref: string;
  sha: string;
  short: string;
}

export function resolveRef(projectDir: string, ref: string): ResolvedRef {
  const check = run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], projectDir);
  if (check.status !== 0) {
    throw new DiffError(
      `--base ${ref}: no such commit in ${projectDir} (in CI, check out with fetch-depth: 0 so origin/<base> exists)`,
    );
  }
  const sha = check.stdout.toString().trim();
  return { ref, sha, short: sha.slice(0, 12) };
}

/** `projectDir` relative to the repository root, with a trailing slash (empty at the root). */
function prefixOf(projectDir: string): string {
  return git(projectDir, ["rev-parse", "--show-prefix"]).trim();
}

function existsAt(projectDir: string, sha: string, file: string): boolean {
  return (
    run("git", ["cat-file", "-e", `${sha}:${prefixOf(projectDir)}${file}`], projectDir).status === 0
  );
}

/** Paths among `paths` whose content differs between `sha` and the working tree (tracked or untracked). */
export function changedSince(projectDir: string, sha: string, paths: readonly string[]): string[] {
  const present = paths.filter(
    (file) => fs.existsSync(path.join(projectDir, file)) || existsAt(projectDir, sha, file),
  );
  if (present.length === 0) return [];
  const tracked = git(projectDir, ["diff", "--name-only", sha, "--", ...present]).split("\n");
  const untracked = git(projectDir, [
    "ls-files",
    "--others",
    "--exclude-standard",
    "--",
    ...present,
  ]).split("\n");
  return [...new Set([...tracked, ...untracked].filter((line) => line.trim() !== ""))].sort();
}

/** The directory holding this program's dependencies (node_modules). */
function nodeModulesDir(): string {
  const pulumiPackage = require.resolve("@pulumi/pulumi/package.json");
  return path.resolve(path.dirname(pulumiPackage), "..", "..");
}

/** Runs a render CLI for `stack` with `cwd` holding `Pulumi.<stack>.yaml`; returns its resources. */
function renderWith(
  renderCli: string,
  cwd: string,
  stack: string,
  side: string,
): RenderedResource[] {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-diff-out-"));
  try {
    const result = run(process.execPath, [renderCli, "--stack", stack, "--out", out], cwd, {
      timeout: RENDER_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      throw new DiffError(
        `rendering ${side} failed (exit ${result.status}):\n${result.stderr.toString().trim()}`,
      );
    }
    return JSON.parse(
      fs.readFileSync(path.join(out, stack, "resources.json"), "utf8"),
    ) as RenderedResource[];
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export interface RenderSide {
  /** null: the stack file does not exist on this side. */
  resources: RenderedResource[] | null;
  /** How this side was rendered, for the reader. */
  description: string;
  warnings: string[];
}

/** The working tree: its stack file, rendered by `renderCli` (this checkout's build). */
export function renderWorkingTree(
  projectDir: string,
  stack: string,
  renderCli: string,
): RenderSide {
  if (!fs.existsSync(path.join(projectDir, `Pulumi.${stack}.yaml`))) {
    return { resources: null, description: "the working tree (no stack file)", warnings: [] };
  }
  return {
    resources: renderWith(renderCli, projectDir, stack, "the working tree"),
    description: "the working tree",
    warnings: [],
  };
}

export function renderBase(
  projectDir: string,
  stack: string,
  base: ResolvedRef,
  renderCli: string,
): RenderSide {
  const stackFile = `Pulumi.${stack}.yaml`;
  const warnings: string[] = [];
  const dependencyChanges = changedSince(projectDir, base.sha, DEPENDENCY_PATHS);
  if (dependencyChanges.length > 0) {
    warnings.push(
      `${dependencyChanges.join(", ")} changed since ${base.ref}: both sides are rendered with the working tree's node_modules`,
    );
  }
  if (!existsAt(projectDir, base.sha, stackFile)) {
    return { resources: null, description: `${base.ref} (no ${stackFile} there)`, warnings };
  }
  const prefix = prefixOf(projectDir);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-diff-base-"));
  try {
    const codeChanges = changedSince(projectDir, base.sha, CODE_PATHS);
    if (codeChanges.length === 0) {
      fs.writeFileSync(
        path.join(scratch, stackFile),
        git(projectDir, ["show", `${base.sha}:${prefix}${stackFile}`]),
      );
      return {
        resources: renderWith(renderCli, scratch, stack, `${base.ref}'s ${stackFile}`),
        description: `the working tree's code (${CODE_PATHS.join(", ")} unchanged since ${base.ref})`,
        warnings,
      };
    }
    buildRef(projectDir, base, prefix, scratch, warnings);
    return {
      resources: renderWith(
        path.join(scratch, "dist", "src", "cli", "render.js"),
        scratch,
        stack,
        `${base.ref} with its own code`,
      ),
      description: `${base.ref}'s own code (changed since: ${codeChanges.join(", ")})`,
      warnings,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Extracts the ref's project directory into `dir` and compiles its program. */
function buildRef(
  projectDir: string,
  base: ResolvedRef,
  prefix: string,
  dir: string,
  warnings: string[],
): void {
  const archive = run("git", ["archive", "--format=tar", `${base.sha}:${prefix}`], projectDir);
  if (archive.status !== 0)
    throw new DiffError(`git archive ${base.ref} failed: ${archive.stderr.toString().trim()}`);
  const untar = run("tar", ["-x", "-C", dir], dir, { input: archive.stdout });
  if (untar.status !== 0)
    throw new DiffError(`extracting ${base.ref} failed: ${untar.stderr.toString().trim()}`);
  if (!fs.existsSync(path.join(dir, "tsconfig.json")))
    throw new DiffError(`${base.ref} has no tsconfig.json: cannot build its code`);
  fs.symlinkSync(nodeModulesDir(), path.join(dir, "node_modules"), "dir");
  // Only the program: the base ref's tests and benches are not needed to render it.
  const tsconfig = path.join(dir, "tsconfig.diff-base.json");
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: "./tsconfig.json",
      include: ["src/**/*.ts", "components/**/*.ts"],
      compilerOptions: { incremental: false, sourceMap: false, outDir: "dist", rootDir: "." },
    }),
  );
  const build = run(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", tsconfig],
    dir,
    { timeout: BUILD_TIMEOUT_MS },
  );
  const renderCli = path.join(dir, "dist", "src", "cli", "render.js");
  if (!fs.existsSync(renderCli)) {
    throw new DiffError(
      `building ${base.ref} produced no dist/src/cli/render.js:\n${build.stdout.toString().trim()}`,
    );
  }
  if (build.status !== 0) {
    // tsc still emits on type errors; the reviewer is better served by a diff than by nothing.
    warnings.push(
      `${base.ref} has type errors (tsc exit ${build.status}); rendered what tsc emitted:\n${indent(build.stdout.toString().trim())}`,
    );
  }
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
