/**
 * `npm run render -- --stack <dev|minikube|prod> [--out <dir>]`
 *
 * Runs the real program under Pulumi's mock runtime, with no cloud account, cluster,
 * Docker engine or Pulumi CLI, and writes `<out>/<stack>/resources.json`,
 * `<out>/<stack>/kubernetes.yaml` (owned objects), `<out>/<stack>/patches.yaml` (Deployment
 * patches) and `<out>/<stack>/outputs.json`. Exit 2 on invalid config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile, stackFilePath } from "../config/load";
import { formatIssues, parseStackConfig } from "../config/schema";
import { captureProgram } from "../render/capture";
import { parseCliArgs } from "./args";
import { summarize, toRendered, writeRender } from "../render/write";

const USAGE = "usage: npm run render -- --stack <dev|minikube|prod> [--out <dir>]";

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv, { stack: { type: "string" }, out: { type: "string", default: "out" }, help: { type: "boolean" } }, USAGE, {
    required: ["stack"],
    errorExitCode: 2,
  });
  if (!args.ok) return args.exitCode;
  const { values } = args;
  const stack = values.stack;
  const stackFile = stackFilePath(stack);
  if (!fs.existsSync(stackFile)) {
    const known = fs.readdirSync(path.dirname(stackFile)).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);
    process.stderr.write(`${stackFile} does not exist: expected a stack with a Pulumi.<stack>.yaml here (${known.join(", ") || "none found"})\n`);
    return 2;
  }
  const { raw, secretKeys } = readStackFile(stackFile);
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
