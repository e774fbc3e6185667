/**
 * `npm run diff -- --stack <stack> --base <git-ref> [--project-dir <dir>] [--format text|markdown]`
 *
 * Renders the stack at the base ref and in the working tree (offline, under Pulumi's mock
 * runtime) and prints what changes: per topic each changed setting, per other resource the
 * changed fields, and a banner for anything that would delete or replace a topic, a broker
 * volume or the backup bucket.
 *
 * `--format markdown` prints one stack's section of the CI pull-request comment instead.
 *
 * Exit codes (src/cli/kit.ts): 3 at least one destructive change; 1 a render or git failure,
 * so CI can tell "look at this" from "this broke".
 */
import * as path from "node:path";
import { renderBase, renderWorkingTree, resolveRef } from "../ops/gitRender";
import { diffRenders, formatRenderDiff, formatRenderDiffMarkdown } from "../ops/renderDiff";
import {
  EXIT,
  processIo,
  required,
  runCli,
  runParsed,
  STACK_VALUE,
  UsageError,
  type CliSpec,
  type Io,
} from "./kit";

export const DIFF_CLI: CliSpec<{
  stack: { type: "string"; description: string; value: string };
  base: { type: "string"; description: string; value: string };
  "project-dir": { type: "string"; description: string; value: string };
  format: { type: "string"; description: string; value: string; default: string };
}> = {
  name: "diff",
  summary:
    "Renders a stack at a git ref and in the working tree, offline, and prints what would change.",
  usage: [`--stack ${STACK_VALUE} --base <git-ref> [--project-dir <dir>] [--format text|markdown]`],
  options: {
    stack: { type: "string", description: "the stack to compare", value: "<stack>" },
    base: {
      type: "string",
      description: "the git ref to compare with, e.g. origin/main",
      value: "<git-ref>",
    },
    "project-dir": {
      type: "string",
      description: "the project inside a git checkout (default: the current directory)",
      value: "<dir>",
    },
    format: {
      type: "string",
      description: "text, or markdown for the CI pull-request comment",
      value: "<format>",
      default: "text",
    },
  },
  attention:
    "a destructive change: a topic, broker volume or the backup bucket would be deleted or replaced",
};

export function diffCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    DIFF_CLI,
    argv,
    (args) => {
      const stack = required(args.values, "stack", "the stack to compare");
      const baseRef = required(args.values, "base", "the git ref to compare with");
      const format = args.values.format ?? "text";
      if (format !== "text" && format !== "markdown")
        throw new UsageError(
          `--format: expected "text" or "markdown", got ${JSON.stringify(format)}`,
        );
      const projectDir = path.resolve(args.values["project-dir"] ?? process.cwd());
      const renderCli = path.join(__dirname, "render.js");

      const base = resolveRef(projectDir, baseRef);
      const head = renderWorkingTree(projectDir, stack, renderCli);
      const before = renderBase(projectDir, stack, base, renderCli);
      if (head.resources === null && before.resources === null) {
        throw new UsageError(
          `Pulumi.${stack}.yaml exists neither in ${projectDir} nor at ${baseRef}`,
        );
      }
      for (const warning of [...before.warnings, ...head.warnings]) io.err(`warning: ${warning}`);

      const diff = diffRenders(before.resources ?? [], head.resources ?? []);
      const baseLabel = `${base.ref} (${base.short})${before.resources === null ? `, where Pulumi.${stack}.yaml does not exist` : ""}`;
      const headNote =
        head.resources === null
          ? `\nnote: Pulumi.${stack}.yaml is deleted in the working tree: every resource of the stack is listed as removed`
          : "";
      const header = { stack, base: baseLabel, baseCode: `${before.description}${headNote}` };
      io.out(
        (format === "markdown"
          ? formatRenderDiffMarkdown(diff, header)
          : formatRenderDiff(diff, header)
        ).replace(/\n$/, ""),
      );
      return diff.destructive ? EXIT.attention : EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runCli("diff", () => diffCommand(process.argv.slice(2)));
