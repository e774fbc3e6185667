/**
 * One CLI shape (README, "Exit codes"): `--help` on stdout with exit 0 and the kit's layout,
 * each `topics` command with its own help, and bad usage as one report on stderr with exit 2,
 * naming what was wrong, before any stack file is read or broker contacted. In-process; the
 * commands that reach a broker are in test/integration/topics.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../src/config/schema";
import { diffCommand } from "../../src/cli/diff";
import { topicsCommand } from "../../src/cli/topics";
import { benchBackupCommand } from "../../bench/backup";
import { benchEngineCommand } from "../../bench/engine";
import { benchTopicsCommand } from "../../bench/topics";
import { benchTraceCommand } from "../../bench/trace";
import { runCommand } from "../support/cli";

/** The kit's help: usage, then options, then the exit-code table, in that order. */
function expectHelpLayout(help: string, usage: string): void {
  expect(help.startsWith(`usage:\n  npm run ${usage}`), help).toBe(true);
  const options = help.indexOf("\noptions:\n");
  const exitCodes = help.indexOf("\nexit codes:\n  0  done\n");
  expect(options, help).toBeGreaterThan(0);
  expect(exitCodes, help).toBeGreaterThan(options);
}

describe("topics: one parse, a help per command", () => {
  it("prints the help of every command on stdout and exits 0", async () => {
    const result = await runCommand(topicsCommand, ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expectHelpLayout(result.stdout, "topics -- plan   --stack <s>");
    expect(result.stdout).toContain("npm run topics -- apply  --stack <s>");
    expect(result.stdout).toContain("npm run topics -- probe  [--stack <s>]");
    expect(result.stdout).toContain("npm run topics -- import --brokers <csv> [--stack <s>]");
    expect(result.stdout).toMatch(/\ncommands:\n {2}plan {2,}Prints what apply would change/);
    expect(result.stdout).toContain("--detailed-exitcode");
    expect(result.stdout).toContain(
      "3  a topic is blocked (nothing applied), plan --detailed-exitcode: changes pending, or import: the result would not be a valid stack (nothing written)",
    );
  });

  it.each([
    {
      command: "plan",
      options: ["--stack", "--brokers", "--json", "--detailed-exitcode"],
      absent: [],
      attention: "3  a topic is blocked, or with --detailed-exitcode: changes pending",
    },
    {
      command: "apply",
      options: ["--stack", "--brokers", "--json"],
      absent: ["--detailed-exitcode"],
      attention: "3  a topic is blocked; nothing was applied",
    },
    {
      command: "probe",
      options: ["--stack", "--brokers"],
      absent: ["--json", "--detailed-exitcode"],
      attention: undefined,
    },
    {
      command: "import",
      options: [
        "--brokers",
        "--stack",
        "--include",
        "--exclude",
        "--tls",
        "--tls-insecure",
        "--sasl-mechanism",
        "--sasl-username",
        "--dry-run",
        "--json",
      ],
      absent: ["--detailed-exitcode"],
      attention: "3  the result would not be a valid stack config; nothing was written",
    },
  ])(
    "$command --help: that command's usage, options and exit codes, exit 0",
    async ({ command, options, absent, attention }) => {
      for (const flag of ["--help", "-h"]) {
        const result = await runCommand(topicsCommand, [command, flag]);
        expect(result.status).toBe(0);
        expect(result.stderr).toBe("");
        expectHelpLayout(result.stdout, `topics -- ${command} `);
        expect(result.stdout.match(/npm run topics -- /g)).toHaveLength(1);
        for (const option of options) expect(result.stdout).toContain(`\n  ${option}`);
        for (const option of absent) expect(result.stdout).not.toContain(option);
        if (attention) expect(result.stdout).toContain(attention);
        else expect(result.stdout).not.toMatch(/\n {2}3 {2}/);
      }
    },
  );

  it.each([
    { argv: ["plan", "--stack", "dev", "--force"], says: "Unknown option '--force'" },
    {
      argv: ["apply", "--stack", "dev", "--detailed-exitcode"],
      says: "--detailed-exitcode only applies to plan",
    },
    { argv: ["probe", "--json"], says: "--json only applies to plan and apply" },
    {
      argv: ["destroy", "--stack", "dev"],
      says: 'unknown command "destroy": expected one of plan, apply, probe',
    },
    { argv: ["destroy", "--help"], says: 'unknown command "destroy"' },
    { argv: [], says: "missing command: expected one of plan, apply, probe" },
    { argv: ["probe", "extra"], says: "unexpected argument(s): extra" },
    { argv: ["plan"], says: `--stack is required: the stack to plan, <${ENVIRONMENTS.join("|")}>` },
    { argv: ["apply", "--json"], says: "--stack is required: the stack to apply" },
    {
      argv: ["import", "--brokers", "127.0.0.1:9", "--include", "("],
      says: "--include: not a valid regular expression",
    },
    {
      argv: ["import", "--brokers", "127.0.0.1:9", "--sasl-mechanism", "plain"],
      says: "--sasl-mechanism and --sasl-username go together",
    },
    {
      argv: [
        "import",
        "--brokers",
        "127.0.0.1:9",
        "--sasl-mechanism",
        "gssapi",
        "--sasl-username",
        "u",
      ],
      says: '--sasl-mechanism: expected "plain", "scram-sha-256", "scram-sha-512", got "gssapi"',
    },
  ])("$argv: exit 2, one report naming the problem", async ({ argv, says }) => {
    const result = await runCommand(topicsCommand, argv);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const [problem, pointer, ...rest] = result.stderr.split("\n");
    expect(problem).toMatch(/^topics: /);
    expect(problem).toContain(says);
    expect(pointer).toBe("run npm run topics -- --help for usage");
    expect(rest).toEqual([""]);
  });
});

describe("a stack usage lists every environment", () => {
  // render's usage is built the same way (STACK_VALUE); importing it would load the whole program.
  it("diff --help", async () => {
    const result = await runCommand(diffCommand, ["--help"]);
    expect(result.status).toBe(0);
    expect(ENVIRONMENTS).toContain("external");
    expect(result.stdout).toContain(`npm run diff -- --stack <${ENVIRONMENTS.join("|")}> --base`);
  });
});

describe("bench commands: the kit's --help and usage errors", () => {
  const BENCHES = {
    "bench:topics": benchTopicsCommand,
    "bench:engine": benchEngineCommand,
    "bench:backup": benchBackupCommand,
    "bench:trace": benchTraceCommand,
  } as const;

  it.each([
    { name: "bench:topics", options: ["--brokers", "--sizes", "--partitions", "--repeat"] },
    { name: "bench:engine", options: ["--sizes", "--brokers", "--type-check", "--parallel"] },
    { name: "bench:backup", options: ["--endpoint", "--segment-kib", "--append-kib"] },
    { name: "bench:trace", options: ["--sizes", "--out", "--cpu-prof", "--skip-checkpoints"] },
  ] as const)(
    "$name --help: usage, options and exit codes on stdout, exit 0",
    async ({ name, options }) => {
      const result = await runCommand(BENCHES[name], ["--help"]);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe("");
      expectHelpLayout(result.stdout, `${name} -- [`);
      for (const option of options) expect(result.stdout).toContain(`\n  ${option}`);
    },
  );

  const positive = (option: string, got: string) =>
    `--${option}: expected a positive whole number, got "${got}"`;
  it.each([
    { name: "bench:topics", argv: ["--size", "7"], says: "Unknown option '--size'" },
    { name: "bench:topics", argv: ["--sizes", "7,x"], says: positive("sizes", "x") },
    { name: "bench:topics", argv: ["--repeat", "0"], says: positive("repeat", "0") },
    {
      name: "bench:topics",
      argv: ["--brokers", "nohost"],
      says: '--brokers: expected "host:port"',
    },
    { name: "bench:topics", argv: ["extra"], says: "unexpected argument(s): extra" },
    { name: "bench:engine", argv: ["--partitions", "0"], says: positive("partitions", "0") },
    { name: "bench:engine", argv: ["--parallel", "many"], says: positive("parallel", "many") },
    {
      name: "bench:engine",
      argv: ["--brokers", ""],
      says: "--brokers: expected comma-separated host:port, got nothing",
    },
    { name: "bench:backup", argv: ["--segment-kib", "1.5"], says: positive("segment-kib", "1.5") },
    { name: "bench:backup", argv: ["--bucket", "b"], says: "Unknown option '--bucket'" },
    { name: "bench:trace", argv: ["--sizes", "7,x"], says: "--sizes must be a comma-separated" },
    { name: "bench:trace", argv: ["--runs", "3"], says: "Unknown option '--runs'" },
  ] as const)(
    "$name $argv: exit 2, one report naming it, nothing measured",
    async ({ name, argv, says }) => {
      const result = await runCommand(BENCHES[name], argv);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      const [problem, pointer, ...rest] = result.stderr.split("\n");
      expect(problem?.startsWith(`${name}: `)).toBe(true);
      expect(problem).toContain(says);
      expect(pointer).toBe(`run npm run ${name} -- --help for usage`);
      expect(rest).toEqual([""]);
    },
  );
});
