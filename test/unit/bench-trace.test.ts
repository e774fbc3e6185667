/**
 * `npm run bench:trace`: how it reads an `--otel-traces` file and splits a command's wall time.
 * The spans here are written as Pulumi 3.274.1 writes them (one OTLP JSON export per line).
 */
import { describe, expect, it } from "vitest";
import {
  analyseTrace,
  cpuBucket,
  coveredMs,
  maxOverlap,
  parseOtlpLines,
  parseSizes,
  summaryParts,
} from "../../bench/trace";

const T0 = 1_800_000_000_000; // ms since the epoch

/** One export line holding one span of `service`, times in ms after T0. */
function line(
  service: string,
  name: string,
  start: number,
  end: number,
  attributes: Record<string, string> = {},
): string {
  const nanos = (ms: number) => (BigInt(T0 + ms) * 1_000_000n).toString();
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                name,
                startTimeUnixNano: nanos(start),
                endTimeUnixNano: nanos(end),
                attributes: Object.entries(attributes).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
              },
            ],
          },
        ],
      },
    ],
  });
}

const GRPC = { "rpc.system": "grpc" };
const REGISTER = "pulumirpc.ResourceMonitor/RegisterResource";

/**
 * A no-op preview of two topics: the CLI runs 0–1000 ms, the pass 100–900; the Stack registers at
 * 300, the program's top level runs until 500, both topics register at 500 and wait; the provider
 * starts 500–600; Check/Diff run one at a time 600–800; nothing is in flight 800–900.
 */
const PREVIEW = [
  line("pulumi-cli", "pulumi", 0, 1000),
  line("pulumi-cli", "pulumi-plan", 100, 900, { operation: "update" }),
  line("pulumi-cli", REGISTER, 300, 310, GRPC),
  line("pulumi-cli", REGISTER, 500, 750, GRPC),
  line("pulumi-cli", REGISTER, 500, 800, GRPC),
  line("pulumi-cli", "newPlugin", 500, 600, { kind: "resource", prefix: "pulumi-nodejs" }),
  line("pulumi-cli", "pulumirpc.ResourceProvider/Check", 600, 700, GRPC),
  line("pulumi-cli", "pulumirpc.ResourceProvider/Diff", 700, 750, GRPC),
  line("pulumi-cli", "pulumirpc.ResourceProvider/Check", 750, 770, GRPC),
  line("pulumi-cli", "pulumirpc.ResourceProvider/Diff", 780, 800, GRPC),
  line("pulumi-language-host", "/pulumirpc.ResourceMonitor/RegisterResource", 299, 311),
].join("\n");

describe("bench:trace", () => {
  it("measures the union of intervals within a window, and the most open at once", () => {
    expect(
      coveredMs(
        [
          [0, 10],
          [5, 20],
          [30, 40],
        ],
        0,
        35,
      ),
    ).toBe(25);
    expect(
      maxOverlap([
        [0, 10],
        [5, 20],
        [10, 30],
      ]),
    ).toBe(2);
  });

  it("reads every span of an OTLP JSON file with its service and times", () => {
    const spans = parseOtlpLines(`${PREVIEW}\n`);
    expect(spans).toHaveLength(11);
    expect(spans[0]).toMatchObject({
      name: "pulumi",
      service: "pulumi-cli",
      start: T0,
      end: T0 + 1000,
    });
  });

  it("splits a pass into program start, provider calls, plugin start, engine and program alone", () => {
    const analysis = analyseTrace(parseOtlpLines(PREVIEW), { before: 1000, after: 1000 });
    expect(analysis.wallMs).toBe(1000);
    expect(analysis.outsidePassesMs).toBe(200);
    const [pass] = analysis.passes;
    expect(pass).toMatchObject({
      operation: "update",
      programStartMs: 200,
      registrations: 3,
      registrationMs: 200,
      providerCallsMs: 190,
      pluginStartMs: 100,
      checkpointIoMs: 0,
      // 300–310 (the Stack's registration) and 770–780 (a topic waits, no call in flight)
      engineOnlyMs: 20,
      // 310–500 (the program's top level) and 800–900 (its exit)
      programOnlyMs: 290,
      firstCallMs: 100,
    });
    const parts =
      pass!.programStartMs +
      pass!.pluginStartBeforeStepsMs +
      pass!.providerCallsMs +
      pass!.checkpointIoMs +
      pass!.pluginStartMs +
      pass!.engineOnlyMs +
      pass!.programOnlyMs;
    expect(parts + analysis.outsidePassesMs).toBe(analysis.wallMs);
    const summary = summaryParts(analysis);
    expect(Object.values(summary).reduce((sum, value) => sum + value, 0)).toBe(analysis.wallMs);
    expect(summary["first provider call (loads the runtime)"]).toBe(100);
    expect(analysis.calls.Check).toEqual({
      count: 2,
      maxInFlight: 1,
      medianMs: 60,
      p95Ms: 100,
      totalMs: 120,
    });
    expect(analysis.registerResource.maxInFlight).toBe(2);
    expect(analysis.plugins).toEqual([
      { kind: "resource:pulumi-nodejs", count: 1, totalMs: 100, maxMs: 100 },
    ]);
  });

  it("counts checkpoint writes and estimates their bytes from the state before and after", () => {
    const trace = [
      PREVIEW,
      line("pulumi-cli", "gocloud.dev/blob.Copy", 805, 810),
      line("pulumi-cli", "gocloud.dev/blob.NewWriter", 810, 830),
      line("pulumi-cli", "gocloud.dev/blob.NewWriter", 840, 850),
    ].join("\n");
    const analysis = analyseTrace(parseOtlpLines(trace), { before: 1000, after: 3000 });
    expect(analysis.checkpoints).toEqual({
      writes: 2,
      backups: 1,
      ioMs: 35,
      stateBytes: 3000,
      bytesWrittenEstimate: 4000,
    });
    expect(analysis.passes[0]!.checkpointIoMs).toBe(35);
  });

  it("refuses a file that is not an --otel-traces trace", () => {
    expect(() => analyseTrace([], { before: 0, after: 0 })).toThrow(/--otel-traces/);
  });

  it("sorts CPU profile samples by where their code lives", () => {
    expect(
      cpuBucket("transpileModule", "file:///p/node_modules/typescript/lib/typescript.js"),
    ).toBe("TypeScript compiler");
    expect(cpuBucket("x", "file:///p/node_modules/@pulumi/pulumi/output.js")).toBe("Pulumi SDK");
    expect(cpuBucket("wrapSafe", "node:internal/modules/cjs/loader")).toBe("Node module loader");
    expect(cpuBucket("declareTopics", "file:///p/src/topics/declare.ts")).toBe("this project");
    expect(cpuBucket("(garbage collector)", "")).toBe("GC");
  });

  it("takes sizes from 0 up and refuses anything else with the option's name", () => {
    expect(parseSizes("0,7,200,7")).toEqual([0, 7, 200]);
    expect(() => parseSizes("7,-1")).toThrow(/--sizes/);
    expect(() => parseSizes("x")).toThrow(/--sizes/);
  });
});
