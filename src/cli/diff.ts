/**
 * `npm run diff -- --stack <dev|minikube|prod> --base <git-ref> [--project-dir <dir>]`
 *
 * Renders the stack at the base ref and in the working tree (offline, under Pulumi's mock
 * runtime) and prints what changes: per topic each changed setting, per other resource the
 * changed fields, and a banner for anything that would delete or replace a topic, a broker
 * volume or the backup bucket.
 *
 * `--format markdown` prints one stack's section of the CI pull-request comment instead.
 *
 * Exit codes: 0 no destructive change; 2 at least one destructive change; 1 usage or
 * render error (never 2, so CI can tell "look at this" from "this broke").
 */
import * as path from "node:path";
import { parseCliArgs } from "./args";
import { DiffError, renderBase, renderWorkingTree, resolveRef } from "../ops/gitRender";
import { diffRenders, formatRenderDiff, formatRenderDiffMarkdown } from "../ops/renderDiff";

const USAGE = "usage: npm run diff -- --stack <dev|minikube|prod> --base <git-ref> [--project-dir <dir>] [--format text|markdown]";
const EXIT_DESTRUCTIVE = 2;
const EXIT_ERROR = 1;

function main(argv: string[]): number {
  const parsed = parseCliArgs(
    argv,
    {
      stack: { type: "string" },
      base: { type: "string" },
      "project-dir": { type: "string", default: process.cwd() },
      format: { type: "string", default: "text" },
      help: { type: "boolean" },
    },
    USAGE,
    { required: ["stack", "base"] },
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  if (values.format !== "text" && values.format !== "markdown") {
    process.stderr.write(`--format: expected "text" or "markdown", got ${JSON.stringify(values.format)}\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const projectDir = path.resolve(values["project-dir"]);
  const stack = values.stack;
  const renderCli = path.join(__dirname, "render.js");

  const base = resolveRef(projectDir, values.base);
  const head = renderWorkingTree(projectDir, stack, renderCli);
  const before = renderBase(projectDir, stack, base, renderCli);
  if (head.resources === null && before.resources === null) {
    throw new DiffError(`Pulumi.${stack}.yaml exists neither in ${projectDir} nor at ${values.base}`);
  }
  for (const warning of [...before.warnings, ...head.warnings]) process.stderr.write(`warning: ${warning}\n`);

  const diff = diffRenders(before.resources ?? [], head.resources ?? []);
  const baseLabel = `${base.ref} (${base.short})${before.resources === null ? `, where Pulumi.${stack}.yaml does not exist` : ""}`;
  const headNote = head.resources === null ? `\nnote: Pulumi.${stack}.yaml is deleted in the working tree: every resource of the stack is listed as removed` : "";
  const header = { stack, base: baseLabel, baseCode: `${before.description}${headNote}` };
  process.stdout.write(values.format === "markdown" ? formatRenderDiffMarkdown(diff, header) : formatRenderDiff(diff, header));
  return diff.destructive ? EXIT_DESTRUCTIVE : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof DiffError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`diff failed: ${message}\n`);
  process.exitCode = EXIT_ERROR;
}
