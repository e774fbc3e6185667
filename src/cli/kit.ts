/**
 * The one argument and exit-code kit of every command-line tool here (render, topics, diff,
 * promote, backup, peers): `node:util` `parseArgs` with the options described once, one
 * `--help` shape, and one exit-code table (README, "Exit codes"):
 *
 *   0  done: the command did what was asked, nothing needs a look
 *   1  failed: something outside the input went wrong (broker, S3, git, a render)
 *   2  bad input: a usage error, an invalid stack config or stack file; nothing was touched
 *   3  stopped for a human: a destructive change, pending changes, or a refused/blocked plan
 *
 * A user error is one report on stderr and never a stack trace; `APPHUB_DEBUG=1` adds the
 * stack of an unexpected failure.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../config/load";

export const EXIT = { ok: 0, failed: 1, badInput: 2, attention: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-code table as `--help` prints it; `attention` says what 3 means for this command. */
export function exitCodeHelp(attention?: string): string {
  return [
    "exit codes:",
    "  0  done",
    "  1  failed (broker, S3, git or render error)",
    "  2  bad input: usage error, invalid stack config or stack file; nothing was touched",
    ...(attention ? [`  3  ${attention}`] : []),
  ].join("\n");
}

/** A mistake in how the command was called: reported with the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

interface OptionSpec {
  type: "string" | "boolean";
  description: string;
  /** Shown in the usage line, e.g. `<stack>`. */
  value?: string;
  default?: string | boolean;
  short?: string;
}

export type Options = Record<string, OptionSpec>;

export interface CliSpec<O extends Options> {
  /** `npm run <name> --` */
  name: string;
  summary: string;
  /** Usage lines after `npm run <name> -- `, e.g. `--stack <s> [--out <dir>]`. */
  usage: readonly string[];
  options: O;
  /** Which positional commands exist; none: positionals are refused. */
  commands?: readonly string[];
  /** Positionals after the command are accepted (and returned as `operands`) only when this says what they are. */
  operands?: string;
  /** What exit code 3 means for this command; none: it never exits 3. */
  attention?: string;
  /** Further paragraphs of help (where inputs come from). */
  notes?: readonly string[];
}

type Values<O extends Options> = {
  [K in keyof O]: O[K]["type"] extends "boolean" ? boolean | undefined : string | undefined;
};

export interface Parsed<O extends Options> {
  values: Values<O>;
  command?: string;
  operands: string[];
}

export function helpText<O extends Options>(spec: CliSpec<O>): string {
  const options = Object.entries(spec.options).map(([name, option]) => {
    const flag = `--${name}${option.value ? ` ${option.value}` : ""}${option.short ? `, -${option.short}` : ""}`;
    const fallback =
      option.default !== undefined && option.default !== false
        ? ` (default: ${String(option.default)})`
        : "";
    return `  ${flag.padEnd(28)} ${option.description}${fallback}`;
  });
  return [
    "usage:",
    ...spec.usage.map((line) => `  npm run ${spec.name} -- ${line}`),
    "",
    spec.summary,
    "",
    "options:",
    ...options,
    `  ${"--help, -h".padEnd(28)} print this help`,
    ...(spec.notes && spec.notes.length > 0 ? ["", ...spec.notes] : []),
    "",
    exitCodeHelp(spec.attention),
  ].join("\n");
}

/** Parses argv; `undefined` when `--help` was asked for (the help is printed). Throws `UsageError`. */
export function parseCli<O extends Options>(
  spec: CliSpec<O>,
  argv: readonly string[],
  out: (text: string) => void,
): Parsed<O> | undefined {
  const options = Object.fromEntries([
    ...Object.entries(spec.options).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.default !== undefined ? { default: option.default } : {}),
        ...(option.short ? { short: option.short } : {}),
      },
    ]),
    ["help", { type: "boolean", short: "h" }],
  ]);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: options as never,
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    out(helpText(spec));
    return undefined;
  }
  const [command, ...extra] = parsed.positionals;
  if (spec.commands === undefined) {
    if (command !== undefined)
      throw new UsageError(`unexpected argument(s): ${parsed.positionals.join(" ")}`);
    return { values: parsed.values as Values<O>, operands: [] };
  }
  if (command === undefined)
    throw new UsageError(`missing command: expected one of ${spec.commands.join(", ")}`);
  if (!spec.commands.includes(command))
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}: expected one of ${spec.commands.join(", ")}`,
    );
  if (extra.length > 0 && spec.operands === undefined)
    throw new UsageError(`unexpected argument(s): ${extra.join(" ")}`);
  return { values: parsed.values as Values<O>, command, operands: extra };
}

/** The value of a required string option, or a `UsageError` naming it. */
export function required(values: Record<string, unknown>, option: string, what: string): string {
  const value = values[option];
  if (typeof value !== "string" || value === "")
    throw new UsageError(`--${option} is required: ${what}`);
  return value;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Errors that are the user's to fix: one report, exit 2. Subclasses of these count too. */
const BAD_INPUT: readonly (abstract new (...args: never[]) => Error)[] = [UsageError, ConfigError];

/**
 * Runs `main` and turns what it throws into the exit-code table: a `UsageError` prints the
 * problem and a pointer to `--help`, a `ConfigError` its report (both exit 2), anything
 * else `<name> failed: <message>` (exit 1), with no stack trace unless `APPHUB_DEBUG` is set.
 */
export async function runMain(
  name: string,
  main: () => Promise<number> | number,
  io: Io = processIo,
  /** This command's own errors that mean bad input (e.g. a stack file it cannot edit). */
  badInput: readonly (abstract new (...args: never[]) => Error)[] = [],
): Promise<number> {
  try {
    return await main();
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\nrun npm run ${name} -- --help for usage`);
      return EXIT.badInput;
    }
    if ([...BAD_INPUT, ...badInput].some((kind) => error instanceof kind)) {
      io.err((error as Error).message);
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`${name} failed: ${message}`);
    if (process.env.APPHUB_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    return EXIT.failed;
  }
}

/**
 * The body every command shares: parses `argv` against `spec` (`--help` prints the help and
 * exits 0), then runs `main` on the parsed arguments under `runMain`'s exit-code table.
 */
export function runParsed<O extends Options>(
  spec: CliSpec<O>,
  argv: readonly string[],
  main: (parsed: Parsed<O>) => Promise<number> | number,
  io: Io = processIo,
  badInput: readonly (abstract new (...args: never[]) => Error)[] = [],
): Promise<number> {
  return runMain(
    spec.name,
    () => {
      const parsed = parseCli(spec, argv, io.out);
      return parsed ? main(parsed) : EXIT.ok;
    },
    io,
    badInput,
  );
}

/** Entry point of a CLI file: runs `main` and exits with its code (a Job or CI step must end). */
export function runCli(name: string, main: () => Promise<number> | number): void {
  void runMain(name, main).then((code) => process.exit(code));
}
