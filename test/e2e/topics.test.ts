// The topic catalog through the real Pulumi CLI (file backend, `environment: external`) against
// the single Kafka peer, as an operator runs it. One stack, ordered cases, each asserting what
// the CLI prints and what the broker holds (checked with an independent kafkajs admin client):
// up then a clean preview; a retention edit reads as one in-place update; drift by hand is
// recorded by refresh, reported and put back; a partition decrease fails the preview; destroy
// retains every topic but the one marked `deletionPolicy: delete`.
//
// The seed's seven topics are declared under a per-run prefix (the seed names nulled) because the
// broker is shared with other suites and retained topics outlive a run; partitions, retentions
// and the deletion policy are the seed's. The preview text of the retention change is saved to
// `$E2E_ARTIFACTS_DIR/retention-preview.txt` (default `out/e2e/`) for docs/operator-workflows.md.
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_TOPICS } from "../../src/topics/catalog";
import { seedTopicsOff } from "../support/config";
import { SINGLE_BROKERS } from "../peers/kafka";
import { repoRoot } from "../peers/proc";
import { PulumiWorkspace, uniqueStack } from "./support/pulumi";

const PREFIX = `e2e-${randomBytes(3).toString("hex")}`;
const topic = (seedName: string) => `${PREFIX}.${seedName}`;
const TELEMETRY = topic("apphub.ingestion.telemetry");
const WORKFLOW_EVENTS = topic("apphub.workflows.events");
const JOB_RUNS = topic("apphub.jobs.runs");
const CORE_EVENTS = topic("apphub.core.events");
const SCRATCH = `${PREFIX}.scratch`;
const ARTIFACTS = process.env.E2E_ARTIFACTS_DIR ?? path.join(repoRoot(), "out", "e2e");

/** Each case runs the CLI up to three times; a loaded machine needs minutes per run. */
const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;
const stack = uniqueStack("topics");

/** The stack's topics: the seed's seven under the prefix, plus one scratch topic that may be deleted. */
function topicsConfig(
  overrides: Record<string, Record<string, unknown>> = {},
): Record<string, unknown> {
  const topics: Record<string, unknown> = seedTopicsOff();
  for (const seed of SEED_TOPICS)
    topics[topic(seed.name)] = {
      partitions: seed.partitions,
      retentionMs: seed.retentionMs,
      ...(overrides[seed.name] ?? {}),
    };
  topics[SCRATCH] = { partitions: 1, retentionMs: 3_600_000, deletionPolicy: "delete" };
  return topics;
}

function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin("e2e-topics", SINGLE_BROKERS, use);
}

async function liveTopics(): Promise<string[]> {
  return withAdmin(async (admin) =>
    (await admin.listTopics()).filter((name) => name.startsWith(`${PREFIX}.`)).sort(),
  );
}

async function overrides(name: string): Promise<Record<string, string | null>> {
  return withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name }],
    });
    return Object.fromEntries(
      (resources[0]?.configEntries ?? [])
        .filter((entry) => entry.configSource === 1)
        .map((entry) => [entry.configName, entry.configValue]),
    );
  });
}

async function partitionCount(name: string): Promise<number> {
  return withAdmin(
    async (admin) =>
      (await admin.fetchTopicMetadata({ topics: [name] })).topics[0]?.partitions.length ?? 0,
  );
}

/** `rpk topic alter-config --set`: the topic's other overrides are sent back unchanged. */
async function setByHand(name: string, changes: Record<string, string>): Promise<void> {
  const current = Object.fromEntries(
    Object.entries(await overrides(name)).filter(
      (entry): entry is [string, string] => entry[1] !== null,
    ),
  );
  await withAdmin((admin) =>
    admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name,
          configEntries: Object.entries({ ...current, ...changes }).map(([key, value]) => ({
            name: key,
            value,
          })),
        },
      ],
    }),
  );
}

/** Resource step lines of a `preview --diff`, e.g. `~ pulumi-nodejs:dynamic/streaming:KafkaTopic: (update)`. */
function stepLines(output: string): string[] {
  return output
    .split("\n")
    .filter((line) =>
      /: \((create|update|replace|delete|create-replacement|delete-replaced|read|import)\)\s*$/.test(
        line,
      ),
    );
}

beforeAll(async () => {
  ws = await PulumiWorkspace.create("topics");
  await ws.initStack(stack, {
    environment: "external",
    kafka: { brokers: SINGLE_BROKERS, brokerCount: 1, connectTimeoutMs: 30_000 },
    topics: topicsConfig(),
  });
});

afterAll(async () => {
  ws?.dispose();
  await deleteTestTopics("e2e-topics", SINGLE_BROKERS, (topic) => topic.startsWith(`${PREFIX}.`));
});

describe("topics through the real Pulumi CLI (single broker)", () => {
  it(
    "pulumi up creates the seven topics (and the scratch one), then preview --expect-no-changes passes",
    async () => {
      const up = await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
      expect(up.output).toMatch(/\+ 10 created/);
      expect(await liveTopics()).toEqual(
        [...SEED_TOPICS.map((seed) => topic(seed.name)), SCRATCH].sort(),
      );
      for (const seed of SEED_TOPICS) {
        expect(await partitionCount(topic(seed.name))).toBe(seed.partitions);
        expect((await overrides(topic(seed.name)))["retention.ms"]).toBe(String(seed.retentionMs));
      }
      await ws.pulumi(["preview", "--expect-no-changes"], { stack });

      // Small state: every topic's record (provider shim, inputs, outputs) is at most 8 KB.
      const { deployment } = await ws.exportState(stack);
      const records = (deployment.deployment.resources ?? []).filter(
        (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
      );
      expect(records).toHaveLength(8);
      for (const record of records)
        expect(JSON.stringify(record).length).toBeLessThanOrEqual(8 * 1024);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a retention edit previews as exactly one in-place update with the old and new value, and up applies only that key",
    async () => {
      ws.writeConfig(stack, {
        topics: topicsConfig({ "apphub.ingestion.telemetry": { retentionMs: 86_400_000 } }),
      });
      const preview = await ws.pulumi(["preview", "--diff"], { stack });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(path.join(ARTIFACTS, "retention-preview.txt"), preview.stdout);

      expect(preview.stdout.match(/\(update\)/g)).toHaveLength(1);
      expect(preview.stdout).toContain(`[id=${TELEMETRY}]`);
      expect(preview.stdout).toContain('retention.ms: "259200000" => "86400000"');
      expect(preview.stdout).toMatch(/~ 1 to update/);
      expect(preview.stdout).not.toMatch(
        /to create|to replace|to delete|\((create|replace|delete)[^)]*\)/,
      );
      expect(stepLines(preview.stdout)).toHaveLength(1);

      // An override set by hand after the preview, before the apply, survives the update.
      await setByHand(TELEMETRY, { "max.message.bytes": "2097152" });
      const up = await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
      expect(up.output).toMatch(/~ 1 updated/);
      expect(await overrides(TELEMETRY)).toMatchObject({
        "retention.ms": "86400000",
        "max.message.bytes": "2097152",
      });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "drift by hand: refresh records retention and added partitions, the preview puts retention back and reports the partitions",
    async () => {
      await setByHand(WORKFLOW_EVENTS, { "retention.ms": "3600000" });
      await withAdmin((admin) =>
        admin.createPartitions({ topicPartitions: [{ topic: JOB_RUNS, count: 8 }] }),
      );

      const refresh = await ws.pulumi(["refresh", "--yes"], { stack });
      expect(refresh.code).toBe(0);
      // The provider talks to the broker here; kafkajs's clock warning must not reach the output.
      expect(refresh.output).not.toContain("TimeoutNegativeWarning");
      const { deployment } = await ws.exportState(stack);
      const byId = new Map(
        (deployment.deployment.resources ?? []).map((resource) => [resource.id, resource]),
      );
      expect(byId.get(WORKFLOW_EVENTS)?.outputs?.config).toEqual({ "retention.ms": "3600000" });
      expect(byId.get(JOB_RUNS)?.outputs).toMatchObject({ partitions: 6, livePartitions: 8 });

      const preview = await ws.pulumi(["preview", "--diff"], { stack });
      expect(preview.stdout).toContain(`[id=${WORKFLOW_EVENTS}]`);
      expect(preview.stdout).toContain('retention.ms: "3600000" => "604800000"');
      expect(preview.stdout).toMatch(/~ 1 to update/);
      expect(preview.output).toContain(
        `${JOB_RUNS} has 8 partitions on the broker but the stack says 6 (added outside Pulumi, recorded by refresh). ` +
          `Kafka cannot remove partitions, so they stay; set apphub-streaming:topics.${JOB_RUNS}.partitions to 8`,
      );
      expect(preview.stdout).not.toMatch(/partitions\s*:\s*8 => 6/);

      await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
      expect((await overrides(WORKFLOW_EVENTS))["retention.ms"]).toBe("604800000");
      expect(await partitionCount(JOB_RUNS)).toBe(8);
      // The topics output is built from the resources' outputs: it shows what the broker has.
      const outputs = await ws.outputs(stack);
      const topics = outputs.topics as Record<string, { partitions: number; retentionMs: number }>;
      expect(topics[JOB_RUNS]?.partitions).toBe(8);
      expect(topics[WORKFLOW_EVENTS]?.retentionMs).toBe(604_800_000);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a partition decrease in the stack file fails the preview with the reason and the topic, and the broker is untouched",
    async () => {
      ws.writeConfig(stack, {
        topics: topicsConfig({
          "apphub.ingestion.telemetry": { retentionMs: 86_400_000 },
          "apphub.core.events": { partitions: 4 },
        }),
      });
      const preview = await ws.pulumi(["preview"], { stack, allowFailure: true });
      expect(preview.code).not.toBe(0);
      expect(preview.output).toContain(
        `cannot decrease partitions of ${CORE_EVENTS} from 6 to 4: Kafka cannot shrink a topic's partitions`,
      );
      expect(await partitionCount(CORE_EVENTS)).toBe(6);
      ws.writeConfig(stack, {
        topics: topicsConfig({ "apphub.ingestion.telemetry": { retentionMs: 86_400_000 } }),
      });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "destroy leaves every retained topic on the broker and deletes the deletionPolicy: delete one",
    async () => {
      const destroy = await ws.pulumi(["destroy", "--yes", "--skip-preview"], { stack });
      expect(destroy.output).toMatch(/delete\[retain\]|deleted \([0-9.]+s\)\[retain\]/);
      expect(await liveTopics()).toEqual(SEED_TOPICS.map((seed) => topic(seed.name)).sort());
    },
    RUN_TIMEOUT_MS,
  );
});
