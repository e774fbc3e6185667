/**
 * `npm run promote -- --from dev --to prod [--write] [--project-dir <dir>]`
 *
 * Lists the promotable differences between two stacks' config (new topics, retention and
 * other topic configs, partition increases, mirror flags, publisher controls) and, with
 * `--write`, sets exactly those keys in `Pulumi.<to>.yaml`, leaving every other byte of the
 * file (comments, key order, environment-specific keys, secrets) as it was.
 *
 * Exit codes (src/cli/kit.ts): 3 refused: the target's validation would reject the promoted
 * config (nothing is written).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile, stackFilePath } from "../config/load";
import { formatPlan, planPromotion, PromotionError, yamlSets } from "../ops/promotion";
import { applyYamlSets, YamlEditError } from "../ops/yamlEdit";
import { EXIT, processIo, required, runCli, runParsed, type CliSpec, type Io } from "./kit";

export const PROMOTE_CLI: CliSpec<{
  from: { type: "string"; description: string; value: string };
  to: { type: "string"; description: string; value: string };
  write: { type: "boolean"; description: string };
  "project-dir": { type: "string"; description: string; value: string };
}> = {
  name: "promote",
  summary:
    "Carries the settings proven in one stack into another's stack file; prod-specific keys stay as they are.",
  usage: ["--from <stack> --to <stack> [--write] [--project-dir <dir>]"],
  options: {
    from: {
      type: "string",
      description: "the stack the settings were proven in",
      value: "<stack>",
    },
    to: { type: "string", description: "the stack file to update", value: "<stack>" },
    write: {
      type: "boolean",
      description: "write Pulumi.<to>.yaml (default: print the plan only)",
    },
    "project-dir": {
      type: "string",
      description: "where the stack files are (default: the current directory)",
      value: "<dir>",
    },
  },
  attention: "refused: the target's validation would reject the promoted config; nothing written",
};

export function promoteCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    PROMOTE_CLI,
    argv,
    (args) => {
      const from = required(args.values, "from", "the stack the settings come from");
      const to = required(args.values, "to", "the stack file to update");
      const projectDir = path.resolve(args.values["project-dir"] ?? process.cwd());
      const toFile = stackFilePath(to, projectDir);
      const plan = planPromotion(
        { stack: from, ...readStackFile(stackFilePath(from, projectDir)) },
        { stack: to, ...readStackFile(toFile) },
      );
      io.out(formatPlan(plan).replace(/\n$/, ""));
      if (plan.refusals.length > 0) return EXIT.attention;
      if (plan.changes.length === 0) return EXIT.ok;
      if (!args.values.write) {
        io.out(
          `\ndry run: nothing written; run again with --write to update ${path.basename(toFile)}`,
        );
        return EXIT.ok;
      }
      const updated = applyYamlSets(fs.readFileSync(toFile, "utf8"), yamlSets(plan));
      fs.writeFileSync(toFile, updated);
      io.out(
        `\nwrote ${path.basename(toFile)}: ${plan.changes.length} key${plan.changes.length === 1 ? "" : "s"} promoted; review with git diff, then open a PR`,
      );
      return EXIT.ok;
    },
    io,
    // A plan that cannot be made from these files, or a file that cannot be edited: the input's fault.
    [PromotionError, YamlEditError],
  );
}

if (require.main === module) runCli("promote", () => promoteCommand(process.argv.slice(2)));
