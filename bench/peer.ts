/**
 * `npm run bench:peer [-- --sizes 7,200] [--runs 3] [--json]`
 *
 * This program beside the tool a platform team would otherwise pick for its topics: OpenTofu
 * with the Kafka provider (`Mongey/kafka`, the provider `@pulumi/kafka` bridges), in one run, on
 * the single Kafka peer, with the same topic shapes on both sides (6 partitions, replication 1,
 * `retention.ms` set) and each side on its own topic names:
 *
 * | scenario | this program (the real Pulumi CLI) | OpenTofu + Kafka provider |
 * | cold | `pulumi up --yes` (its preview included) | `tofu apply -auto-approve` |
 * | no-op | `pulumi preview` | `tofu plan -refresh=false` |
 * | refresh and plan | `pulumi preview --refresh` | `tofu plan` |
 * | refresh | `pulumi refresh --yes` | `tofu apply -refresh-only -auto-approve` |
 * | one retention change | `pulumi up --yes` | `tofu apply -auto-approve` |
 *
 * Two more sides run the same Pulumi commands (`floor.ts`): the floor, as many no-op dynamic
 * resources of a topic's shape as there are topics (what the engine costs a program with a
 * resource per topic), and the catalog floor, the same topics as one no-op resource.
 *
 * Pulumi runs as a user runs it after `npm run build` (the README's day-two steps): default settings,
 * `environment: external`, a file backend (the harness of test/e2e/support/pulumi.ts). OpenTofu
 * and the provider are built once from the Go module proxy into the engine cache
 * (test/peers/engines/build.sh tofu|kafka-provider); a CLI config's `dev_overrides` points
 * OpenTofu at the provider, so nothing comes from a registry and no `tofu init` runs.
 *
 * Each command is timed wall-clock from spawn to exit, and its peak memory is the largest sum of
 * VmRSS over its whole process tree (pulumi, the language host, node running the program, the
 * dynamic provider; tofu and the provider plugin), sampled from /proc. Every scenario runs
 * `--runs` times on fresh stacks and topics, the sides alternating which goes first; the table
 * shows medians. State per topic: one KafkaTopic resource of `pulumi stack export` as compact
 * JSON, against one `kafka_topic` instance of terraform.tfstate as compact JSON.
 *
 * Every topic the run created (`bench-peer-<run>.…`) is deleted at the end, also on failure or
 * Ctrl-C. Not part of CI: it takes minutes, and the first build of OpenTofu and the provider more.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { seedTopicsOff } from "../test/support/config";
import { catalogFloorInputs, floorInputs, writeFloorProject, writeFloorResources } from "./floor";
import {
  EXIT,
  runCli,
  runParsed,
  UsageError,
  processIo,
  type CliSpec,
  type Io,
} from "../src/cli/kit";
import { PulumiWorkspace } from "../test/e2e/support/pulumi";
import { buildEngine, engineDir } from "../test/peers/engines";
import { KAFKA_VERSION, SINGLE_BROKERS, startKafka } from "../test/peers/kafka";
import { repoRoot, sleep } from "../test/peers/proc";
import { deleteTestTopics, withKafkaAdmin } from "../test/support/kafkaAdmin";

export const BENCH_PEER_CLI: CliSpec<{
  sizes: { type: "string"; description: string; value: string; default: string };
  runs: { type: "string"; description: string; value: string; default: string };
  json: { type: "boolean"; description: string };
}> = {
  name: "bench:peer",
  summary:
    "Times this program under the real Pulumi CLI beside OpenTofu + the Kafka provider on the single Kafka peer (127.0.0.1:19092): wall seconds, peak memory of each process tree, state bytes per topic.",
  usage: ["[--sizes 7,200] [--runs 3] [--json]"],
  options: {
    sizes: {
      type: "string",
      value: "<n,n,...>",
      description: "catalog sizes (topics per side) to measure",
      default: "7,200",
    },
    runs: {
      type: "string",
      value: "<n>",
      description: "repetitions of every scenario; the table shows medians",
      default: "3",
    },
    json: { type: "boolean", description: "print the results as JSON instead of a table" },
  },
  notes: [
    "The first run builds OpenTofu and the Kafka provider from the Go module proxy into the engine",
    "cache (test/peers/engines/build.sh tofu|kafka-provider), and the Pulumi CLI if it is missing.",
    "Every topic the run creates is deleted at the end, also on failure or Ctrl-C.",
  ],
};

export type Scenario = "cold" | "noop" | "previewRefresh" | "refresh" | "change";
export const SCENARIOS: readonly Scenario[] = [
  "cold",
  "noop",
  "previewRefresh",
  "refresh",
  "change",
];

export const SCENARIO_LABEL: Record<Scenario, string> = {
  cold: "cold `up` / `apply`",
  noop: "no-op `preview` / `plan -refresh=false`",
  previewRefresh: "`preview --refresh` / `plan`",
  refresh: "`refresh` / `apply -refresh-only`",
  change: "one retention change, `up` / `apply`",
};

const PARTITIONS = 6;
const REPLICATION = 1;
const RETENTION_MS = 604_800_000;
const CHANGED_RETENTION_MS = 259_200_000;
const SAMPLE_EVERY_MS = 50;
const MIB = 1024 * 1024;

export interface Sample {
  ms: number;
  /** Largest sum of VmRSS over the command's process tree, in bytes. */
  peakRssBytes: number;
}

/**
 * `floor`: the same Pulumi CLI with N no-op dynamic resources of the topics' shape
 * (`bench/floor.ts`): the engine's own cost, which this program cannot go below.
 * `catalogFloor`: the same, with all N topics in one no-op resource: the floor of a
 * one-resource-per-catalog shape.
 */
export type Side = "pulumi" | "floor" | "catalogFloor" | "tofu";
const SIDES: readonly Side[] = ["tofu", "pulumi", "floor", "catalogFloor"];
/** The sides divided by tofu in the report. */
const RATIO_SIDES = ["pulumi", "floor", "catalogFloor"] as const;
type RatioSide = (typeof RATIO_SIDES)[number];

export interface Measured {
  topics: number;
  scenario: Scenario;
  pulumi: Sample[];
  floor: Sample[];
  catalogFloor: Sample[];
  tofu: Sample[];
}

export interface StateSize {
  topics: number;
  /** Mean compact-JSON bytes of one KafkaTopic resource in `pulumi stack export`. */
  pulumi: number;
  /** Mean compact-JSON bytes of one `kafka_topic` instance in terraform.tfstate. */
  tofu: number;
  /** terraform.tfstate as written (indented), divided by the topic count. */
  tofuFilePerTopic: number;
}

/** Sizes and runs from the command line, or a `UsageError` naming the option. */
export function parseSettings(values: { sizes?: string; runs?: string }): {
  sizes: number[];
  runs: number;
} {
  const sizes = (values.sizes ?? "").split(",").map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1))
    throw new UsageError(
      `--sizes must be a comma-separated list of whole numbers ≥ 1, got ${JSON.stringify(values.sizes)}`,
    );
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs must be a whole number ≥ 1, got ${JSON.stringify(values.runs)}`);
  return { sizes: [...new Set(sizes)], runs };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The topic names one side uses for one repetition of one size. */
export function topicNames(run: string, side: Side, size: number, rep: number): string[] {
  return Array.from(
    { length: size },
    (_, index) => `bench-peer-${run}.${side}.${size}.r${rep}.${index}`,
  );
}

/** Retention of each topic; `changed` edits the first one, as the one-change scenario does. */
function retentions(names: readonly string[], changed: boolean): Map<string, number> {
  return new Map(
    names.map((name, index) => [
      name,
      changed && index === 0 ? CHANGED_RETENTION_MS : RETENTION_MS,
    ]),
  );
}

/**
 * The configuration a user of the Kafka provider writes for a topic catalog: one `kafka_topic`
 * with `for_each` over a map of name → retention.
 */
export function tofuConfig(
  brokers: readonly string[],
  topics: ReadonlyMap<string, number>,
): string {
  const entries = [...topics].map(
    ([name, retention]) => `    ${JSON.stringify(name)} = ${retention}`,
  );
  return `terraform {
  required_providers {
    kafka = {
      source = "Mongey/kafka"
    }
  }
}

provider "kafka" {
  bootstrap_servers = ${JSON.stringify(brokers)}
  tls_enabled       = false
}

locals {
  topics = {
${entries.join("\n")}
  }
}

resource "kafka_topic" "catalog" {
  for_each           = local.topics
  name               = each.key
  partitions         = ${PARTITIONS}
  replication_factor = ${REPLICATION}
  config = {
    "retention.ms" = tostring(each.value)
  }
}
`;
}

/** OpenTofu's CLI config: the Kafka provider from the engine cache, everything else as usual. */
export function tofuCliConfig(providerDir: string): string {
  return `provider_installation {
  dev_overrides {
    "Mongey/kafka" = ${JSON.stringify(providerDir)}
  }
  direct {}
}
`;
}

/** The stack config of the Pulumi side: only the bench's topics (the seed catalog removed). */
export function pulumiStackConfig(
  brokers: readonly string[],
  topics: ReadonlyMap<string, number>,
): Record<string, unknown> {
  const catalog: Record<string, unknown> = seedTopicsOff();
  for (const [name, retentionMs] of topics)
    catalog[name] = { partitions: PARTITIONS, replicationFactor: REPLICATION, retentionMs };
  return {
    environment: "external",
    // A generous connect budget, as the e2e suites use: a loaded machine must not turn a slow
    // handshake into a failed run. It bounds a wait; it adds none.
    kafka: { brokers: [...brokers], brokerCount: 1, connectTimeoutMs: 30_000 },
    topics: catalog,
  };
}

/** Compact-JSON bytes of each `kafka_topic` instance in a terraform.tfstate. */
export function tofuInstanceBytes(state: string): number[] {
  const parsed = JSON.parse(state) as {
    resources?: { type: string; instances?: unknown[] }[];
  };
  return (parsed.resources ?? [])
    .filter((resource) => resource.type === "kafka_topic")
    .flatMap((resource) => resource.instances ?? [])
    .map((instance) => Buffer.byteLength(JSON.stringify(instance)));
}

// --- the process trees of the measured commands -------------------------------------------------

interface ProcStat {
  parent: string;
  /** Clock ticks after boot: with the pid, names one process even when pids are reused. */
  start: string;
}

function statOf(pid: string): ProcStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // pid (comm) state ppid … starttime (field 22); comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { parent: fields[1]!, start: fields[19]! };
  } catch {
    return undefined; // exited between the listing and the read
  }
}

/**
 * Who is whose parent, from /proc. A process is read once, when it first appears, so a sample
 * costs one directory listing plus a read per new process and per tree member (reading every
 * /proc/<pid>/stat each time took ~6 ms of CPU here, on a 2-core machine).
 */
class ProcessTable {
  private readonly stats = new Map<string, ProcStat>();

  /** Children of each live process. */
  refresh(): Map<string, string[]> {
    const live = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
    const seen = new Set(live);
    for (const pid of this.stats.keys()) if (!seen.has(pid)) this.stats.delete(pid);
    const children = new Map<string, string[]>();
    for (const pid of live) {
      let stat = this.stats.get(pid);
      if (stat === undefined) {
        stat = statOf(pid);
        if (stat === undefined) continue;
        this.stats.set(pid, stat);
      }
      const siblings = children.get(stat.parent);
      if (siblings) siblings.push(pid);
      else children.set(stat.parent, [pid]);
    }
    return children;
  }

  start(pid: string): string | undefined {
    return this.stats.get(pid)?.start;
  }
}

function rssBytes(pid: string): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function subtrees(children: ReadonlyMap<string, string[]>, roots: readonly string[]): string[] {
  const members: string[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    members.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return members;
}

/**
 * Every process a measured command ran (pid → start time). Pulumi's language host and dynamic
 * provider outlive a CLI cancelled by Ctrl-C (they are re-parented, so no longer below this
 * process): `stopStrays` finds them here.
 */
const spawned = new Map<string, string>();

/**
 * Runs `work` (which spawns one command and waits for it) and measures its wall time and the
 * peak memory of the process tree it spawned. The bench runs one command at a time, so that tree
 * is every child of this process that was not already there (a Kafka peer this run started is).
 */
async function measured<T>(work: () => Promise<T>): Promise<{ sample: Sample; value: T }> {
  const self = String(process.pid);
  const table = new ProcessTable();
  const before = new Set(table.refresh().get(self) ?? []);
  let peak = 0;
  const sample = () => {
    const children = table.refresh();
    const tree = subtrees(
      children,
      (children.get(self) ?? []).filter((pid) => !before.has(pid)),
    );
    for (const pid of tree) spawned.set(pid, table.start(pid) ?? "");
    peak = Math.max(
      peak,
      tree.reduce((total, pid) => total + rssBytes(pid), 0),
    );
  };
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  const started = process.hrtime.bigint();
  try {
    const value = await work();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { sample: { ms, peakRssBytes: peak }, value };
  } finally {
    clearInterval(timer);
  }
}

/**
 * After Ctrl-C: the interrupted command gets a moment to stop by itself, then whatever is left of
 * what it ran is terminated, so that no topic is created after the cleanup deleted the run's.
 */
async function stopStrays(): Promise<void> {
  const alive = () =>
    [...spawned].filter(([pid, start]) => statOf(pid)?.start === start).map(([pid]) => pid);
  for (let waited = 0; waited < 10_000 && alive().length > 0; waited += 250) await sleep(250);
  for (const pid of alive()) {
    try {
      process.kill(Number(pid), "SIGTERM");
    } catch {
      // gone meanwhile
    }
  }
}

// --- OpenTofu -----------------------------------------------------------------------------------

interface Tofu {
  bin: string;
  version: string;
  providerDir: string;
  cliConfig: string;
}

async function ensureTofu(scratch: string): Promise<Tofu> {
  const bin = path.join(await buildEngine("tofu"), "tofu");
  const providerDir = await buildEngine("kafka-provider");
  const cliConfig = path.join(scratch, "tofu.rc");
  fs.writeFileSync(cliConfig, tofuCliConfig(providerDir));
  // The bench's CLI config, never the user's own (TF_CLI_CONFIG_FILE may name one).
  const printed = await runCommand(bin, ["version"], scratch, { TF_CLI_CONFIG_FILE: cliConfig });
  const version = /OpenTofu (v\S+)/.exec(printed)?.[1] ?? "unknown";
  return { bin, version, providerDir, cliConfig };
}

function runCommand(
  bin: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.end();
    child.once("error", reject);
    child.once("close", (code) => {
      const text = stripVTControlCharacters(output);
      if (code === 0) resolve(text);
      else
        reject(
          new Error(
            `${path.basename(bin)} ${args.join(" ")} exited ${code}:\n${text.slice(-4000)}`,
          ),
        );
    });
  });
}

function expect(output: string, pattern: RegExp, what: string): void {
  if (!pattern.test(output)) throw new Error(`expected ${what}, got:\n${output.slice(-3000)}`);
}

const PULUMI_PENDING_CHANGE = /\b\d+ to (create|update|delete|replace)\b/;

// --- one repetition of one size -----------------------------------------------------------------

interface Context {
  run: string;
  brokers: string[];
  ws: PulumiWorkspace;
  /** The floor project's workspace (`bench/floor.ts`). */
  floorWs: PulumiWorkspace;
  /** The catalog floor's: the same project, its own folder and resources. */
  catalogWs: PulumiWorkspace;
  tofu: Tofu;
  scratch: string;
  progress: (text: string) => void;
}

/** Retention of the first topic of each side, as the broker reports it. */
async function firstRetentions(brokers: string[], names: readonly string[]): Promise<string[]> {
  return withKafkaAdmin("bench-peer", brokers, async (admin) => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: 2, name, configNames: ["retention.ms"] })),
    });
    return names.map((name) => {
      const resource = described.resources.find((entry) => entry.resourceName === name);
      return (
        resource?.configEntries.find((entry) => entry.configName === "retention.ms")?.configValue ??
        "missing"
      );
    });
  });
}

async function repetition(
  ctx: Context,
  size: number,
  rep: number,
): Promise<{ samples: Record<Scenario, Record<Side, Sample>>; state: StateSize }> {
  const { brokers, ws, floorWs, catalogWs, tofu } = ctx;
  const pulumiNames = topicNames(ctx.run, "pulumi", size, rep);
  const floorNames = topicNames(ctx.run, "floor", size, rep);
  const tofuNames = topicNames(ctx.run, "tofu", size, rep);
  const stack = `peer-${ctx.run}-${size}-r${rep}`;
  const floorStack = `floor-${ctx.run}-${size}-r${rep}`;
  const catalogNames = topicNames(ctx.run, "catalogFloor", size, rep);
  const catalogStack = `catalog-floor-${ctx.run}-${size}-r${rep}`;
  const tofuDir = fs.mkdtempSync(path.join(ctx.scratch, `tofu-${size}-r${rep}-`));
  const tofuEnv = { TF_CLI_CONFIG_FILE: tofu.cliConfig };
  // Pulumi as a user has it: whatever the project configures, no transpile-only override.
  const pulumiEnv = { PULUMI_NODEJS_TRANSPILE_ONLY: undefined };
  const writeTofu = (changed: boolean) =>
    fs.writeFileSync(
      path.join(tofuDir, "main.tf"),
      tofuConfig(brokers, retentions(tofuNames, changed)),
    );

  const shape = { partitions: PARTITIONS, replicationFactor: REPLICATION };
  const writeFloors = (changed: boolean) => {
    writeFloorResources(
      floorWs.projectDir,
      floorInputs(brokers, retentions(floorNames, changed), shape),
    );
    writeFloorResources(
      catalogWs.projectDir,
      catalogFloorInputs(brokers, retentions(catalogNames, changed), shape),
    );
  };
  const pulumiArgs: Record<Scenario, string[]> = {
    cold: ["up", "--yes"],
    noop: ["preview"],
    previewRefresh: ["preview", "--refresh"],
    refresh: ["refresh", "--yes"],
    change: ["up", "--yes"],
  };
  /**
   * One Pulumi command, timed, and what its output must show; `created`: the resources a cold
   * `up` creates (the stack and any component included).
   */
  const pulumiSide = async (
    workspace: PulumiWorkspace,
    stackName: string,
    created: number,
    scenario: Scenario,
  ): Promise<Sample> => {
    const args = pulumiArgs[scenario];
    const { sample, value } = await measured(() =>
      workspace.pulumi(args, { stack: stackName, env: pulumiEnv }),
    );
    if (
      (scenario === "noop" || scenario === "previewRefresh") &&
      PULUMI_PENDING_CHANGE.test(value.output)
    )
      throw new Error(`pulumi ${args.join(" ")} found changes:\n${value.output.slice(-3000)}`);
    if (scenario === "cold")
      expect(value.output, new RegExp(`\\+ ${created} created`), `${created} resources created`);
    if (scenario === "change") expect(value.output, /~ 1 updated/, "one update");
    return sample;
  };

  const sides: Record<Side, (scenario: Scenario) => Promise<Sample>> = {
    // The stack, the TopicBootstrap component and a resource per topic.
    pulumi: (scenario) => pulumiSide(ws, stack, size + 2, scenario),
    // The stack and a resource per topic.
    floor: (scenario) => pulumiSide(floorWs, floorStack, size + 1, scenario),
    // The stack and one resource.
    catalogFloor: (scenario) => pulumiSide(catalogWs, catalogStack, 2, scenario),
    tofu: async (scenario) => {
      const args: Record<Scenario, string[]> = {
        cold: ["apply", "-auto-approve"],
        noop: ["plan", "-refresh=false"],
        previewRefresh: ["plan"],
        refresh: ["apply", "-refresh-only", "-auto-approve"],
        change: ["apply", "-auto-approve"],
      };
      const { sample, value } = await measured(() =>
        runCommand(tofu.bin, args[scenario], tofuDir, tofuEnv),
      );
      if (scenario === "cold")
        expect(value, new RegExp(`Resources: ${size} added, 0 changed`), `${size} topics added`);
      if (scenario === "noop" || scenario === "previewRefresh")
        expect(value, /No changes\./, "no changes");
      if (scenario === "change")
        expect(value, /Resources: 0 added, 1 changed, 0 destroyed/, "one change");
      return sample;
    },
  };

  try {
    await ws.initStack(stack, pulumiStackConfig(brokers, retentions(pulumiNames, false)));
    await floorWs.pulumi(["stack", "init", floorStack], {});
    await catalogWs.pulumi(["stack", "init", catalogStack], {});
    writeFloors(false);
    writeTofu(false);
    // Rotate which side goes first, so none always meets a broker another just warmed.
    const order = SIDES.map((_, index) => SIDES[(index + rep) % SIDES.length]!);
    const samples = {} as Record<Scenario, Record<Side, Sample>>;
    let state: StateSize | undefined;
    for (const scenario of SCENARIOS) {
      if (scenario === "change") {
        writeTofu(true);
        writeFloors(true);
        ws.writeConfig(stack, {
          topics: pulumiStackConfig(brokers, retentions(pulumiNames, true)).topics,
        });
      }
      const result = {} as Record<Side, Sample>;
      for (const side of order) result[side] = await sides[side](scenario);
      samples[scenario] = result;
      ctx.progress(
        `  ${size} topics, run ${rep + 1}, ${scenario}: ${SIDES.map((side) => `${side} ${(result[side].ms / 1000).toFixed(2)} s`).join(", ")}`,
      );
      if (scenario === "cold")
        state = await stateSizes(ctx, stack, tofuDir, size, pulumiNames, tofuNames);
    }
    const changed = await firstRetentions(brokers, [pulumiNames[0]!, tofuNames[0]!]);
    if (changed.some((value) => value !== String(CHANGED_RETENTION_MS)))
      throw new Error(
        `after the change, retention.ms of ${pulumiNames[0]} / ${tofuNames[0]} is ${changed.join(" / ")}, expected ${CHANGED_RETENTION_MS}`,
      );
    return { samples, state: state! };
  } finally {
    fs.rmSync(tofuDir, { recursive: true, force: true });
    // Fresh topics per repetition keep every cold run cold; the broker sheds the old ones now.
    await deleteTestTopics(
      "bench-peer",
      brokers,
      (name) => name.startsWith(`bench-peer-${ctx.run}.`) && name.includes(`.${size}.r${rep}.`),
    );
  }
}

/** After the cold run: both sides' topics exist on the broker, and what each side's state costs. */
async function stateSizes(
  ctx: Context,
  stack: string,
  tofuDir: string,
  size: number,
  pulumiNames: readonly string[],
  tofuNames: readonly string[],
): Promise<StateSize> {
  const onBroker = new Set(
    await withKafkaAdmin("bench-peer", ctx.brokers, (admin) => admin.listTopics()),
  );
  for (const names of [pulumiNames, tofuNames]) {
    const missing = names.filter((name) => !onBroker.has(name));
    if (missing.length > 0)
      throw new Error(
        `after the cold run ${missing.length} topic(s) are not on the broker: ${missing.slice(0, 3).join(", ")}`,
      );
  }
  const exported = await ctx.ws.exportState(stack);
  const records = (exported.deployment.deployment.resources ?? []).filter((resource) =>
    resource.type.endsWith(":KafkaTopic"),
  );
  if (records.length !== size)
    throw new Error(
      `expected ${size} KafkaTopic resources in the Pulumi state, found ${records.length}`,
    );
  const tfstate = fs.readFileSync(path.join(tofuDir, "terraform.tfstate"), "utf8");
  const instances = tofuInstanceBytes(tfstate);
  if (instances.length !== size)
    throw new Error(
      `expected ${size} kafka_topic instances in terraform.tfstate, found ${instances.length}`,
    );
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  return {
    topics: size,
    pulumi: mean(records.map((record) => Buffer.byteLength(JSON.stringify(record)))),
    tofu: mean(instances),
    tofuFilePerTopic: Math.round(Buffer.byteLength(tfstate) / size),
  };
}

// --- report ---------------------------------------------------------------------------------------

export interface SideSummary {
  seconds: number;
  peakMiB: number;
  runsSeconds: number[];
  runsPeakMiB: number[];
}

export interface Report {
  versions: Record<string, string>;
  runs: number;
  memory: string;
  rows: {
    topics: number;
    scenario: Scenario;
    label: string;
    sides: Record<Side, SideSummary>;
    /**
     * Each side / tofu. `floor`'s is the least any program of this shape (a resource per topic)
     * can reach under this engine; `catalogFloor`'s, a resource per catalog.
     */
    ratios: Record<RatioSide, { seconds: number; peakMiB: number }>;
  }[];
  state: (StateSize & { ratio: number })[];
}

const MEMORY_METHOD = `peak of the summed VmRSS of the command's whole process tree, sampled from /proc every ${SAMPLE_EVERY_MS} ms (pages shared between processes count once per process)`;

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function buildReport(
  measured: readonly Measured[],
  state: readonly StateSize[],
  runs: number,
  versions: Record<string, string>,
): Report {
  const side = (samples: readonly Sample[]): SideSummary => {
    const runsSeconds = samples.map((sample) => round(sample.ms / 1000, 2));
    const runsPeakMiB = samples.map((sample) => round(sample.peakRssBytes / MIB, 0));
    return { seconds: median(runsSeconds), peakMiB: median(runsPeakMiB), runsSeconds, runsPeakMiB };
  };
  return {
    versions,
    runs,
    memory: MEMORY_METHOD,
    rows: measured.map((row) => {
      const sides = Object.fromEntries(SIDES.map((name) => [name, side(row[name])])) as Record<
        Side,
        SideSummary
      >;
      const ratios = Object.fromEntries(
        RATIO_SIDES.map((name) => [
          name,
          {
            seconds: round(sides[name].seconds / sides.tofu.seconds, 2),
            peakMiB: round(sides[name].peakMiB / sides.tofu.peakMiB, 2),
          },
        ]),
      ) as Report["rows"][number]["ratios"];
      return {
        topics: row.topics,
        scenario: row.scenario,
        label: SCENARIO_LABEL[row.scenario],
        sides,
        ratios,
      };
    }),
    state: state.map((entry) => ({ ...entry, ratio: round(entry.pulumi / entry.tofu, 1) })),
  };
}

/** The table's column order. */
const SIDE_COLUMNS: readonly Side[] = ["pulumi", "floor", "catalogFloor", "tofu"];

export function formatReport(report: Report): string {
  const lines = [
    Object.entries(report.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(", "),
    `median of ${report.runs} run(s); memory: ${report.memory}`,
    "floor: the same Pulumi CLI with as many no-op dynamic resources of the topics' shape; catalog floor: all of them in one no-op resource (bench/floor.ts)",
    "",
    "| topics | scenario | pulumi | floor | catalog floor | tofu | pulumi / tofu | floor / tofu | catalog floor / tofu | pulumi peak | floor peak | catalog floor peak | tofu peak | pulumi / tofu | floor / tofu | catalog floor / tofu |",
    `|${" --- |".repeat(16)}`,
    ...report.rows.map((row) => {
      const cells = [
        String(row.topics),
        row.label,
        ...SIDE_COLUMNS.map((name) => `${row.sides[name].seconds.toFixed(2)} s`),
        ...RATIO_SIDES.map((name) => `${row.ratios[name].seconds}x`),
        ...SIDE_COLUMNS.map((name) => `${row.sides[name].peakMiB} MiB`),
        ...RATIO_SIDES.map((name) => `${row.ratios[name].peakMiB}x`),
      ];
      return `| ${cells.join(" | ")} |`;
    }),
    ...report.state.map(
      (entry) =>
        `| ${entry.topics} | state per topic (compact JSON) | ${entry.pulumi} B | | | ${entry.tofu} B | ${entry.ratio}x |${" |".repeat(9)}`,
    ),
  ];
  return lines.join("\n");
}

// --- the command ----------------------------------------------------------------------------------

export function benchPeerCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BENCH_PEER_CLI,
    argv,
    async ({ values }) => {
      const { sizes, runs } = parseSettings(values);
      const json = values.json === true;
      const progress = (text: string) => io.err(text);
      const run = randomBytes(3).toString("hex");
      const brokers = [...SINGLE_BROKERS];
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-bench-peer-"));
      let ws: PulumiWorkspace | undefined;
      let floorWs: PulumiWorkspace | undefined;
      let catalogWs: PulumiWorkspace | undefined;
      const cleanup = async () => {
        const deleted = await deleteTestTopics("bench-peer", brokers, (name) =>
          name.startsWith(`bench-peer-${run}.`),
        ).catch((error: unknown) => {
          io.err(`bench:peer: deleting the run's topics failed: ${String(error)}`);
          return [];
        });
        ws?.dispose();
        floorWs?.dispose();
        catalogWs?.dispose();
        fs.rmSync(scratch, { recursive: true, force: true });
        if (deleted.length > 0) progress(`deleted ${deleted.length} leftover bench topic(s)`);
      };
      let interruption: Promise<void> | undefined;
      const interrupted = () => {
        interruption = stopStrays().then(cleanup);
        void interruption.then(() => process.exit(130));
      };
      process.once("SIGINT", interrupted);
      try {
        progress(`Kafka single peer: ${await startKafka("single")} on ${brokers.join(",")}`);
        progress(
          "OpenTofu and the Kafka provider: building unless cached (the first build: ~7 min on 2 idle cores, ~46 min on 2 busy ones)",
        );
        const tofu = await ensureTofu(scratch);
        ws = await PulumiWorkspace.create("bench-peer");
        floorWs = await PulumiWorkspace.create("bench-floor", (dir) =>
          writeFloorProject(repoRoot(), dir),
        );
        catalogWs = await PulumiWorkspace.create("bench-catalog-floor", (dir) =>
          writeFloorProject(repoRoot(), dir),
        );
        const versions = {
          pulumi: ws.engine.version,
          node: process.version,
          opentofu: tofu.version,
          "kafka provider": path
            .basename(engineDir("kafka-provider"))
            .replace(/^terraform-provider-kafka-/, ""),
          kafka: KAFKA_VERSION,
          run,
        };
        progress(
          Object.entries(versions)
            .map(([name, version]) => `${name} ${version}`)
            .join(", "),
        );
        const measuredRows: Measured[] = [];
        const state: StateSize[] = [];
        const ctx: Context = { run, brokers, ws, floorWs, catalogWs, tofu, scratch, progress };
        for (const size of sizes) {
          const rows = new Map(
            SCENARIOS.map((scenario) => [
              scenario,
              {
                topics: size,
                scenario,
                pulumi: [] as Sample[],
                floor: [] as Sample[],
                catalogFloor: [] as Sample[],
                tofu: [] as Sample[],
              },
            ]),
          );
          const stateRuns: StateSize[] = [];
          for (let rep = 0; rep < runs; rep += 1) {
            const result = await repetition(ctx, size, rep);
            for (const scenario of SCENARIOS) {
              for (const side of SIDES)
                rows.get(scenario)![side].push(result.samples[scenario][side]);
            }
            stateRuns.push(result.state);
          }
          measuredRows.push(...rows.values());
          state.push({
            topics: size,
            pulumi: median(stateRuns.map((entry) => entry.pulumi)),
            tofu: median(stateRuns.map((entry) => entry.tofu)),
            tofuFilePerTopic: median(stateRuns.map((entry) => entry.tofuFilePerTopic)),
          });
        }
        const report = buildReport(measuredRows, state, runs, versions);
        io.out(json ? JSON.stringify(report, null, 2) : formatReport(report));
        return EXIT.ok;
      } finally {
        process.removeListener("SIGINT", interrupted);
        // A Ctrl-C makes the running command fail too: its handler cleans up (and exits 130).
        await (interruption ?? cleanup());
      }
    },
    io,
  );
}

if (require.main === module) runCli("bench:peer", () => benchPeerCommand(process.argv.slice(2)));
