/**
 * `npm run promote -- --from dev --to prod [--write] [--project-dir <dir>]`
 *
 * Lists the promotable differences between two stacks' config (new topics, retention and
 * other topic configs, partition increases, mirror flags, publisher controls) and, with
 * `--write`, sets exactly those keys in `Pulumi.<to>.yaml`, leaving every other byte of the
 * file (comments, key order, environment-specific keys, secrets) as it was.
 *
 * Exit codes: 0 plan printed (or written); 2 refused: the target's validation would reject
 * the promoted config (nothing is written); 1 usage error or an invalid stack file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCliArgs } from "./args";
import { readStackFile, stackFilePath } from "../config/load";
import { formatPlan, planPromotion, PromotionError, yamlSets } from "../ops/promotion";
import { applyYamlSets, YamlEditError } from "../ops/yamlEdit";

const USAGE = "usage: npm run promote -- --from <stack> --to <stack> [--write] [--project-dir <dir>]";
const EXIT_ERROR = 1;
const EXIT_REFUSED = 2;

function main(argv: string[]): number {
  const parsed = parseCliArgs(
    argv,
    {
      from: { type: "string" },
      to: { type: "string" },
      write: { type: "boolean", default: false },
      "project-dir": { type: "string", default: process.cwd() },
      help: { type: "boolean" },
    },
    USAGE,
    { required: ["from", "to"] },
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const projectDir = path.resolve(values["project-dir"]);
  const fromFile = stackFilePath(values.from, projectDir);
  const toFile = stackFilePath(values.to, projectDir);
  for (const file of [fromFile, toFile]) {
    if (!fs.existsSync(file)) throw new PromotionError(`${file} does not exist`);
  }
  const plan = planPromotion({ stack: values.from, ...readStackFile(fromFile) }, { stack: values.to, ...readStackFile(toFile) });
  process.stdout.write(formatPlan(plan));
  if (plan.refusals.length > 0) return EXIT_REFUSED;
  if (plan.changes.length === 0) return 0;
  if (!values.write) {
    process.stdout.write(`\ndry run: nothing written; run again with --write to update ${path.basename(toFile)}\n`);
    return 0;
  }
  const text = fs.readFileSync(toFile, "utf8");
  const updated = applyYamlSets(text, yamlSets(plan));
  fs.writeFileSync(toFile, updated);
  process.stdout.write(`\nwrote ${path.basename(toFile)}: ${plan.changes.length} key${plan.changes.length === 1 ? "" : "s"} promoted; review with git diff, then open a PR\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof PromotionError || error instanceof YamlEditError;
  process.stderr.write(`promote failed: ${known ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = EXIT_ERROR;
}
