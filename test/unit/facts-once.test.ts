/**
 * Facts written once: each literal below may appear only in the module that owns it (string and
 * template literals and identifiers, read with TypeScript's own parser, so comments do not
 * count). Everything else imports the fact or derives it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TOPIC_ROLES } from "../../src/topics/catalog";

const ROOT = path.resolve(__dirname, "../..");
const SCANNED = ["src", "components"];

interface Token {
  file: string;
  kind: "string" | "identifier";
  text: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

/** Every string piece and identifier of every file, in source order (comments are not nodes). */
function tokens(): Token[] {
  const all: Token[] = [];
  for (const file of SCANNED.flatMap(sourceFiles)) {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(path.join(ROOT, file), "utf8"),
      ts.ScriptTarget.Latest,
      false,
    );
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
        all.push({ file, kind: "string", text: node.text });
      } else if (ts.isIdentifier(node)) {
        all.push({ file, kind: "identifier", text: node.text });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return all;
}

const TOKENS = tokens();
const filesWhere = (match: (token: Token) => boolean) =>
  [...new Set(TOKENS.filter(match).map((token) => token.file))].sort();

/** Literal text → the one module allowed to write it. */
const LITERALS: Record<string, string> = {
  "apphub-redpanda:9092": "(none: derived from the client Service name and the Kafka port)",
  "cluster.local": "src/cluster/constants.ts",
  "101:101": "(none: derived from REDPANDA_UID and REDPANDA_GID)",
  "apphub.streaming.probe": "src/topics/catalog.ts",
  APPHUB_STREAM_BROKER_URL: "src/env/variables.ts",
  "SCRAM-SHA-256": "src/config/rules.ts",
  "scram-sha-256": "(none: derived from SCRAM_MECHANISMS)",
};

describe("facts written once", () => {
  it("has the scanner reading templates and strings (a sanity check of this test)", () => {
    expect(
      TOKENS.some((token) => token.kind === "string" && token.text === "apphub.core.events"),
    ).toBe(true);
    expect(TOKENS.filter((token) => token.kind === "identifier").length).toBeGreaterThan(1000);
  });

  it.each(Object.entries(LITERALS))("writes %s only in %s", (literal, owner) => {
    const files = filesWhere((token) => token.kind === "string" && token.text.includes(literal));
    expect(files).toEqual(owner.startsWith("(") ? [] : [owner]);
  });

  it.each(TOPIC_ROLES.map((role) => [role]))(
    "names the role %s only in the topic catalog",
    (role) => {
      const files = filesWhere(
        (token) => (token.kind === "string" || token.kind === "identifier") && token.text === role,
      );
      expect(files).toEqual(["src/topics/catalog.ts"]);
    },
  );

  it("gives --smp a computed value everywhere", () => {
    const literalAfterSmp = TOKENS.flatMap((token, index) => {
      if (token.kind !== "string" || token.text !== "--smp") return [];
      const next = TOKENS[index + 1];
      return next && next.kind === "string" ? [`${token.file}: --smp ${next.text}`] : [];
    });
    expect(literalAfterSmp).toEqual([]);
  });

  it("defines isRecord and the value quoting helper only in src/config/values.ts", () => {
    const definitions = SCANNED.flatMap(sourceFiles).flatMap((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      if (file === "src/config/values.ts") return [];
      return [...text.matchAll(/(?:const|function)\s+(isRecord|describe)\b/g)].map(
        (match) => `${file}: ${match[1]}`,
      );
    });
    expect(definitions).toEqual([]);
  });

  it("branches on the environment in at most 8 places: the profiles table says what each means", () => {
    const branches = SCANNED.flatMap(sourceFiles).flatMap((file) => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      return [...text.matchAll(/environment\s*[!=]==/g)].map(() => file);
    });
    expect(branches.length).toBeLessThanOrEqual(8);
  });
});
