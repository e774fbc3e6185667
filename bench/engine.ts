/**
 * `npm run bench:engine [-- --sizes 7,200] [--partitions 6] [--brokers 127.0.0.1:19092] [--type-check] [--parallel N]`
 * (`--help`: the options; exit codes: src/cli/kit.ts)
 *
 * The topic catalog through the real Pulumi CLI (file backend, `environment: external`, the
 * harness of test/e2e/support/pulumi.ts) beside the topics CLI on the same broker, in the same
 * run, for each catalog size:
 *
 * | scenario | Pulumi | topics CLI |
 * | cold | `pulumi up --yes --skip-preview` | `topics apply` |
 * | no-op | `pulumi preview --expect-no-changes` | `topics plan` |
 * | refresh | `pulumi refresh --yes` | `topics plan` (the same read of the broker) |
 * | one retention change | `pulumi up --yes --skip-preview` | `topics apply` |
 *
 * The CLI runs as `npm run topics` runs it after its build step (`node dist/src/cli/topics.js`),
 * in its own process, so both sides include process start. Ratios are Pulumi / CLI (the
 * earlier goals, within 3x of the CLI, gave way to issue 18's against OpenTofu: `bench/peer.ts`).
 * Also prints each topic's bytes in `pulumi stack export`, the marginal cost per topic (the
 * difference between the largest and smallest size), and the engine floor: the same commands on
 * a stack with no topic, which no change to this program can lower, with each Pulumi time also
 * shown above that floor.
 *
 * Each side works on its own topics (`bench-<run>.pulumi.<n>` / `bench-<run>.cli.<n>`); every
 * topic the run created is deleted at the end, also on failure. Not part of CI: it takes minutes.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import {
  asUsage,
  defineCli,
  EXIT,
  positiveInteger,
  processIo,
  runCli,
  runParsed,
  type Io,
} from "../src/cli/kit";
import { resolveBrokers } from "../src/topics/cli";
import { seedTopicsOff } from "../test/support/config";
import { PulumiWorkspace } from "../test/e2e/support/pulumi";
import { SINGLE_BROKERS } from "../test/peers/kafka";
import { repoRoot } from "../test/peers/proc";
import { deleteTestTopics } from "../test/support/kafkaAdmin";
import { CATALOG_SHAPE } from "./topics";

export const BENCH_ENGINE_CLI = defineCli({
  name: "bench:engine",
  summary:
    "Times the topic catalog through the real Pulumi CLI beside the topics CLI on the same broker, in the same run (cold, no-op, refresh, one change), with the engine floor and state bytes per topic. Takes minutes; deletes every topic it created.",
  usage: ["[--sizes <n,...>] [--partitions <n>] [--brokers <csv>] [--type-check] [--parallel <n>]"],
  options: {
    ...CATALOG_SHAPE,
    brokers: {
      type: "string",
      description: "the broker(s) both sides use",
      value: "<csv>",
      default: SINGLE_BROKERS.join(","),
    },
    "type-check": {
      type: "boolean",
      description: "let Pulumi type-check the program on every run, as a default pulumi up does",
    },
    parallel: { type: "string", description: "pulumi up --parallel", value: "<n>" },
  },
});

const RUN = randomBytes(3).toString("hex");
/**
 * ts-node only transpiles the program (`PULUMI_NODEJS_TRANSPILE_ONLY`, a documented Pulumi
 * setting): the CLI side runs compiled JS without a type check too. `--type-check` measures
 * what a default `pulumi up` does (a whole-program type check on every run).
 */
let pulumiEnv: NodeJS.ProcessEnv = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
/** `pulumi up` as the bench runs it; `--parallel N` adds the engine's parallelism flag (default 8 here). */
let UP: string[] = ["up", "--yes", "--skip-preview"];
const RETENTION = 604_800_000;
const CHANGED_RETENTION = 259_200_000;

type Scenario = "cold" | "noop" | "refresh" | "change";

const SCENARIO_LABEL: Record<Scenario, string> = {
  cold: "cold up / apply",
  noop: "no-op preview / plan",
  refresh: "refresh / plan",
  change: "one-retention-change up / apply",
};

interface Row {
  topics: number;
  scenario: Scenario;
  pulumiMs: number;
  cliMs: number;
}

/** The same four commands on a stack that declares no topic: what the engine costs by itself. */
type Floor = Record<Scenario, number>;

async function engineFloor(ws: PulumiWorkspace, brokers: string[]): Promise<Floor> {
  const stack = `bench-${RUN}-floor`;
  await ws.initStack(stack, stackConfig(brokers, catalog("pulumi", 0, 1)));
  const run = async (args: string[]) =>
    (await timed(() => ws.pulumi(args, { stack, env: pulumiEnv }))).ms;
  return {
    cold: await run([...UP]),
    noop: await run(["preview", "--expect-no-changes"]),
    refresh: await run(["refresh", "--yes"]),
    change: await run([...UP]),
  };
}

function catalog(
  side: "pulumi" | "cli",
  size: number,
  partitions: number,
  changed = false,
): Record<string, unknown> {
  const topics: Record<string, unknown> = seedTopicsOff();
  for (let index = 0; index < size; index += 1) {
    topics[`bench-${RUN}.${side}.${size}.${index}`] = {
      partitions,
      retentionMs: changed && index === 0 ? CHANGED_RETENTION : RETENTION,
    };
  }
  return topics;
}

function stackConfig(brokers: string[], topics: Record<string, unknown>): Record<string, unknown> {
  // Generous connect budget: a loaded machine must not turn a slow handshake into a failed run.
  return {
    environment: "external",
    kafka: { brokers, brokerCount: 1, connectTimeoutMs: 30_000 },
    topics,
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** The topics CLI in its own process, from a folder holding the stack file, as an operator runs it. */
function topicsCli(
  dir: string,
  stack: string,
  command: "plan" | "apply",
  brokers: string[],
): number {
  const cli = path.join(repoRoot(), "dist/src/cli/topics.js");
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [cli, command, "--stack", stack, "--brokers", brokers.join(",")],
    { cwd: dir, encoding: "utf8" },
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0)
    throw new Error(`topics ${command} exited ${child.status}: ${child.stderr}\n${child.stdout}`);
  return ms;
}

function writeCliStack(dir: string, stack: string, config: Record<string, unknown>): void {
  const namespaced = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [`apphub-streaming:${key}`, value]),
  );
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config: namespaced }));
}

async function deleteRunTopics(brokers: string[]): Promise<number> {
  const deleted = await deleteTestTopics("bench-engine", brokers, (name) =>
    name.startsWith(`bench-${RUN}.`),
  );
  return deleted.length;
}

async function benchSize(
  ws: PulumiWorkspace,
  brokers: string[],
  size: number,
  partitions: number,
  bytes: Map<number, number>,
): Promise<Row[]> {
  const stack = `bench-${RUN}-${size}`;
  const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-bench-cli-"));
  const rows: Row[] = [];
  try {
    await ws.initStack(stack, stackConfig(brokers, catalog("pulumi", size, partitions)));
    writeCliStack(cliDir, stack, stackConfig(brokers, catalog("cli", size, partitions)));

    const cliCold = topicsCli(cliDir, stack, "apply", brokers);
    const up = await timed(() => ws.pulumi([...UP], { stack, env: pulumiEnv }));
    rows.push({
      topics: size,
      scenario: "cold",
      pulumiMs: up.ms,
      cliMs: cliCold,
    });

    const exported = await ws.exportState(stack);
    const records = (exported.deployment.deployment.resources ?? []).filter(
      (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
    );
    if (records.length !== size)
      throw new Error(`expected ${size} topics in state, found ${records.length}`);
    bytes.set(size, Math.max(...records.map((record) => JSON.stringify(record).length)));

    const cliPlan = topicsCli(cliDir, stack, "plan", brokers);
    const preview = await timed(() =>
      ws.pulumi(["preview", "--expect-no-changes"], { stack, env: pulumiEnv }),
    );
    rows.push({
      topics: size,
      scenario: "noop",
      pulumiMs: preview.ms,
      cliMs: cliPlan,
    });

    const cliRead = topicsCli(cliDir, stack, "plan", brokers);
    const refresh = await timed(() => ws.pulumi(["refresh", "--yes"], { stack, env: pulumiEnv }));
    rows.push({
      topics: size,
      scenario: "refresh",
      pulumiMs: refresh.ms,
      cliMs: cliRead,
    });

    writeCliStack(cliDir, stack, stackConfig(brokers, catalog("cli", size, partitions, true)));
    const cliChange = topicsCli(cliDir, stack, "apply", brokers);
    ws.writeConfig(stack, { topics: catalog("pulumi", size, partitions, true) });
    const change = await timed(() => ws.pulumi([...UP], { stack, env: pulumiEnv }));
    if (!/~ 1 updated/.test(change.value.output))
      throw new Error(`expected one update, got:\n${change.value.output.slice(-2000)}`);
    rows.push({
      topics: size,
      scenario: "change",
      pulumiMs: change.ms,
      cliMs: cliChange,
    });
    return rows;
  } finally {
    fs.rmSync(cliDir, { recursive: true, force: true });
  }
}

function format(rows: readonly Row[], bytes: ReadonlyMap<number, number>, floor: Floor): string {
  const seconds = (ms: number, digits = 1) => `${(ms / 1000).toFixed(digits)} s`;
  const lines = [
    "| topics | scenario | pulumi | topics CLI | ratio (pulumi / CLI) | pulumi above the engine floor | ratio above the floor |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => {
      const above = Math.max(0, row.pulumiMs - floor[row.scenario]);
      return `| ${row.topics} | ${SCENARIO_LABEL[row.scenario]} | ${seconds(row.pulumiMs)} | ${seconds(row.cliMs, 2)} | ${(row.pulumiMs / row.cliMs).toFixed(1)}x | ${seconds(above)} | ${(above / row.cliMs).toFixed(1)}x |`;
    }),
    "",
    "Engine floor: the same commands on a stack that declares no topic (process start, the",
    "language host, ts-node, the program, one state write):",
    "",
    ...(Object.keys(floor) as Scenario[]).map(
      (scenario) => `- ${SCENARIO_LABEL[scenario].split(" / ")[0]}: ${seconds(floor[scenario])}`,
    ),
  ];
  const sizes = [...new Set(rows.map((row) => row.topics))].sort((a, b) => a - b);
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  if (small !== undefined && large !== undefined && large > small) {
    lines.push(
      "",
      `Marginal cost per topic (${small} → ${large} topics):`,
      "",
      "| scenario | pulumi | topics CLI |",
      "| --- | --- | --- |",
    );
    for (const scenario of Object.keys(SCENARIO_LABEL) as Scenario[]) {
      const at = (size: number) =>
        rows.find((row) => row.topics === size && row.scenario === scenario);
      const a = at(small);
      const b = at(large);
      if (!a || !b) continue;
      const per = (x: number, y: number) => `${((y - x) / (large - small)).toFixed(1)} ms`;
      lines.push(
        `| ${SCENARIO_LABEL[scenario]} | ${per(a.pulumiMs, b.pulumiMs)} | ${per(a.cliMs, b.cliMs)} |`,
      );
    }
  }
  lines.push("", "State bytes per topic (largest topic record in `pulumi stack export`):", "");
  for (const [size, value] of bytes)
    lines.push(`- ${size} topics: ${value} bytes (${(value / 1024).toFixed(1)} KiB)`);
  return lines.join("\n");
}

export function benchEngineCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BENCH_ENGINE_CLI,
    argv,
    async ({ values }) => {
      const sizes = (values.sizes ?? "").split(",").map((size) => positiveInteger("sizes", size));
      const partitions = positiveInteger("partitions", values.partitions ?? "");
      const { brokers } = asUsage(() => resolveBrokers({ flag: values.brokers ?? "", env: {} }));
      if (values.parallel !== undefined)
        UP = [...UP, "--parallel", String(positiveInteger("parallel", values.parallel))];
      if (values["type-check"]) pulumiEnv = {};
      await bench(brokers, sizes, partitions, io);
      return EXIT.ok;
    },
    io,
  );
}

async function bench(
  brokers: string[],
  sizes: number[],
  partitions: number,
  io: Io,
): Promise<void> {
  const ws = await PulumiWorkspace.create("bench-engine");
  io.out(
    `pulumi ${ws.engine.version} (${ws.engine.bin}), node ${process.version}, brokers ${brokers.join(",")}, ${partitions} partitions per topic, run ${RUN}`,
  );
  const rows: Row[] = [];
  const bytes = new Map<number, number>();
  let floor: Floor | undefined;
  const cleanup = async () => {
    const deleted = await deleteRunTopics(brokers).catch((error: unknown) => {
      io.err(`cleanup failed: ${String(error)}`);
      return 0;
    });
    ws.dispose();
    io.out(`deleted ${deleted} bench topics`);
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    floor = await engineFloor(ws, brokers);
    io.out("engine floor done");
    for (const size of sizes) {
      rows.push(...(await benchSize(ws, brokers, size, partitions, bytes)));
      io.out(`${size} topics done`);
    }
    io.out(`\n${format(rows, bytes, floor)}`);
  } finally {
    await cleanup();
  }
}

if (require.main === module)
  runCli("bench:engine", () => benchEngineCommand(process.argv.slice(2)));
