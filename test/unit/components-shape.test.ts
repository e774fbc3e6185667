/**
 * The house rules for components/ (issue 22, pulumi-eks style), read from the sources with the
 * TypeScript parser: one ComponentResource per file with its type token and documented args,
 * a constructor that is a short sequence of builder calls ending in registerOutputs, errors
 * thrown only as ResourceError, and no function (there or in the builders) over 80 lines.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { functionLengths } from "../support/functionLengths";
import { REPO_ROOT } from "../support/renderFiles";

const MAX_FUNCTION_LINES = 80;
const COMPONENTS = path.join(REPO_ROOT, "components");
const componentFiles = fs
  .readdirSync(COMPONENTS)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => path.join(COMPONENTS, file));
const builderFiles = [
  "src/declare.ts",
  "src/backup/declare.ts",
  "src/cluster/declare.ts",
  "src/cluster/tls.ts",
  "src/dev/declare.ts",
  "src/env/declare.ts",
  "src/topics/declare.ts",
].map((file) => path.join(REPO_ROOT, file));

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function descendants(node: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (child: ts.Node) => {
    found.push(child);
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

describe("components/", () => {
  it("holds the six components", () => {
    expect(componentFiles.map((file) => path.basename(file, ".ts")).sort()).toEqual([
      "DevStack",
      "KafkaUsers",
      "RedpandaCluster",
      "SnapshotBackup",
      "StreamingEnv",
      "TopicBootstrap",
    ]);
  });

  for (const file of componentFiles) {
    const name = path.basename(file, ".ts");
    const source = parse(file);

    describe(name, () => {
      const classes = source.statements.filter(ts.isClassDeclaration);
      const component = classes.find((declaration) => declaration.name?.text === name);
      const ctor = component?.members.find(ts.isConstructorDeclaration);

      it("declares one ComponentResource, named after the file, with its type token", () => {
        expect(classes).toHaveLength(1);
        expect(component?.heritageClauses?.[0]?.getText(source)).toBe(
          "extends pulumi.ComponentResource",
        );
        const superCall = ctor?.body?.statements[0]?.getText(source) ?? "";
        expect(superCall).toMatch(new RegExp(`^super\\("apphub:streaming:${name}", name,`));
      });

      it("documents every field of its args interface, with the default of each optional one", () => {
        const args = source.statements
          .filter(ts.isInterfaceDeclaration)
          .find((declaration) => declaration.name.text === `${name}Args`);
        expect(args, `${name}Args`).toBeDefined();
        for (const member of args!.members) {
          const docs = ts.getJSDocCommentsAndTags(member).map((doc) => doc.getText(source));
          const field = member.name?.getText(source);
          expect(docs.join(""), `${name}Args.${field}`).not.toBe("");
          if (member.questionToken)
            expect(docs.join(""), `${name}Args.${field}`).toMatch(/Default/);
        }
      });

      it("ends its constructor with registerOutputs", () => {
        const last = ctor?.body?.statements.at(-1)?.getText(source) ?? "";
        expect(last).toMatch(/^this\.registerOutputs\(/);
      });

      it("throws nothing but ResourceError", () => {
        const throws = descendants(source).filter(ts.isThrowStatement);
        for (const statement of throws) {
          expect(statement.expression.getText(source)).toMatch(/^new pulumi\.ResourceError\(/);
        }
      });
    });
  }

  it(`has no function over ${MAX_FUNCTION_LINES} lines, nor have the builders`, () => {
    const tooLong = functionLengths([...componentFiles, ...builderFiles])
      .filter((entry) => entry.lines > MAX_FUNCTION_LINES)
      .map((entry) => `${path.relative(REPO_ROOT, entry.file)}:${entry.line} ${entry.name}`);
    expect(tooLong).toEqual([]);
  });
});
