/**
 * The folder is the tier (vitest.config.ts), and each folder keeps its tier's promise:
 * nothing under test/unit or test/render starts a child process, and nothing under test/unit
 * renders. Read from the sources (every import a test file reaches through test/'s own helpers)
 * and checked at run time by the in-process tiers' setup file, which also catches a child
 * process started by the product code under test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import config, { IN_PROCESS_GUARD, TIERS, type Tier } from "../../vitest.config";
import { CHILD_PROCESS_STARTERS } from "../support/inProcessOnly";

const REPO = path.resolve(__dirname, "../..");
const TEST_DIR = path.join(REPO, "test");
const rel = (file: string) => path.relative(REPO, file);

/** Modules that start the program under Pulumi's mock runtime: off limits to the unit tier. */
const RENDERING_MODULES = [
  "test/support/render.ts",
  "test/support/inProcess.ts",
  "src/cli/render.ts",
  "src/render/capture.ts",
];
const CHILD_PROCESS_MODULES = ["node:child_process", "child_process"];

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return entry.isFile() && keep(file) ? [file] : [];
  });
}

const isTestFile = (file: string) => file.endsWith(".test.ts");
const testFilesOf = (tier: Tier) => filesUnder(path.join(TEST_DIR, tier), isTestFile);

const importsByFile = new Map<string, string[]>();

/** The modules a file loads: static imports and re-exports (type-only ones left out), require() and import(). */
function importsOf(file: string): string[] {
  const known = importsByFile.get(file);
  if (known) return known;
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isImportDeclaration(node) &&
      !node.importClause?.isTypeOnly &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    )
      found.push(node.moduleReference.expression.text);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  importsByFile.set(file, found);
  return found;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts"), base].find(
    (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
  );
}

/**
 * Every import a test file reaches, following test/'s own modules (helpers, peers) but not into
 * the product code, whose child processes the run-time guard catches. Each with the chain of
 * files that leads to it, for a message that says where to look.
 */
function reachedImports(testFile: string): { module: string; via: string[] }[] {
  const reached: { module: string; via: string[] }[] = [];
  const seen = new Set<string>();
  const walk = (file: string, via: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of importsOf(file)) {
      const target = specifier.startsWith(".") ? resolveRelative(file, specifier) : undefined;
      const module = target ? rel(target) : specifier;
      reached.push({ module, via: [...via, rel(file)] });
      if (target?.startsWith(TEST_DIR + path.sep) && target.endsWith(".ts"))
        walk(target, [...via, rel(file)]);
    }
  };
  walk(testFile, []);
  return reached;
}

function offences(testFile: string, forbidden: readonly string[]): string[] {
  return reachedImports(testFile)
    .filter(({ module }) => forbidden.includes(module))
    .map(({ module, via }) => `${via.join(" -> ")} imports ${module}`);
}

describe("the folder is the tier", () => {
  it("vitest runs each tier from its own folder, and only from there", () => {
    const projects = (config.test?.projects ?? []) as {
      test: { name: string; include: string[]; exclude?: string[] };
    }[];
    expect(projects.map((project) => project.test.name)).toEqual([...TIERS]);
    for (const { test } of projects) {
      expect(test.include, test.name).toEqual([`test/${test.name}/**/*.test.ts`]);
      expect(test.exclude, test.name).toBeUndefined();
    }
  });

  it("every test file lives in a tier folder", () => {
    const inTiers = new Set(TIERS.flatMap(testFilesOf));
    const elsewhere = filesUnder(TEST_DIR, isTestFile).filter((file) => !inTiers.has(file));
    expect(elsewhere.map(rel)).toEqual([]);
    for (const tier of TIERS) expect(testFilesOf(tier).length, tier).toBeGreaterThan(0);
  });

  it("the unit and render tiers, and only they, run with the child-process guard", () => {
    const projects = (config.test?.projects ?? []) as {
      test: { name: Tier; setupFiles?: string[] };
    }[];
    const guarded = projects
      .filter(({ test }) => test.setupFiles?.includes(IN_PROCESS_GUARD))
      .map(({ test }) => test.name);
    expect(guarded).toEqual(["unit", "render"]);
  });
});

describe("nothing under test/unit or test/render starts a child process", () => {
  it.each(["unit", "render"] as const)("no %s test reaches node:child_process", (tier) => {
    expect(testFilesOf(tier).flatMap((file) => offences(file, CHILD_PROCESS_MODULES))).toEqual([]);
  });

  it("the check sees a child process through a helper: the process tier's would fail it", () => {
    const pulumiDriver = path.join(TEST_DIR, "e2e/topics.test.ts");
    expect(offences(pulumiDriver, CHILD_PROCESS_MODULES).join("\n")).toMatch(
      /test\/e2e\/topics\.test\.ts -> test\/e2e\/support\/pulumi\.ts -> .*imports node:child_process/,
    );
  });

  it("at run time, starting one throws and says where the test belongs", () => {
    // Fetched without an import, so that this file keeps the rule it checks.
    const childProcess = process.getBuiltinModule("node:child_process");
    expect(() => childProcess.spawnSync("true")).toThrow(
      /run in-process: spawnSync\("true"\) would start a child process; move this test to test\/process/,
    );
    for (const starter of CHILD_PROCESS_STARTERS)
      expect(
        () => (childProcess[starter] as (command: string) => unknown)("true"),
        starter,
      ).toThrow(/run in-process/);
  });
});

describe("nothing under test/unit renders", () => {
  it("no unit test reaches the render helpers or the render command", () => {
    expect(testFilesOf("unit").flatMap((file) => offences(file, RENDERING_MODULES))).toEqual([]);
  });

  it("the check would catch a render test placed in test/unit", () => {
    expect(offences(path.join(TEST_DIR, "render/render.test.ts"), RENDERING_MODULES)).toContain(
      "test/render/render.test.ts -> test/support/render.ts imports test/support/inProcess.ts",
    );
  });
});
