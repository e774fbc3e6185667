/**
 * `npm run bench:topics [-- --brokers <csv>] [--sizes 7,200] [--partitions 6] [--repeat 9]`
 * (`--help`: the options; exit codes: src/cli/kit.ts)
 *
 * For each catalog size, measures the topic engine against a baseline of the shape of the
 * compose stack's `rpk topic create || rpk topic describe` loop — one admin connection, then
 * one request per topic — and prints both, with their ratios, from the same run:
 *
 * - cold apply: create every topic (ours: plan, validate, one batched CreateTopics, verify;
 *   baseline: one CreateTopics request per topic);
 * - no-op plan: read every topic's state (ours: one Metadata + one DescribeConfigs; baseline:
 *   one DescribeConfigs per topic);
 * - one-retention-change apply: change one topic's retention (ours: plan, validate, one
 *   IncrementalAlterConfigs, verify; baseline: one DescribeConfigs per topic to find the
 *   difference, then one IncrementalAlterConfigs).
 *
 * Every measurement includes opening the connection, as every CLI run does. Runs against the
 * single peer broker by default and deletes every topic it created (all named
 * `apphub-bench.<run id>.…`) before it exits, also on failure or Ctrl-C.
 */
import { randomUUID } from "node:crypto";
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
import { applyPlans, planTopics } from "../src/topics/engine";
import { withSession, type KafkaSession } from "../src/topics/kafka";
import type { ConnectionSettings, DesiredTopic } from "../src/topics/model";
import { SINGLE_BROKERS } from "../test/peers/kafka";

/** The catalogs both topic benches measure: 7 topics (the seed's) and 200, 6 partitions each. */
export const CATALOG_SHAPE = {
  sizes: {
    type: "string",
    description: "catalog sizes to measure, comma-separated",
    value: "<n,...>",
    default: "7,200",
  },
  partitions: { type: "string", description: "partitions per topic", value: "<n>", default: "6" },
} as const;

export const BENCH_TOPICS_CLI = defineCli({
  name: "bench:topics",
  summary:
    "Measures the topic engine (cold apply, no-op plan, one retention change) against a one-request-per-topic baseline in the same run, and prints both with their ratios. Deletes every topic it created.",
  usage: ["[--brokers <csv>] [--sizes <n,...>] [--partitions <n>] [--repeat <n>]"],
  options: {
    brokers: {
      type: "string",
      description: "the broker(s) to measure on",
      value: "<csv>",
      default: SINGLE_BROKERS.join(","),
    },
    ...CATALOG_SHAPE,
    repeat: {
      type: "string",
      description: "measured pairs per scenario (median reported)",
      value: "<n>",
      default: "9",
    },
  },
});

const RUN_ID = randomUUID().slice(0, 8);
const BENCH_PREFIX = `apphub-bench.${RUN_ID}`;
const RETENTION_A = "604800000";
const RETENTION_B = "259200000";

interface Measurement {
  ms: number;
  requests: number;
}

interface Row {
  topics: number;
  scenario: string;
  ours: Measurement;
  baseline: Measurement;
}

const created = new Set<string>();

function settingsFor(brokers: string[]): ConnectionSettings {
  return {
    brokers,
    clientId: "apphub-bench",
    connectTimeoutMs: 5000,
    requestTimeoutMs: 60000,
    tls: { enabled: false, rejectUnauthorized: true },
  };
}

/** Opens a connection, runs `work`, and reports wall time and Kafka requests (ApiVersions included). */
async function measure(
  settings: ConnectionSettings,
  work: (session: KafkaSession) => Promise<void>,
): Promise<Measurement> {
  let requests = 0;
  const started = process.hrtime.bigint();
  await withSession(settings, undefined, work, () => {
    requests += 1;
  });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, requests };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Runs ours and the baseline alternately `times` times after one unmeasured warm-up pair, so
 * both see the same broker conditions; reports the medians.
 */
async function paired(
  times: number,
  ours: (index: number) => Promise<Measurement>,
  baseline: (index: number) => Promise<Measurement>,
): Promise<{ ours: Measurement; baseline: Measurement }> {
  const results = { ours: [] as Measurement[], baseline: [] as Measurement[] };
  for (let index = 0; index <= times; index += 1) {
    const first = await ours(index);
    const second = await baseline(index);
    if (index === 0) continue;
    results.ours.push(first);
    results.baseline.push(second);
  }
  const summary = (list: Measurement[]) => ({
    ms: median(list.map((entry) => entry.ms)),
    requests: median(list.map((entry) => entry.requests)),
  });
  return { ours: summary(results.ours), baseline: summary(results.baseline) };
}

function catalog(kind: "ours" | "base", size: number, partitions: number): DesiredTopic[] {
  return Array.from({ length: size }, (_, index) => ({
    name: `${BENCH_PREFIX}.n${size}.${kind}.t${String(index).padStart(3, "0")}`,
    partitions,
    replicationFactor: 1,
    config: { "retention.ms": RETENTION_A },
    deletionPolicy: "delete",
  }));
}

async function benchSize(
  settings: ConnectionSettings,
  size: number,
  partitions: number,
  repeat: number,
): Promise<Row[]> {
  const ours = catalog("ours", size, partitions);
  const base = catalog("base", size, partitions);
  for (const topic of [...ours, ...base]) created.add(topic.name);

  const coldOurs = await measure(settings, async (session) => {
    const { plans } = await planTopics(session, ours);
    await applyPlans(session, plans);
  });
  const coldBase = await measure(settings, async (session) => {
    for (const topic of base) {
      await session.createTopics(
        [
          {
            name: topic.name,
            partitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            config: topic.config,
          },
        ],
        false,
      );
    }
  });

  // Not measured: the baseline does not wait for its creates to become visible; let them settle.
  await settle(
    settings,
    base.map((topic) => topic.name),
  );

  const plan = await paired(
    repeat,
    () =>
      measure(settings, async (session) => {
        const { plans } = await planTopics(session, ours);
        if (plans.some((entry) => entry.action !== "noop"))
          throw new Error("bench: the no-op plan found changes");
      }),
    () =>
      measure(settings, async (session) => {
        for (const topic of base) await session.describeTopicConfigs([topic.name]);
      }),
  );

  // Alternate the first topic's retention so every repetition is a real change.
  const retentionFor = (index: number) => (index % 2 === 0 ? RETENTION_B : RETENTION_A);
  const change = await paired(
    repeat,
    (index) =>
      measure(settings, async (session) => {
        const changed = ours.map((topic, position) =>
          position === 0 ? { ...topic, config: { "retention.ms": retentionFor(index) } } : topic,
        );
        const { plans } = await planTopics(session, changed);
        if (plans.filter((entry) => entry.action === "update").length !== 1)
          throw new Error("bench: expected exactly one update");
        await applyPlans(session, plans);
      }),
    (index) =>
      measure(settings, async (session) => {
        for (const topic of base) await session.describeTopicConfigs([topic.name]);
        const first = base[0];
        if (first)
          await session.alterTopicConfigs(
            [{ name: first.name, set: { "retention.ms": retentionFor(index) } }],
            false,
          );
      }),
  );

  return [
    { topics: size, scenario: "cold apply", ours: coldOurs, baseline: coldBase },
    { topics: size, scenario: "no-op plan", ...plan },
    { topics: size, scenario: "one-retention-change apply", ...change },
  ];
}

async function settle(settings: ConnectionSettings, names: readonly string[]): Promise<void> {
  await withSession(settings, undefined, async (session) => {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const snapshot = await session.metadata(names);
      if (
        names.every((name) =>
          (snapshot.topics.get(name) ?? []).some((partition) => partition.leader >= 0),
        )
      ) {
        await session.describeTopicConfigs(names);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error("bench: the baseline's topics did not appear");
  });
}

/**
 * Deletes every topic this run created. A create the broker acknowledged can take seconds to
 * show in its metadata, so this keeps looking until none of them has been seen for a while.
 */
async function cleanup(settings: ConnectionSettings, io: Io): Promise<void> {
  const names = [...created].filter((name) => name.startsWith(`${BENCH_PREFIX}.`));
  if (names.length === 0) return;
  let deleted = 0;
  await withSession(settings, undefined, async (session) => {
    let quietRounds = 0;
    for (let round = 0; round < 60 && quietRounds < 3; round += 1) {
      const present = [...(await session.metadata(names)).topics.keys()];
      if (present.length === 0) {
        quietRounds += 1;
      } else {
        quietRounds = 0;
        for (let start = 0; start < present.length; start += 100) {
          const batch = present.slice(start, start + 100);
          // A topic already being deleted answers with an error; the next round checks again.
          await session.deleteTopics(batch).then(
            () => (deleted += batch.length),
            () => undefined,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  io.err(`bench: deleted ${deleted} bench topics (${BENCH_PREFIX}.*)`);
  created.clear();
}

function table(rows: Row[]): string {
  const header = [
    "topics",
    "scenario",
    "ours ms",
    "ours req",
    "baseline ms",
    "baseline req",
    "time ratio",
    "request ratio",
  ];
  const body = rows.map((row) => [
    String(row.topics),
    row.scenario,
    row.ours.ms.toFixed(1),
    String(row.ours.requests),
    row.baseline.ms.toFixed(1),
    String(row.baseline.requests),
    `${(row.baseline.ms / row.ours.ms).toFixed(2)}x`,
    `${(row.baseline.requests / row.ours.requests).toFixed(2)}x`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join(
    "\n",
  );
}

export function benchTopicsCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BENCH_TOPICS_CLI,
    argv,
    async ({ values }) => {
      const { brokers } = asUsage(() => resolveBrokers({ flag: values.brokers ?? "", env: {} }));
      const settings = settingsFor(brokers);
      const sizes = (values.sizes ?? "").split(",").map((size) => positiveInteger("sizes", size));
      const partitions = positiveInteger("partitions", values.partitions ?? "");
      const repeat = positiveInteger("repeat", values.repeat ?? "");

      const interrupted = () => {
        void cleanup(settings, io).finally(() => process.exit(130));
      };
      process.once("SIGINT", interrupted);
      process.once("SIGTERM", interrupted);

      const rows: Row[] = [];
      try {
        for (const size of sizes)
          rows.push(...(await benchSize(settings, size, partitions, repeat)));
      } finally {
        await cleanup(settings, io);
      }
      io.out(
        `bench:topics on ${settings.brokers.join(",")}: ${partitions} partitions per topic, replication 1, median of ${repeat} alternating pairs (after a warm-up pair) for plan and change, every run opening its own connection\n` +
          "baseline = one admin connection + one request per topic (the rpk create/describe loop); ratio = baseline / ours (above 1x: ours is faster or sends fewer requests)\n\n" +
          table(rows),
      );
      return EXIT.ok;
    },
    io,
  );
}

if (require.main === module)
  runCli("bench:topics", () => benchTopicsCommand(process.argv.slice(2)));
