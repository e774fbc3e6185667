/**
 * Argument handling shared by the operator CLIs: `--help` prints the usage on stdout (exit 0);
 * an unknown option or a missing required flag prints what is wrong and the usage on stderr.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O }>>["values"];

/** Parsed values, with the required string flags known to be present. */
export type CliArgs<O extends Options, R extends keyof O & string> =
  | { ok: true; values: Values<O> & { [K in R]: string } }
  | { ok: false; exitCode: number };

export function parseCliArgs<O extends Options, R extends keyof O & string = never>(
  argv: string[],
  options: O,
  usage: string,
  { required = [], errorExitCode = 1 }: { required?: readonly R[]; errorExitCode?: number } = {},
): CliArgs<O, R> {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return { ok: false, exitCode: errorExitCode };
  }
  if ((values as Record<string, unknown>).help) {
    process.stdout.write(`${usage}\n`);
    return { ok: false, exitCode: 0 };
  }
  const missing = required.find((flag) => !(values as Record<string, unknown>)[flag]);
  if (missing !== undefined) {
    process.stderr.write(`--${missing} is required\n${usage}\n`);
    return { ok: false, exitCode: errorExitCode };
  }
  return { ok: true, values: values as Values<O> & { [K in R]: string } };
}
