/**
 * The one argument and exit-code kit of every command-line tool here (render, topics, diff,
 * promote, backup, peers, the bench scripts): `node:util` `parseArgs` with the options
 * described once (per command where commands differ, `defineCommands`), one `--help` shape
 * on stdout, and one exit-code table (README, "Exit codes"):
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
import { ENVIRONMENTS } from "../config/schema";

export const EXIT = { ok: 0, failed: 1, badInput: 2, attention: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** How a usage line names a stack: one per environment, so a new environment shows up in every help. */
export const STACK_VALUE = `<${ENVIRONMENTS.join("|")}>`;

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

/** One `--help` layout for every command: usage, summary, [commands,] options, notes, exit codes. */
function helpLayout(help: {
  name: string;
  usage: readonly string[];
  summary: string;
  commandList?: readonly (readonly [string, string])[];
  options: Options;
  helpFlag: string;
  notes?: readonly string[] | undefined;
  attention?: string | undefined;
}): string {
  const row = (left: string, right: string) => `  ${left.padEnd(28)} ${right}`;
  const options = Object.entries(help.options).map(([name, option]) => {
    const flag = `--${name}${option.value ? ` ${option.value}` : ""}${option.short ? `, -${option.short}` : ""}`;
    const fallback =
      option.default !== undefined && option.default !== false
        ? ` (default: ${String(option.default)})`
        : "";
    return row(flag, `${option.description}${fallback}`);
  });
  return [
    "usage:",
    ...help.usage.map((line) => `  npm run ${help.name} -- ${line}`),
    "",
    help.summary,
    ...(help.commandList
      ? ["", "commands:", ...help.commandList.map(([name, what]) => row(name, what))]
      : []),
    "",
    "options:",
    ...options,
    row("--help, -h", help.helpFlag),
    ...(help.notes && help.notes.length > 0 ? ["", ...help.notes] : []),
    "",
    exitCodeHelp(help.attention),
  ].join("\n");
}

export function helpText<O extends Options>(spec: CliSpec<O>): string {
  const { name, usage, summary, options, notes, attention } = spec;
  return helpLayout({
    name,
    usage,
    summary,
    options,
    notes,
    attention,
    helpFlag: "print this help",
  });
}

/** `node:util` `parseArgs` over `options` and `--help`; its complaints are usage errors. */
function parseStrict(
  options: Options,
  argv: readonly string[],
): { values: Record<string, unknown>; positionals: string[]; given: string[] } {
  const table = Object.fromEntries([
    ...Object.entries(options).map(([name, option]) => [
      name,
      {
        type: option.type,
        ...(option.default !== undefined ? { default: option.default } : {}),
        ...(option.short ? { short: option.short } : {}),
      },
    ]),
    ["help", { type: "boolean", short: "h" }],
  ]);
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: table as never,
      allowPositionals: true,
      strict: true,
      tokens: true,
    }) as {
      values: Record<string, unknown>;
      positionals: string[];
      tokens: { kind: string; name?: string }[];
    };
    const given = tokens.flatMap((token) =>
      token.kind === "option" && token.name ? [token.name] : [],
    );
    return { values, positionals, given };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses argv; `undefined` when `--help` was asked for (the help is printed). Throws `UsageError`. */
export function parseCli<O extends Options>(
  spec: CliSpec<O>,
  argv: readonly string[],
  out: (text: string) => void,
): Parsed<O> | undefined {
  const parsed = parseStrict(spec.options, argv);
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

/** One command of a CLI whose commands differ in their options (`topics plan|apply|probe`). */
export interface CommandSpec<O extends Options> {
  /** One line: what the command does (in the CLI's help) and the opening of its own help. */
  summary: string;
  /** Usage after `npm run <name> -- <command> `, e.g. `--stack <s> [--json]`. */
  usage: string;
  options: O;
  /** What exit code 3 means for this command; none: it never exits 3. */
  attention?: string;
}

export type Commands = Record<string, Options>;

/**
 * A CLI of commands, each with its own options and its own `--help` (`<command> --help`);
 * `--help` alone lists every command and option. An option of another command is refused.
 */
export interface CommandsCliSpec<C extends Commands> {
  name: string;
  summary: string;
  commands: { [K in keyof C]: CommandSpec<C[K]> };
  /** What exit code 3 means for any of the commands. */
  attention?: string;
  /** Further paragraphs of help, shown with every command's help too. */
  notes?: readonly string[];
}

/** The command given and its options: a union over the commands, so `command` narrows `values`. */
export type ParsedCommand<C extends Commands> = {
  [K in keyof C & string]: { command: K; values: Values<C[K]> };
}[keyof C & string];

/** Keeps the literal option types of a spec written inline, so `values` is typed per command. */
export function defineCommands<const C extends Commands>(
  spec: CommandsCliSpec<C>,
): CommandsCliSpec<C> {
  return spec;
}

/** Keeps the literal option types of a spec written inline, so `values` is typed. */
export function defineCli<const O extends Options>(spec: CliSpec<O>): CliSpec<O> {
  return spec;
}

function commandEntries(spec: CommandsCliSpec<Commands>): [string, CommandSpec<Options>][] {
  return Object.entries(spec.commands);
}

/** Every command's options, each once; one name must mean one thing across the commands. */
function allOptions(spec: CommandsCliSpec<Commands>): Options {
  const all: Options = {};
  for (const [command, { options }] of commandEntries(spec)) {
    for (const [name, option] of Object.entries(options)) {
      const seen = all[name];
      if (seen && (seen.type !== option.type || seen.short !== option.short))
        throw new Error(`${spec.name}: --${name} of ${command} differs from another command's`);
      all[name] ??= option;
    }
  }
  return all;
}

export function commandsHelpText(spec: CommandsCliSpec<Commands>, command?: string): string {
  const entries = commandEntries(spec);
  if (command === undefined) {
    const width = Math.max(...entries.map(([name]) => name.length));
    return helpLayout({
      name: spec.name,
      usage: entries.map(([name, { usage }]) => `${name.padEnd(width)} ${usage}`),
      summary: spec.summary,
      commandList: entries.map(([name, { summary }]) => [name, summary]),
      options: allOptions(spec),
      helpFlag: `print this help; after a command, that command's`,
      notes: spec.notes,
      attention: spec.attention,
    });
  }
  const { usage, summary, options, attention } = spec.commands[command]!;
  return helpLayout({
    name: spec.name,
    usage: [`${command} ${usage}`],
    summary,
    options,
    helpFlag: "print this help",
    notes: spec.notes,
    attention,
  });
}

/**
 * Parses argv of a CLI of commands, once, against every command's options; `undefined` when
 * `--help` was asked for (the CLI's help, or with a command that command's). Throws `UsageError`.
 */
export function parseCommands<C extends Commands>(
  spec: CommandsCliSpec<C>,
  argv: readonly string[],
  out: (text: string) => void,
): ParsedCommand<C> | undefined {
  const loose = spec as unknown as CommandsCliSpec<Commands>;
  const names = Object.keys(spec.commands);
  const { values, positionals, given } = parseStrict(allOptions(loose), argv);
  const [command, ...extra] = positionals;
  if (command !== undefined && !names.includes(command))
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}: expected one of ${names.join(", ")}`,
    );
  if (values.help) {
    out(commandsHelpText(loose, command));
    return undefined;
  }
  if (command === undefined)
    throw new UsageError(`missing command: expected one of ${names.join(", ")}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(" ")}`);
  const options = loose.commands[command]!.options;
  for (const name of given) {
    if (name in options) continue;
    const owners = commandEntries(loose)
      .filter(([, other]) => name in other.options)
      .map(([owner]) => owner);
    throw new UsageError(`--${name} only applies to ${owners.join(" and ")}`);
  }
  const own = Object.fromEntries(
    Object.entries(options).map(([name, option]) => [name, values[name] ?? option.default]),
  );
  return { command, values: own } as ParsedCommand<C>;
}

/** The value of a required string option, or a `UsageError` naming it. */
export function required<V extends object>(
  values: V,
  option: keyof V & string,
  what: string,
): string {
  const value: unknown = values[option];
  if (typeof value !== "string" || value === "")
    throw new UsageError(`--${option} is required: ${what}`);
  return value;
}

/** A whole number of at least 1 given to `--<option>`, or a `UsageError` naming it. */
export function positiveInteger(option: string, value: string): number {
  const number = Number(value.trim());
  if (value.trim() === "" || !Number.isInteger(number) || number < 1)
    throw new UsageError(
      `--${option}: expected a positive whole number, got ${JSON.stringify(value)}`,
    );
  return number;
}

/** Runs `check`; what it throws is the caller's input being wrong (exit 2), not a failure. */
export function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
export function runParsed<C extends Commands>(
  spec: CommandsCliSpec<C>,
  argv: readonly string[],
  main: (parsed: ParsedCommand<C>) => Promise<number> | number,
  io?: Io,
  badInput?: readonly (abstract new (...args: never[]) => Error)[],
): Promise<number>;
export function runParsed<O extends Options>(
  spec: CliSpec<O>,
  argv: readonly string[],
  main: (parsed: Parsed<O>) => Promise<number> | number,
  io?: Io,
  badInput?: readonly (abstract new (...args: never[]) => Error)[],
): Promise<number>;
export function runParsed(
  spec: CliSpec<Options> | CommandsCliSpec<Commands>,
  argv: readonly string[],
  main: (parsed: never) => Promise<number> | number,
  io: Io = processIo,
  badInput: readonly (abstract new (...args: never[]) => Error)[] = [],
): Promise<number> {
  return runMain(
    spec.name,
    () => {
      const parsed = isCommandsSpec(spec)
        ? parseCommands(spec, argv, io.out)
        : parseCli(spec, argv, io.out);
      return parsed ? main(parsed as never) : EXIT.ok;
    },
    io,
    badInput,
  );
}

function isCommandsSpec(
  spec: CliSpec<Options> | CommandsCliSpec<Commands>,
): spec is CommandsCliSpec<Commands> {
  return !("options" in spec);
}

/** Entry point of a CLI file: runs `main` and exits with its code (a Job or CI step must end). */
export function runCli(name: string, main: () => Promise<number> | number): void {
  void runMain(name, main).then((code) => process.exit(code));
}
