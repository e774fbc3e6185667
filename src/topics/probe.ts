/**
 * The round-trip probe: produce one message into the dedicated probe topic and consume it
 * back, timing both legs. It never writes into a domain topic (the dev runner's old probe
 * wrote into `apphub.core.events`, the authoritative stream): the topic is checked against
 * the catalog first, and created on first use with a short retention.
 */
import { randomUUID } from "node:crypto";
import { Kafka } from "kafkajs";
import { clientConfig, describeBrokers, withSession } from "./kafka";
import type { ConnectionSettings } from "./model";

/** The probe topic keeps its messages for one hour: they are only ever read back once. */
export const PROBE_RETENTION_MS = 3_600_000;

export interface ProbeOptions {
  /** The dedicated probe topic (`apphub-streaming:probeTopic`). */
  topic: string;
  /** Names of the domain topics; the probe refuses to use any of them. */
  domainTopics: readonly string[];
  /** How long to wait for the message to come back. Default: 15000 ms. */
  timeoutMs?: number;
}

export interface ProbeResult {
  topic: string;
  brokers: string;
  /** Whether this run created the probe topic. */
  createdTopic: boolean;
  partition: number;
  offset: string;
  /** Send until the broker acknowledged it (acks=all). */
  produceMs: number;
  /** Send until the consumer received it. */
  roundTripMs: number;
}

/** Why `topic` may not be used as the probe topic, or undefined. */
export function probeTopicProblem(
  topic: string,
  domainTopics: readonly string[],
): string | undefined {
  if (domainTopics.includes(topic)) {
    return `refusing to probe with ${topic}: it is a domain topic of the catalog; the probe writes only into its dedicated topic (apphub-streaming:probeTopic)`;
  }
  return undefined;
}

export async function probe(
  settings: ConnectionSettings,
  password: string | undefined,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const problem = probeTopicProblem(options.topic, options.domainTopics);
  if (problem) throw new Error(problem);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const topic = options.topic;

  const createdTopic = await withSession(settings, password, async (session) => {
    const snapshot = await session.metadata([topic]);
    if (snapshot.topics.has(topic)) return false;
    const replicationFactor = Math.min(3, snapshot.brokerIds.length);
    await session.createTopics(
      [
        {
          name: topic,
          partitions: 1,
          replicationFactor,
          config: { "retention.ms": String(PROBE_RETENTION_MS) },
        },
      ],
      false,
    );
    return true;
  });

  const kafka = new Kafka(clientConfig(settings, password));
  const groupId = `apphub-probe-${randomUUID()}`;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const admin = kafka.admin();
  const marker = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });

    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
    );
    let sentAt = 0;
    const received = new Promise<number>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === marker) resolve(Date.now() - sentAt);
          },
        })
        .catch(reject);
    });
    received.catch(() => undefined);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `probe message was not received back from ${topic} on ${describeBrokers(settings.brokers)} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });

    await Promise.race([joined, deadline]);
    sentAt = Date.now();
    const [record] = await Promise.race([
      producer.send({ topic, acks: -1, messages: [{ key: "apphub-probe", value: marker }] }),
      deadline,
    ]);
    const produceMs = Date.now() - sentAt;
    if (!record || record.baseOffset === undefined)
      throw new Error(`the broker did not acknowledge the probe message on ${topic}`);
    // Start exactly at the probe message, whatever offset the new group resolved.
    consumer.seek({ topic, partition: record.partition, offset: record.baseOffset });
    const roundTripMs = await Promise.race([received, deadline]);
    return {
      topic,
      brokers: describeBrokers(settings.brokers),
      createdTopic,
      partition: record.partition,
      offset: record.baseOffset,
      produceMs,
      roundTripMs,
    };
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    // The throwaway group held no offsets (autoCommit off); remove it so probes leave nothing behind.
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
  }
}
