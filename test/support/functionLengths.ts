/**
 * Length in lines of every function in TypeScript files (declarations, methods, constructors,
 * accessors, arrow functions and function expressions), from the TypeScript parser, so the
 * "no function over 80 lines" rule for components/ is measured rather than eyeballed.
 *
 * `node dist/test/support/functionLengths.js components/*.ts` prints the longest first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export interface FunctionLength {
  file: string;
  /** `Class.method`, `Class.constructor`, the function's or variable's name, or `<anonymous>`. */
  name: string;
  /** 1-based line of the function's first token. */
  line: number;
  /** Lines from the first token to the closing brace, both included. */
  lines: number;
}

/** Every function in `files`, longest first. */
export function functionLengths(files: readonly string[]): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(file, "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ file, name: functionName(node), line: start + 1, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

function functionName(node: ts.SignatureDeclaration): string {
  const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : "";
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  if (node.name && ts.isIdentifier(node.name)) return `${owner}${node.name.text}`;
  if (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name))
    return node.parent.name.text;
  return "<anonymous>";
}

if (require.main === module) {
  const files = process.argv.slice(2);
  for (const entry of functionLengths(files)) {
    console.log(
      `${String(entry.lines).padStart(4)}  ${path.normalize(entry.file)}:${entry.line}  ${entry.name}`,
    );
  }
}
