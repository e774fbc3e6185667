// The real test peers answer as the product's tests need them to: Kafka metadata on the single
// broker and the three-broker cluster, replication factor 3 with a full ISR, and an S3 round trip.
// The kafkajs section pins down why KAFKA_VERSION is the broker version it is (see kafka.ts).
import { randomUUID } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_BROKERS, SINGLE_BROKERS } from "../peers/kafka";
import { waitUntil } from "../peers/proc";
import { s3Client } from "../peers/s3";

function kafkaFor(brokers: string[]): Kafka {
  return new Kafka({ clientId: "peers-test", brokers, logLevel: logLevel.NOTHING });
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function withAdmin<T>(brokers: string[], use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaFor(brokers).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function topicConfig(
  admin: Admin,
  topic: string,
  names: string[],
): Promise<Record<string, string | null>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
  });
  return Object.fromEntries(
    resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]),
  );
}

describe("single broker peer", () => {
  it("lists one broker and a controller in its metadata", async () => {
    const cluster = await withAdmin(SINGLE_BROKERS, (admin) => admin.describeCluster());
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(SINGLE_BROKERS);
    expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
  });
});

describe("three-broker cluster peer", () => {
  it("lists three brokers and a controller in its metadata", async () => {
    const cluster = await withAdmin(CLUSTER_BROKERS, (admin) => admin.describeCluster());
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual(
      [...CLUSTER_BROKERS].sort(),
    );
    expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
  });

  it("replicates a replication-factor-3 topic to all three brokers, every replica in sync", async () => {
    const topic = uniqueName("peers-rf3");
    await withAdmin(CLUSTER_BROKERS, async (admin) => {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
        });
        const fullyInSync = async (): Promise<boolean> => {
          const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
          return topics[0].partitions.every((p) => p.replicas.length === 3 && p.isr.length === 3);
        };
        expect(await waitUntil(fullyInSync, 15_000, 250)).toBe(true);
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        expect(topics[0].partitions).toHaveLength(3);
        for (const partition of topics[0].partitions)
          expect([...partition.isr].sort()).toEqual([1, 2, 3]);
      } finally {
        await admin.deleteTopics({ topics: [topic] });
      }
      // Deletion reaches each broker's metadata cache asynchronously.
      expect(
        await waitUntil(async () => !(await admin.listTopics()).includes(topic), 15_000, 250),
      ).toBe(true);
    });
  }, 60_000);
});

describe("S3 peer (moto)", () => {
  const client = s3Client();
  const bucket = uniqueName("peers-test");
  const key = "snapshots/probe.txt";

  afterAll(async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    client.destroy();
  });

  it("stores and returns an object", async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: "hello from the peers test" }),
    );
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body?.transformToString()).toBe("hello from the peers test");
  });
});

describe("kafkajs 2.2.4 against the Kafka peer version", () => {
  let admin: Admin;
  const topics = [uniqueName("peers-compat-a"), uniqueName("peers-compat-b")];
  const [first, second] = topics;

  beforeAll(async () => {
    admin = kafkaFor(CLUSTER_BROKERS).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [
          { name: "retention.ms", value: "604800000" },
          { name: "cleanup.policy", value: "compact" },
        ],
      })),
    });
  }, 60_000);

  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });

  it("describes configs of several topics in one call", async () => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ["retention.ms"],
      })),
    });
    expect(resources.map((r) => [r.resourceName, r.configEntries[0].configValue]).sort()).toEqual(
      topics.map((name) => [name, "604800000"]).sort(),
    );
  });

  it("alterConfigs sends legacy AlterConfigs, which resets overrides left out of the request", async () => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: first,
          configEntries: [{ name: "retention.ms", value: "259200000" }],
        },
      ],
    });
    expect(await topicConfig(admin, first, ["retention.ms", "cleanup.policy"])).toEqual({
      "retention.ms": "259200000",
      "cleanup.policy": "delete",
    });
  });

  it("adds partitions", async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: second, count: 3 }] });
    // New partitions reach the answering broker's metadata cache asynchronously.
    const partitionCount = async () =>
      (await admin.fetchTopicMetadata({ topics: [second] })).topics[0].partitions.length;
    expect(await waitUntil(async () => (await partitionCount()) === 3, 15_000, 250)).toBe(true);
  });

  it("reassigns partitions and lists reassignments", async () => {
    const before = (await admin.fetchTopicMetadata({ topics: [first] })).topics[0].partitions[0]
      .replicas;
    const reversed = [...before].reverse();
    await admin.alterPartitionReassignments({
      topics: [{ topic: first, partitionAssignment: [{ partition: 0, replicas: reversed }] }],
    });
    const reassigned = async (): Promise<boolean> => {
      const inFlight = await admin.listPartitionReassignments({
        topics: [{ topic: first, partitions: [0] }],
      });
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [first] });
      return (
        inFlight.topics.length === 0 &&
        described[0].partitions[0].replicas.join() === reversed.join()
      );
    };
    expect(await waitUntil(reassigned, 20_000, 250)).toBe(true);
  }, 30_000);

  it("round-trips a message through a producer and a consumer group", async () => {
    const kafka = kafkaFor(SINGLE_BROKERS);
    const topic = uniqueName("peers-roundtrip");
    await withAdmin(SINGLE_BROKERS, (single) =>
      single.createTopics({ waitForLeaders: true, topics: [{ topic }] }),
    );
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName("peers-group") });
    try {
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: "k", value: "round trip" }] });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => resolve(message.value?.toString() ?? ""),
        });
      });
      expect(await received).toBe("round trip");
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
      await withAdmin(SINGLE_BROKERS, (single) => single.deleteTopics({ topics: [topic] }));
    }
  }, 60_000);
});
