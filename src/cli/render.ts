/**
 * `npm run render -- --stack <dev|minikube|prod> [--out <dir>]`
 *
 * Runs the real program under Pulumi's mock runtime, with no cloud account, cluster,
 * Docker engine or Pulumi CLI, and writes `<out>/<stack>/resources.json`,
 * `<out>/<stack>/kubernetes.yaml` and `<out>/<stack>/outputs.json`. Exit 2 on invalid config.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { readStackFile, stackFilePath } from "../config/load";
import { formatIssues, parseStackConfig } from "../config/schema";
import { captureProgram } from "../render/capture";
import { summarize, toRendered, writeRender } from "../render/write";

const USAGE = "usage: npm run render -- --stack <dev|minikube|prod> [--out <dir>]";

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stack: { type: "string" }, out: { type: "string", default: "out" }, help: { type: "boolean" } },
  });
  if (values.help || !values.stack) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const stack = values.stack;
  const { raw, secretKeys } = readStackFile(stackFilePath(stack));
  const parsed = parseStackConfig(raw, process.env);
  if (!parsed.ok) {
    process.stderr.write(`${formatIssues(parsed.issues)}\n`);
    return 2;
  }
  const capture = await captureProgram(stack, raw, secretKeys, () => require("../index") as Record<string, unknown>);
  const resources = toRendered(capture.resources);
  const files = writeRender(path.join(values.out, stack), resources, capture.outputs);
  process.stdout.write(`${summarize(stack, resources)}\nwrote ${files.join(", ")}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`render failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
