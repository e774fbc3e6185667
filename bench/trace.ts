/**
 * `npm run bench:trace [-- --sizes 0,7,200] [--out <dir>] [--cpu-prof] [--skip-checkpoints] [--json]`
 *
 * Where the time of a `pulumi` command goes inside the engine. For each catalog size it runs, on a
 * fresh stack of the single Kafka peer, the commands of `npm run bench:peer` as a user runs them
 * (real Pulumi CLI, file backend, `environment: external`): cold `up --yes`, no-op `preview`,
 * `refresh --yes` and a one-retention-change `up --yes`, each with
 * `--otel-traces file://<out>/<size>-<scenario>.otel.json`. Size 0 is the engine's own floor.
 *
 * Pulumi 3.274.1 writes `--tracing file:` as appdash's gob encoding; `--otel-traces file://` writes
 * the same spans (the engine's, the language host's and the plugins', bridged) as OTLP JSON, one
 * export per line, which this script reads. From the spans it splits each command's wall time
 * into the CLI before and after the engine passes, and per pass (`up` runs a preview pass, then
 * the update pass): program start (language host, node, the SDK's run harness and ts-node, up to
 * the Stack's RegisterResource), provider calls in flight, checkpoint I/O, plugin
 * start-up, the engine alone (registrations waiting, none of those in flight: step scheduling,
 * state serialization, gRPC marshalling) and the program alone (nothing in flight: the engine
 * waits for the program's own modules and top level). It also prints every provider method's count,
 * median and p95, and the checkpoint writes: count, I/O time, bytes.
 *
 * `--cpu-prof` adds `NODE_OPTIONS=--cpu-prof` for the Node processes Pulumi starts and summarises
 * the program's profile by where its samples fall (TypeScript, ts-node, the Pulumi SDK, gRPC,
 * kafkajs, this project, Node's module loader, GC, idle). The dynamic provider writes none: the
 * engine kills it at the end, before Node writes its profile. The profiler costs time itself:
 * read those runs' shares, not their wall times.
 *
 * Not part of CI. It deletes every topic it created (`bench-trace-<run>.*`), also on failure.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
import { SINGLE_BROKERS, startKafka } from "../test/peers/kafka";
import { deleteTestTopics } from "../test/support/kafkaAdmin";
import { median, pulumiStackConfig } from "./peer";

export const BENCH_TRACE_CLI: CliSpec<{
  sizes: { type: "string"; description: string; value: string; default: string };
  out: { type: "string"; description: string; value: string };
  "cpu-prof": { type: "boolean"; description: string };
  "skip-checkpoints": { type: "boolean"; description: string };
  json: { type: "boolean"; description: string };
}> = {
  name: "bench:trace",
  summary:
    "Profiles the real Pulumi CLI on the single Kafka peer with --otel-traces and prints where each command's wall time goes: program start, provider calls, checkpoint writes, plugin start-up, engine gaps.",
  usage: ["[--sizes 0,7,200] [--out <dir>] [--cpu-prof] [--skip-checkpoints] [--json]"],
  options: {
    sizes: {
      type: "string",
      value: "<n,n,...>",
      description: "catalog sizes to trace; 0 is the engine's floor",
      default: "0,7,200",
    },
    out: {
      type: "string",
      value: "<dir>",
      description:
        "keep the traces (and CPU profiles) in this folder; default: a temp folder, removed",
    },
    "cpu-prof": {
      type: "boolean",
      description: "also profile the program and the dynamic provider (node --cpu-prof)",
    },
    "skip-checkpoints": {
      type: "boolean",
      description:
        "run with PULUMI_SKIP_CHECKPOINTS=true (state written once, at the end; unsafe if killed)",
    },
    json: { type: "boolean", description: "print the analysis as JSON" },
  },
};

export type Scenario = "cold" | "noop" | "refresh" | "change";
const COMMANDS: Record<Scenario, string[]> = {
  cold: ["up", "--yes"],
  noop: ["preview"],
  refresh: ["refresh", "--yes"],
  change: ["up", "--yes"],
};
const RETENTION_MS = 604_800_000;
const CHANGED_RETENTION_MS = 259_200_000;

// --- OTLP JSON spans ----------------------------------------------------------------------------

export interface Span {
  name: string;
  service: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
  attributes: Record<string, string>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: {
      spans?: {
        name: string;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: { key: string; value: OtlpValue }[];
      }[];
    }[];
  }[];
}

const nanosToMs = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000;
const valueText = (value: OtlpValue) =>
  String(value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue ?? "");

/** Every span of an `--otel-traces file://` output (one OTLP JSON export per line). */
export function parseOtlpLines(text: string): Span[] {
  const spans: Span[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = JSON.parse(line) as OtlpExport;
    for (const resource of parsed.resourceSpans ?? []) {
      const service =
        resource.resource?.attributes?.find((entry) => entry.key === "service.name")?.value
          .stringValue ?? "";
      for (const scope of resource.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          spans.push({
            name: span.name,
            service,
            start: nanosToMs(span.startTimeUnixNano),
            end: nanosToMs(span.endTimeUnixNano),
            attributes: Object.fromEntries(
              (span.attributes ?? []).map((entry) => [entry.key, valueText(entry.value)]),
            ),
          });
    }
  }
  return spans;
}

// --- analysis -----------------------------------------------------------------------------------

type Interval = readonly [number, number];

/** Total length of the union of the intervals, clipped to [from, to]. */
export function coveredMs(intervals: readonly Interval[], from: number, to: number): number {
  const clipped = intervals
    .map(([start, end]) => [Math.max(start, from), Math.min(end, to)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reach = -Infinity;
  for (const [start, end] of clipped) {
    if (end <= reach) continue;
    total += end - Math.max(start, reach);
    reach = end;
  }
  return total;
}

export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

export interface CallStats {
  count: number;
  /** Most calls of this method in flight at once. */
  maxInFlight: number;
  medianMs: number;
  p95Ms: number;
  totalMs: number;
}

/** Most of the intervals open at one time. */
export function maxOverlap(intervals: readonly Interval[]): number {
  const edges: [number, number][] = intervals.flatMap(([start, end]): [number, number][] => [
    [start, 1],
    [end, -1],
  ]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (open += step));
  return most;
}

function stats(spans: readonly Span[]): CallStats {
  const durations = spans.map((span) => span.end - span.start);
  return {
    count: durations.length,
    maxInFlight: maxOverlap(spans.map((span) => [span.start, span.end] as const)),
    medianMs: round(median(durations)),
    p95Ms: round(percentile(durations, 0.95)),
    totalMs: round(durations.reduce((sum, value) => sum + value, 0)),
  };
}

/** One engine pass (`pulumi-plan` span): a preview, an update or a refresh. */
export interface PassBreakdown {
  operation: string;
  ms: number;
  /**
   * Pass start → first step (first RegisterResource, or first provider call when no program
   * runs), less plugin start-up in that window: the language host, node, the SDK's run harness
   * and ts-node, up to the Stack's registration (the program's own modules load after it).
   */
  programStartMs: number;
  /** Plugin start-up in flight before the first step (the provider, on a refresh). */
  pluginStartBeforeStepsMs: number;
  /** The pass's first provider step call: it loads the provider's implementation. */
  firstCallMs: number;
  /** First → last RegisterResource start. */
  registrationMs: number;
  registrations: number;
  /** From the first step on: a provider call in flight. */
  providerCallsMs: number;
  /** From the first step on: checkpoint I/O in flight and no provider call. */
  checkpointIoMs: number;
  /** From the first step on: a plugin starting and none of the above. */
  pluginStartMs: number;
  /**
   * From the first step on: registrations waiting on the engine and none of the above in flight
   * (the engine alone: step scheduling, state serialization, gRPC marshalling).
   */
  engineOnlyMs: number;
  /**
   * From the first step on: nothing at all in flight, not even a registration: the engine waits
   * for the program (its top level between the Stack's registration and the next ones, its exit).
   */
  programOnlyMs: number;
}

export interface CommandAnalysis {
  wallMs: number;
  /** CLI time outside the passes: start-up, backend and snapshot load, final write, exit. */
  outsidePassesMs: number;
  passes: PassBreakdown[];
  calls: Record<string, CallStats>;
  registerResource: CallStats;
  plugins: { kind: string; count: number; totalMs: number; maxMs: number }[];
  checkpoints: {
    writes: number;
    backups: number;
    ioMs: number;
    stateBytes: number;
    bytesWrittenEstimate: number;
  };
}

const PROVIDER_CALL = /^pulumirpc\.ResourceProvider\/(\w+)$/;
const STEP_METHODS = new Set(["Check", "Diff", "Create", "Read", "Update", "Delete"]);
const BLOB_IO = new Set(["gocloud.dev/blob.NewWriter", "gocloud.dev/blob.Copy"]);
const REGISTER = "pulumirpc.ResourceMonitor/RegisterResource";

/**
 * The breakdown of one command's trace. `stateBytes` before and after the command give the
 * estimate of the bytes its checkpoints wrote (each write is the whole state, which grows or
 * shrinks about linearly between the two).
 */
export function analyseTrace(
  spans: readonly Span[],
  stateBytes: { before: number; after: number },
): CommandAnalysis {
  const cli = spans.filter((span) => span.service === "pulumi-cli");
  const root = cli.find((span) => span.name === "pulumi");
  if (!root)
    throw new Error("the trace has no root `pulumi` span: was it written by --otel-traces?");
  const named = (name: string) => cli.filter((span) => span.name === name);
  const providerCalls = cli.filter((span) => PROVIDER_CALL.test(span.name));
  const blobIo = cli.filter((span) => BLOB_IO.has(span.name));
  const plugins = named("newPlugin");
  const registers = named(REGISTER).filter((span) => span.attributes["rpc.system"] === "grpc");
  const intervals = (list: readonly Span[]) => list.map((span) => [span.start, span.end] as const);
  const within = (list: readonly Span[], from: number, to: number) =>
    list.filter((span) => span.start >= from && span.start < to);

  const passSpans = named("pulumi-plan").sort((a, b) => a.start - b.start);
  const passes = passSpans.map((pass, index): PassBreakdown => {
    const passRegisters = within(registers, pass.start, pass.end).sort((a, b) => a.start - b.start);
    const passCalls = within(providerCalls, pass.start, pass.end).filter((span) =>
      STEP_METHODS.has(PROVIDER_CALL.exec(span.name)![1]!),
    );
    const firstStep = Math.min(
      passRegisters[0]?.start ?? Infinity,
      ...passCalls.map((span) => span.start),
      pass.end,
    );
    const calls = coveredMs(intervals(providerCalls), firstStep, pass.end);
    const callsOrIo = coveredMs(intervals([...providerCalls, ...blobIo]), firstStep, pass.end);
    const busy = coveredMs(
      intervals([...providerCalls, ...blobIo, ...plugins]),
      firstStep,
      pass.end,
    );
    const withRegisters = coveredMs(
      intervals([...providerCalls, ...blobIo, ...plugins, ...registers]),
      firstStep,
      pass.end,
    );
    const pluginsBefore = coveredMs(intervals(plugins), pass.start, firstStep);
    const firstCall = [...passCalls].sort((a, b) => a.start - b.start)[0];
    return {
      operation:
        passSpans.length > 1 && index === 0 ? "preview" : (pass.attributes.operation ?? "?"),
      ms: round(pass.end - pass.start),
      programStartMs: round(firstStep - pass.start - pluginsBefore),
      pluginStartBeforeStepsMs: round(pluginsBefore),
      firstCallMs: round(firstCall ? firstCall.end - firstCall.start : 0),
      registrationMs: round(
        passRegisters.length > 0 ? passRegisters.at(-1)!.start - passRegisters[0]!.start : 0,
      ),
      registrations: passRegisters.length,
      providerCallsMs: round(calls),
      checkpointIoMs: round(callsOrIo - calls),
      pluginStartMs: round(busy - callsOrIo),
      engineOnlyMs: round(withRegisters - busy),
      programOnlyMs: round(pass.end - firstStep - withRegisters),
    };
  });
  const inPasses = coveredMs(intervals(passSpans), root.start, root.end);

  const byMethod = new Map<string, Span[]>();
  for (const span of providerCalls) {
    const method = PROVIDER_CALL.exec(span.name)![1]!;
    if (!STEP_METHODS.has(method)) continue;
    byMethod.set(method, [...(byMethod.get(method) ?? []), span]);
  }
  const pluginKinds = new Map<string, number[]>();
  for (const span of plugins) {
    const kind = `${span.attributes.kind ?? "?"}:${span.attributes.prefix ?? "?"}`;
    pluginKinds.set(kind, [...(pluginKinds.get(kind) ?? []), span.end - span.start]);
  }
  const writes = named("gocloud.dev/blob.NewWriter").length;
  return {
    wallMs: round(root.end - root.start),
    outsidePassesMs: round(root.end - root.start - inPasses),
    passes,
    calls: Object.fromEntries([...byMethod].map(([method, list]) => [method, stats(list)])),
    registerResource: stats(registers),
    plugins: [...pluginKinds].map(([kind, list]) => ({
      kind,
      count: list.length,
      totalMs: round(list.reduce((sum, value) => sum + value, 0)),
      maxMs: round(Math.max(...list)),
    })),
    checkpoints: {
      writes,
      backups: named("gocloud.dev/blob.Copy").length,
      ioMs: round(coveredMs(intervals(blobIo), root.start, root.end)),
      stateBytes: stateBytes.after,
      bytesWrittenEstimate: Math.round((writes * (stateBytes.before + stateBytes.after)) / 2),
    },
  };
}

// --- Node CPU profiles --------------------------------------------------------------------------

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** Which part of the stack a profile node's own time belongs to. */
export function cpuBucket(functionName: string, url: string): string {
  if (functionName === "(idle)") return "idle";
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(program)") return "V8/native (program)";
  if (url.includes("/node_modules/typescript/")) return "TypeScript compiler";
  if (url.includes("/node_modules/ts-node/")) return "ts-node";
  if (url.includes("/node_modules/@pulumi/")) return "Pulumi SDK";
  if (url.includes("/node_modules/@grpc/") || url.includes("/node_modules/google-protobuf/"))
    return "gRPC + protobuf";
  if (url.includes("/node_modules/kafkajs/")) return "kafkajs";
  if (url.includes("/node_modules/")) return "other node_modules";
  if (url.startsWith("node:internal/modules") || url.startsWith("node:internal/vm"))
    return "Node module loader";
  if (url.startsWith("node:") || url === "") return "Node internals";
  return "this project";
}

export interface CpuSummary {
  /** `program` (runs the program's entry), `provider` (serves the topic calls) or `other`. */
  role: string;
  wallMs: number;
  buckets: Record<string, number>;
}

export function summariseCpuProfile(profile: CpuProfile): CpuSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const buckets: Record<string, number> = {};
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((id, index) => {
    const frame = nodes.get(id);
    if (!frame) return;
    const bucket = cpuBucket(frame.functionName, frame.url);
    buckets[bucket] = (buckets[bucket] ?? 0) + (deltas[index] ?? 0) / 1000;
  });
  const urls = profile.nodes.map((node) => node.callFrame.url);
  const role = urls.some((url) => url.includes("providerRuntime"))
    ? "provider"
    : urls.some((url) => url.includes("/src/programEntry.js") || url.includes("/src/index.ts"))
      ? "program"
      : "other";
  for (const key of Object.keys(buckets)) buckets[key] = round(buckets[key]!);
  return { role, wallMs: round((profile.endTime - profile.startTime) / 1000), buckets };
}

// --- the runs -----------------------------------------------------------------------------------

export interface TracedCommand {
  topics: number;
  scenario: Scenario;
  command: string;
  /** Spawn to exit, measured here. */
  measuredMs: number;
  load: number;
  analysis: CommandAnalysis;
  cpu: CpuSummary[];
}

const round = (value: number) => Math.round(value * 10) / 10;

function stateFileBytes(ws: PulumiWorkspace, stack: string): number {
  const file = ws
    .stateFiles()
    .find(
      (entry) => entry.endsWith(`/${stack}.json`) && entry.includes(`${path.sep}stacks${path.sep}`),
    );
  return file ? fs.statSync(file).size : 0;
}

function cpuProfiles(dir: string): CpuSummary[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) =>
      summariseCpuProfile(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as CpuProfile),
    )
    .filter((summary) => summary.role !== "other");
}

interface RunSettings {
  ws: PulumiWorkspace;
  out: string;
  run: string;
  cpuProf: boolean;
  env: NodeJS.ProcessEnv;
  progress: (text: string) => void;
}

async function traceSize(settings: RunSettings, size: number): Promise<TracedCommand[]> {
  const { ws, out, run } = settings;
  const stack = `trace-${run}-${size}`;
  const names = Array.from({ length: size }, (_, index) => `bench-trace-${run}.${size}.${index}`);
  const catalog = (changed: boolean) =>
    new Map(
      names.map((name, index) => [
        name,
        changed && index === 0 ? CHANGED_RETENTION_MS : RETENTION_MS,
      ]),
    );
  await ws.initStack(stack, pulumiStackConfig([...SINGLE_BROKERS], catalog(false)));
  const traced: TracedCommand[] = [];
  for (const scenario of ["cold", "noop", "refresh", "change"] as const) {
    if (scenario === "change") {
      if (size === 0) continue;
      ws.writeConfig(stack, {
        topics: pulumiStackConfig([...SINGLE_BROKERS], catalog(true)).topics,
      });
    }
    const label = `${size}-${scenario}`;
    const traceFile = path.join(out, `${label}.otel.json`);
    const profileDir = path.join(out, `${label}.cpuprofiles`);
    const before = stateFileBytes(ws, stack);
    const load = os.loadavg()[0]!;
    const started = process.hrtime.bigint();
    const result = await ws.pulumi(
      [...COMMANDS[scenario], "--otel-traces", `file://${traceFile}`],
      {
        stack,
        env: {
          PULUMI_NODEJS_TRANSPILE_ONLY: undefined,
          ...settings.env,
          ...(settings.cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
        },
      },
    );
    const measuredMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (scenario === "change" && !/~ 1 updated/.test(result.output))
      throw new Error(`the one-change up did not update one topic:\n${result.output.slice(-3000)}`);
    const analysis = analyseTrace(parseOtlpLines(fs.readFileSync(traceFile, "utf8")), {
      before,
      after: stateFileBytes(ws, stack),
    });
    traced.push({
      topics: size,
      scenario,
      command: `pulumi ${COMMANDS[scenario].join(" ")}`,
      measuredMs: round(measuredMs),
      load: Math.round(load * 10) / 10,
      analysis,
      cpu: cpuProfiles(profileDir),
    });
    settings.progress(
      `  ${size} topics, ${scenario}: ${(measuredMs / 1000).toFixed(2)} s (load ${load.toFixed(1)})`,
    );
  }
  return traced;
}

// --- report -------------------------------------------------------------------------------------

const share = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
/** Seconds or milliseconds; a statistic of no calls (NaN, `null` once through JSON) is a dash. */
const ms = (value: number | null) =>
  value === null || !Number.isFinite(value)
    ? "–"
    : value >= 1000
      ? `${(value / 1000).toFixed(2)} s`
      : `${value.toFixed(0)} ms`;

/** One command's wall time in the parts of the summary table, summed over its passes. */
export function summaryParts(a: CommandAnalysis): Record<string, number> {
  const sum = (pick: (pass: PassBreakdown) => number) =>
    a.passes.reduce((total, pass) => total + pick(pass), 0);
  const firstCalls = sum((pass) => pass.firstCallMs);
  return {
    "CLI outside the passes": a.outsidePassesMs,
    "program start (host, node, SDK, ts-node)": sum((pass) => pass.programStartMs),
    "program alone (its modules, top level, exit)": sum((pass) => pass.programOnlyMs),
    "provider process start": sum((pass) => pass.pluginStartBeforeStepsMs + pass.pluginStartMs),
    "first provider call (loads the runtime)": firstCalls,
    "other provider calls in flight": sum((pass) => pass.providerCallsMs) - firstCalls,
    "checkpoint I/O only": sum((pass) => pass.checkpointIoMs),
    "engine alone": sum((pass) => pass.engineOnlyMs),
  };
}

/** Every command in one table: the share of its wall time (from its trace) in each part. */
export function formatSummary(traced: readonly TracedCommand[]): string {
  const labels = Object.keys(summaryParts(traced[0]!.analysis));
  return [
    `| topics | command | wall | load | ${labels.join(" | ")} |`,
    `| --- | --- | --- | --- | ${labels.map(() => "---").join(" | ")} |`,
    ...traced.map((entry) => {
      const parts = Object.values(summaryParts(entry.analysis));
      const cells = parts.map((value) => share(value, entry.analysis.wallMs));
      return `| ${entry.topics} | ${entry.scenario}: \`${entry.command}\` | ${ms(entry.analysis.wallMs)} | ${entry.load} | ${cells.join(" | ")} |`;
    }),
  ].join("\n");
}

export function formatTraced(traced: readonly TracedCommand[]): string {
  const lines: string[] = traced.length > 0 ? [formatSummary(traced)] : [];
  for (const entry of traced) {
    const { analysis: a } = entry;
    lines.push(
      "",
      `## ${entry.topics} topics, ${entry.scenario}: \`${entry.command}\` — ${ms(entry.measuredMs)} spawn to exit (trace ${ms(a.wallMs)}), load ${entry.load}`,
      "",
      "| part | time | share of the trace |",
      "| --- | --- | --- |",
      `| CLI outside the passes (start-up, backend, snapshot load, final write, exit) | ${ms(a.outsidePassesMs)} | ${share(a.outsidePassesMs, a.wallMs)} |`,
    );
    for (const pass of a.passes) {
      const row = (label: string, value: number) =>
        lines.push(
          `| ${pass.operation} pass: ${label} | ${ms(value)} | ${share(value, a.wallMs)} |`,
        );
      row(
        "program start (host, node, SDK harness, ts-node → Stack registered)",
        pass.programStartMs,
      );
      row("plugin start-up before the first step", pass.pluginStartBeforeStepsMs);
      row("provider calls in flight", pass.providerCallsMs);
      row("checkpoint I/O only", pass.checkpointIoMs);
      row("plugin start-up only", pass.pluginStartMs);
      row("engine alone (registrations waiting; no call, I/O or plugin start)", pass.engineOnlyMs);
      row("program alone (nothing in flight: its top level, its exit)", pass.programOnlyMs);
      lines.push(
        `| ${pass.operation} pass: (registrations: ${pass.registrations} over ${ms(pass.registrationMs)}; first provider call ${ms(pass.firstCallMs)}) | | |`,
      );
    }
    lines.push(
      "",
      "| gRPC | count | most in flight | median | p95 | sum |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    const callRow = (label: string, s: CallStats) =>
      lines.push(
        `| ${label} | ${s.count} | ${s.maxInFlight} | ${ms(s.medianMs)} | ${ms(s.p95Ms)} | ${ms(s.totalMs)} |`,
      );
    callRow("RegisterResource (served)", a.registerResource);
    for (const [method, s] of Object.entries(a.calls)) callRow(`provider ${method}`, s);
    for (const plugin of a.plugins)
      lines.push(
        `| plugin start ${plugin.kind} | ${plugin.count} | | | max ${ms(plugin.maxMs)} | ${ms(plugin.totalMs)} |`,
      );
    const c = a.checkpoints;
    lines.push(
      "",
      `checkpoints: ${c.writes} writes + ${c.backups} backup copies, ${ms(c.ioMs)} of blob I/O; state ${c.stateBytes} B after, ≈${(c.bytesWrittenEstimate / 1024 / 1024).toFixed(1)} MiB written`,
    );
    for (const cpu of entry.cpu) {
      const total = Object.values(cpu.buckets).reduce((sum, value) => sum + value, 0);
      const top = Object.entries(cpu.buckets)
        .sort((x, y) => y[1] - x[1])
        .map(([bucket, value]) => `${bucket} ${share(value, total)}`)
        .join(", ");
      lines.push(`node ${cpu.role} (${ms(cpu.wallMs)} profiled): ${top}`);
    }
  }
  return lines.join("\n");
}

// --- the command --------------------------------------------------------------------------------

export function parseSizes(text: string | undefined): number[] {
  const sizes = (text ?? "").split(",").map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 0))
    throw new UsageError(
      `--sizes must be a comma-separated list of whole numbers ≥ 0, got ${JSON.stringify(text)}`,
    );
  return [...new Set(sizes)];
}

export function benchTraceCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BENCH_TRACE_CLI,
    argv,
    async ({ values }) => {
      const sizes = parseSizes(values.sizes);
      const run = randomBytes(3).toString("hex");
      const out = values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), "apphub-bench-trace-"));
      fs.mkdirSync(out, { recursive: true });
      const brokers = [...SINGLE_BROKERS];
      let ws: PulumiWorkspace | undefined;
      try {
        io.err(`Kafka single peer: ${await startKafka("single")} on ${brokers.join(",")}`);
        ws = await PulumiWorkspace.create("bench-trace");
        io.err(`pulumi ${ws.engine.version}, node ${process.version}, traces in ${out}`);
        const settings: RunSettings = {
          ws,
          out,
          run,
          cpuProf: values["cpu-prof"] === true,
          env: values["skip-checkpoints"] === true ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {},
          progress: (text) => io.err(text),
        };
        const traced: TracedCommand[] = [];
        for (const size of sizes) traced.push(...(await traceSize(settings, size)));
        io.out(values.json === true ? JSON.stringify(traced, null, 2) : formatTraced(traced));
        return EXIT.ok;
      } finally {
        await deleteTestTopics("bench-trace", brokers, (name) =>
          name.startsWith(`bench-trace-${run}.`),
        ).catch((error: unknown) => io.err(`deleting the run's topics failed: ${String(error)}`));
        ws?.dispose();
        if (values.out === undefined) fs.rmSync(out, { recursive: true, force: true });
      }
    },
    io,
  );
}

if (require.main === module) runCli("bench:trace", () => benchTraceCommand(process.argv.slice(2)));
