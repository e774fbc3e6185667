// The topic catalog through the real Pulumi CLI against the other Kafka peers:
// - the SASL/SCRAM peer: the password, set with `pulumi config set --secret`, reaches the broker
//   (topics are created over SCRAM) and never appears in plain text in `pulumi stack export`,
//   any file of the backend or the stack file, or anything the CLI printed;
// - the three-broker cluster: the default replication of an external cluster (3) is applied
//   through the engine, every partition with three replicas.
// Two topics per stack (the seed names nulled, a per-run prefix), to keep the CLI runs short.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTopicsOff } from "../support/config";
import { CLUSTER_BROKERS, SASL_BROKERS, SASL_PASSWORD, SASL_USERNAME } from "../peers/kafka";
import { deleteTestTopics, type PeerClient, withKafkaAdmin } from "../support/kafkaAdmin";
import { PulumiWorkspace, type PulumiResult, uniqueStack } from "./support/pulumi";

const PREFIX = `e2e-${randomBytes(3).toString("hex")}`;
const NAMES = [`${PREFIX}.events`, `${PREFIX}.runs`];
const SASL_CLIENT: PeerClient = {
  brokers: SASL_BROKERS,
  sasl: { mechanism: "scram-sha-512", username: SASL_USERNAME, password: SASL_PASSWORD },
};

/** Each case runs the CLI up to three times; a loaded machine needs minutes per run. */
const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;

function topicsConfig(replicationFactor?: number): Record<string, unknown> {
  const topics: Record<string, unknown> = seedTopicsOff();
  for (const name of NAMES)
    topics[name] = {
      partitions: 3,
      retentionMs: 86_400_000,
      ...(replicationFactor ? { replicationFactor } : {}),
    };
  return topics;
}

async function describeTopics(
  client: PeerClient,
): Promise<{ name: string; partitions: { replicas: number[]; isr: number[] }[] }[]> {
  return withKafkaAdmin("e2e-topics-peers", client, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const mine = NAMES.filter((name) => existing.has(name));
    if (mine.length === 0) return [];
    return (await admin.fetchTopicMetadata({ topics: mine })).topics;
  });
}

/** A stack of this file's two topics on an existing cluster (one CLI run per step stays short). */
async function topicsStack(
  label: string,
  kafka: Record<string, unknown>,
  replicationFactor?: number,
): Promise<string> {
  const stack = uniqueStack(label);
  await ws.initStack(stack, {
    environment: "external",
    kafka: { connectTimeoutMs: 30_000, ...kafka },
    topics: topicsConfig(replicationFactor),
  });
  return stack;
}

beforeAll(async () => {
  ws = await PulumiWorkspace.create("topics-peers");
});

afterAll(async () => {
  ws?.dispose();
  const isMine = (topic: string) => NAMES.includes(topic);
  await deleteTestTopics("e2e-topics-peers", SASL_CLIENT, isMine);
  await deleteTestTopics("e2e-topics-peers", CLUSTER_BROKERS, isMine);
});

describe("topics through the real Pulumi CLI on the SASL and three-broker peers", () => {
  it(
    "SASL: the secret password creates the topics over SCRAM and never appears in plain text",
    async () => {
      const stack = await topicsStack("sasl", {
        brokers: SASL_BROKERS,
        brokerCount: 1,
        sasl: { mechanism: "scram-sha-512", username: SASL_USERNAME },
      });
      const printed: PulumiResult[] = [];
      await ws.setSecret(stack, "kafkaSaslPassword", SASL_PASSWORD);
      printed.push(await ws.pulumi(["up", "--yes", "--skip-preview"], { stack }));
      printed.push(await ws.pulumi(["refresh", "--yes"], { stack }));
      printed.push(await ws.pulumi(["preview", "--expect-no-changes", "--diff"], { stack }));

      const topics = await describeTopics(SASL_CLIENT);
      expect(topics.map((entry) => entry.name).sort()).toEqual([...NAMES].sort());

      const exported = await ws.exportState(stack);
      expect(exported.text).not.toContain(SASL_PASSWORD);
      // The password is in state only as a secret (ciphertext), on every topic.
      const records = (exported.deployment.deployment.resources ?? []).filter(
        (resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic",
      );
      expect(records).toHaveLength(2);
      for (const record of records)
        expect(JSON.stringify(record.outputs?.saslPassword)).toContain("ciphertext");
      for (const file of ws.stateFiles())
        expect(fs.readFileSync(file, "utf8"), file).not.toContain(SASL_PASSWORD);
      for (const result of printed) expect(result.output).not.toContain(SASL_PASSWORD);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "three brokers: replication factor 3 through the engine, every partition with three in-sync replicas",
    async () => {
      const stack = await topicsStack("cluster", { brokers: CLUSTER_BROKERS });
      await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
      const topics = await describeTopics({ brokers: CLUSTER_BROKERS });
      expect(topics.map((entry) => entry.name).sort()).toEqual([...NAMES].sort());
      for (const entry of topics) {
        expect(entry.partitions).toHaveLength(3);
        for (const partition of entry.partitions) {
          expect(new Set(partition.replicas).size).toBe(3);
          expect(partition.isr).toHaveLength(3);
        }
      }
      const outputs = await ws.outputs(stack);
      const declared = outputs.topics as Record<string, { replicationFactor: number }>;
      for (const name of NAMES) expect(declared[name]?.replicationFactor).toBe(3);
    },
    RUN_TIMEOUT_MS,
  );
});
