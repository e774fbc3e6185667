/**
 * `npm run render -- --stack <stack> [--out <dir>] [--project-dir <dir>]`
 *
 * Runs the real program under Pulumi's mock runtime, with no cloud account, cluster,
 * Docker engine or Pulumi CLI, and writes `<out>/<stack>/resources.json`,
 * `<out>/<stack>/kubernetes.yaml` (owned objects), `<out>/<stack>/patches.yaml` (Deployment
 * patches) and `<out>/<stack>/outputs.json`. Exit codes: src/cli/kit.ts.
 */
import * as path from "node:path";
import { readStackFile, stackFilePath } from "../config/load";
import { formatIssues, parseStackConfig } from "../config/schema";
import { runStack } from "../main";
import { captureProgram } from "../render/capture";
import { summarize, toRendered, writeRender } from "../render/write";
import {
  EXIT,
  processIo,
  required,
  runCli,
  runParsed,
  STACK_VALUE,
  type CliSpec,
  type Io,
} from "./kit";

export const RENDER_CLI: CliSpec<{
  stack: { type: "string"; description: string; value: string };
  out: { type: "string"; description: string; value: string; default: string };
  "project-dir": { type: "string"; description: string; value: string };
}> = {
  name: "render",
  summary:
    "Renders a stack offline under Pulumi's mock runtime: resources.json, kubernetes.yaml (what the stack owns), patches.yaml (the Deployment patches), secrets.yaml (masked), outputs.json.",
  usage: [`--stack ${STACK_VALUE} [--out <dir>] [--project-dir <dir>]`],
  options: {
    stack: {
      type: "string",
      description: "the stack: reads Pulumi.<stack>.yaml",
      value: "<stack>",
    },
    out: {
      type: "string",
      description: "where <stack>/ is written",
      value: "<dir>",
      default: "out",
    },
    "project-dir": {
      type: "string",
      description: "where Pulumi.<stack>.yaml is (default: the current directory)",
      value: "<dir>",
    },
  },
};

/** The render command without the process: exit code, output through `io`. */
export async function renderCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    RENDER_CLI,
    argv,
    async (args) => {
      const stack = required(args.values, "stack", "the stack to render");
      const projectDir = path.resolve(args.values["project-dir"] ?? process.cwd());
      const { raw, secretKeys } = readStackFile(stackFilePath(stack, projectDir));
      const parsed = parseStackConfig(raw, process.env, { secretKeys, stack });
      if (!parsed.ok) {
        io.err(formatIssues(parsed.issues));
        return EXIT.badInput;
      }
      const capture = await captureProgram(stack, raw, secretKeys, runStack);
      const resources = toRendered(capture.resources);
      const files = writeRender(
        path.join(path.resolve(args.values.out ?? "out"), stack),
        resources,
        capture.outputs,
      );
      io.out(`${summarize(stack, resources)}\nwrote ${files.join(", ")}`);
      return EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runCli("render", () => renderCommand(process.argv.slice(2)));
