/**
 * `npm run bench:peer`: its usage (help exits 0, bad usage exits 2 before any peer or engine is
 * touched), the OpenTofu files it writes, and how it turns samples into the table.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { catalogFloorInputs, floorInputs, writeFloorProject } from "../../bench/floor";
import { PROVIDER_VERSION } from "../../src/topics/model";
import {
  benchPeerCommand,
  buildReport,
  formatReport,
  median,
  parseSettings,
  pulumiStackConfig,
  tofuCliConfig,
  tofuConfig,
  tofuInstanceBytes,
  type Measured,
} from "../../bench/peer";
import { runCommand } from "../support/cli";

describe("bench:peer usage", () => {
  it("prints its help and exits 0", async () => {
    const result = await runCommand(benchPeerCommand, ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("npm run bench:peer -- [--sizes 7,200] [--runs 3] [--json]");
    expect(result.stdout).toContain("--runs <n>");
  });

  it.each([
    [["--sizes", "7,abc"], "--sizes must be a comma-separated list"],
    [["--sizes", "0"], "--sizes must be"],
    [["--runs", "0"], '--runs must be a whole number ≥ 1, got "0"'],
    [["--runs", "1.5"], "--runs must be"],
    [["--topics", "7"], "Unknown option '--topics'"],
    [["extra"], "unexpected argument(s): extra"],
  ])("refuses %j with exit 2 and a pointer to --help", async (argv, message) => {
    const result = await runCommand(benchPeerCommand, argv);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("npm run bench:peer -- --help");
    expect(result.stdout).toBe("");
  });

  it("reads sizes and runs, dropping a repeated size", () => {
    expect(parseSettings({ sizes: "7, 200,7", runs: "3" })).toEqual({ sizes: [7, 200], runs: 3 });
  });
});

describe("bench:peer OpenTofu side", () => {
  it("declares every topic with the bench's shape through one for_each", () => {
    const config = tofuConfig(
      ["127.0.0.1:19092"],
      new Map([
        ["bench-peer-x.tofu.2.r0.0", 259200000],
        ["bench-peer-x.tofu.2.r0.1", 604800000],
      ]),
    );
    expect(config).toContain('source = "Mongey/kafka"');
    expect(config).toContain('bootstrap_servers = ["127.0.0.1:19092"]');
    expect(config).toContain("tls_enabled       = false");
    expect(config).toContain('"bench-peer-x.tofu.2.r0.0" = 259200000');
    expect(config).toContain('"bench-peer-x.tofu.2.r0.1" = 604800000');
    expect(config).toMatch(/partitions\s+= 6\n/);
    expect(config).toMatch(/replication_factor = 1\n/);
    expect(config).toContain('"retention.ms" = tostring(each.value)');
  });

  it("points OpenTofu at the built provider and nowhere else for it", () => {
    const rc = tofuCliConfig("/cache/terraform-provider-kafka-v0.13.1/bin");
    expect(rc).toMatch(
      /dev_overrides \{\n\s+"Mongey\/kafka" = "\/cache\/terraform-provider-kafka-v0.13.1\/bin"\n\s+\}/,
    );
    expect(rc).toContain("direct {}");
  });

  it("measures kafka_topic instances of a tfstate as compact JSON", () => {
    const instance = { index_key: "t", attributes: { name: "t", partitions: 6 } };
    const state = JSON.stringify(
      {
        version: 4,
        resources: [
          { type: "kafka_topic", instances: [instance, instance] },
          { type: "null_resource", instances: [{ attributes: { id: "x" } }] },
        ],
      },
      null,
      2,
    );
    expect(tofuInstanceBytes(state)).toEqual([
      JSON.stringify(instance).length,
      JSON.stringify(instance).length,
    ]);
  });
});

describe("bench:peer Pulumi side", () => {
  it("keeps only the bench's topics, with the same shape as the OpenTofu side", () => {
    const config = pulumiStackConfig(
      ["127.0.0.1:19092"],
      new Map([["bench-peer-x.pulumi.1.r0.0", 604800000]]),
    );
    expect(config.environment).toBe("external");
    const topics = config.topics as Record<string, unknown>;
    expect(topics["bench-peer-x.pulumi.1.r0.0"]).toEqual({
      partitions: 6,
      replicationFactor: 1,
      retentionMs: 604800000,
    });
    const others = Object.entries(topics).filter(([name]) => !name.startsWith("bench-peer-"));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every(([, value]) => value === null)).toBe(true);
  });
});

describe("bench:peer engine floor", () => {
  it("declares resources shaped like the Pulumi side's topics, the one change included", () => {
    const topics = new Map([
      ["bench-peer-x.floor.2.r0.0", 259200000],
      ["bench-peer-x.floor.2.r0.1", 604800000],
    ]);
    const inputs = floorInputs(["127.0.0.1:19092"], topics, {
      partitions: 6,
      replicationFactor: 1,
    });
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toMatchObject({
      name: "bench-peer-x.floor.2.r0.0",
      partitions: 6,
      replicationFactor: 1,
      config: { "retention.ms": "259200000" },
      deletionPolicy: "retain",
      providerVersion: PROVIDER_VERSION,
      connection: { brokers: ["127.0.0.1:19092"], connectTimeoutMs: 30000 },
    });
    expect(inputs[1]!.config).toEqual({ "retention.ms": "604800000" });
  });

  it("puts the same topics in one resource for the catalog floor, the connection once", () => {
    const topics = new Map([
      ["bench-peer-x.catalogFloor.2.r0.0", 259200000],
      ["bench-peer-x.catalogFloor.2.r0.1", 604800000],
    ]);
    const [catalog, ...rest] = catalogFloorInputs(["127.0.0.1:19092"], topics, {
      partitions: 6,
      replicationFactor: 1,
    });
    expect(rest).toEqual([]);
    expect(catalog).toMatchObject({
      name: "catalog",
      providerVersion: PROVIDER_VERSION,
      connection: { brokers: ["127.0.0.1:19092"] },
      topics: {
        "bench-peer-x.catalogFloor.2.r0.0": {
          partitions: 6,
          replicationFactor: 1,
          config: { "retention.ms": "259200000" },
          deletionPolicy: "retain",
        },
        "bench-peer-x.catalogFloor.2.r0.1": { config: { "retention.ms": "604800000" } },
      },
    });
    expect(JSON.stringify(catalog!.topics)).not.toContain("connection");
  });

  it("writes a project whose provider answers every call at once", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "floor-unit-"));
    try {
      writeFloorProject(path.resolve(__dirname, "../.."), path.join(dir, "p"));
      const project = path.join(dir, "p");
      expect(fs.readFileSync(path.join(project, "Pulumi.yaml"), "utf8")).toContain(
        "typescript: false",
      );
      expect(JSON.parse(fs.readFileSync(path.join(project, "resources.json"), "utf8"))).toEqual([]);
      const provider = require(path.join(project, "floorProvider.js")) as Record<
        string,
        (...args: unknown[]) => Promise<Record<string, unknown>>
      >;
      const inputs = { name: "t", partitions: 6, __provider: "x" };
      expect(await provider.check!({}, inputs)).toEqual({ inputs });
      expect(await provider.create!(inputs)).toEqual({
        id: "t",
        outs: { name: "t", partitions: 6 },
      });
      expect(await provider.diff!("t", { name: "t", partitions: 6 }, inputs)).toEqual({
        changes: false,
      });
      expect(
        await provider.diff!("t", { name: "t", partitions: 6 }, { ...inputs, partitions: 7 }),
      ).toEqual({
        changes: true,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bench:peer report", () => {
  it("takes medians per side and divides pulumi and both floors by tofu", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const measured: Measured[] = [
      {
        topics: 7,
        scenario: "noop",
        pulumi: [
          { ms: 9000, peakRssBytes: 900 * 1024 * 1024 },
          { ms: 11000, peakRssBytes: 880 * 1024 * 1024 },
          { ms: 30000, peakRssBytes: 950 * 1024 * 1024 },
        ],
        floor: [
          { ms: 6000, peakRssBytes: 500 * 1024 * 1024 },
          { ms: 6600, peakRssBytes: 520 * 1024 * 1024 },
          { ms: 5000, peakRssBytes: 480 * 1024 * 1024 },
        ],
        catalogFloor: [
          { ms: 900, peakRssBytes: 300 * 1024 * 1024 },
          { ms: 600, peakRssBytes: 310 * 1024 * 1024 },
          { ms: 750, peakRssBytes: 290 * 1024 * 1024 },
        ],
        tofu: [
          { ms: 300, peakRssBytes: 60 * 1024 * 1024 },
          { ms: 250, peakRssBytes: 50 * 1024 * 1024 },
          { ms: 1000, peakRssBytes: 40 * 1024 * 1024 },
        ],
      },
    ];
    const report = buildReport(
      measured,
      [{ topics: 7, pulumi: 7000, tofu: 250, tofuFilePerTopic: 400 }],
      3,
      { pulumi: "v3.274.1" },
    );
    expect(report.rows[0]).toMatchObject({
      sides: {
        pulumi: { seconds: 11, peakMiB: 900 },
        floor: { seconds: 6, peakMiB: 500 },
        catalogFloor: { seconds: 0.75, peakMiB: 300 },
        tofu: { seconds: 0.3, peakMiB: 50 },
      },
      ratios: {
        pulumi: { seconds: 36.67, peakMiB: 18 },
        floor: { seconds: 20, peakMiB: 10 },
        catalogFloor: { seconds: 2.5, peakMiB: 6 },
      },
    });
    expect(report.state[0]!.ratio).toBe(28);
    const table = formatReport(report);
    expect(table).toContain(
      "| 7 | no-op `preview` / `plan -refresh=false` | 11.00 s | 6.00 s | 0.75 s | 0.30 s | 36.67x | 20x | 2.5x | 900 MiB | 500 MiB | 300 MiB | 50 MiB | 18x | 10x | 6x |",
    );
    expect(table).toContain(
      "| 7 | state per topic (compact JSON) | 7000 B | | | 250 B | 28x | | | | | | | | | |",
    );
    expect(table).toContain("median of 3 run(s)");
  });
});
