// The provider's coalescing against the real single broker, in one process as the engine's
// provider process runs it: concurrent create / read / update calls go out as one batch of Kafka
// requests each (counted on the wire through kafkajs' instrumentation), every resource still gets
// its own result, and a topic the broker refuses fails alone with Kafka's own error while its
// neighbours in the same batch are created.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { ConnectionSettings, KafkaTopicInputs } from "../../src/topics/model";
import { PROVIDER_VERSION } from "../../src/topics/model";
import { provider } from "../../src/topics/providerRuntime";
import { closeAllSessions, configureSessions } from "../../src/topics/sessions";
import { SINGLE_BROKERS } from "../peers/kafka";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";

const PREFIX = `it-batch-${randomUUID().slice(0, 8)}`;
const requests: string[] = [];
const connection: ConnectionSettings = {
  brokers: SINGLE_BROKERS,
  // A client id of its own: a pooled session opened by another test never carries this observer.
  clientId: `${PREFIX}-client`,
  connectTimeoutMs: 5000,
  requestTimeoutMs: 15000,
  tls: { enabled: false, rejectUnauthorized: true },
};
configureSessions({ observer: (api) => requests.push(api) });

function topic(name: string, config: Record<string, string> = {}): KafkaTopicInputs {
  return {
    name: `${PREFIX}.${name}`,
    partitions: 2,
    replicationFactor: 1,
    config: { "retention.ms": "86400000", ...config },
    deletionPolicy: "retain",
    providerVersion: PROVIDER_VERSION,
    connection,
  };
}

/** The Kafka requests `work` sent, by API name. */
async function counted<T>(
  work: () => Promise<T>,
): Promise<{ result: T; sent: Record<string, number> }> {
  requests.length = 0;
  const result = await work();
  const sent: Record<string, number> = {};
  for (const api of requests) sent[api] = (sent[api] ?? 0) + 1;
  return { result, sent };
}

const GOOD = ["a", "b", "c"].map((name) => topic(name));

afterAll(async () => {
  configureSessions({ observer: undefined });
  await closeAllSessions();
  await deleteTestTopics("it-batch", SINGLE_BROKERS, (name) => name.startsWith(`${PREFIX}.`));
});

describe("the provider coalesces concurrent calls into one batch of Kafka requests", () => {
  it("three concurrent creates: one CreateTopics (plus its validation), each its own result", async () => {
    const { result, sent } = await counted(() =>
      Promise.all(GOOD.map((inputs) => provider.create(inputs))),
    );
    expect(result.map((entry) => entry.id)).toEqual(GOOD.map((inputs) => inputs.name));
    for (const entry of result) expect(entry.outs.livePartitions).toBe(2);
    // validate-only + the real request, for all three topics together.
    expect(sent.CreateTopics).toBe(2);
    const live = await withKafkaAdmin("it-batch", SINGLE_BROKERS, (admin) => admin.listTopics());
    for (const inputs of GOOD) expect(live).toContain(inputs.name);
  });

  it("three concurrent reads: one Metadata and one DescribeConfigs", async () => {
    const { result, sent } = await counted(() =>
      Promise.all(GOOD.map((inputs) => provider.read(inputs.name, inputs))),
    );
    expect(result.map((entry) => entry.id)).toEqual(GOOD.map((inputs) => inputs.name));
    expect(sent).toEqual({ Metadata: 1, DescribeConfigs: 1 });
  });

  it("three concurrent updates: one IncrementalAlterConfigs (plus its validation)", async () => {
    const changed = GOOD.map((inputs) => ({ ...inputs, config: { "retention.ms": "3600000" } }));
    const { sent } = await counted(() =>
      Promise.all(
        changed.map((news, index) =>
          provider.update(news.name, GOOD[index] as KafkaTopicInputs, news),
        ),
      ),
    );
    expect(sent.IncrementalAlterConfigs).toBe(2);
    const reread = await Promise.all(changed.map((inputs) => provider.read(inputs.name, inputs)));
    for (const entry of reread) expect(entry.props?.config["retention.ms"]).toBe("3600000");
  });

  it("a topic the broker refuses fails alone, with Kafka's error code; its batch neighbours are created", async () => {
    const refused = topic("refused", { "cleanup.policy": "not-a-policy" });
    const neighbours = [topic("d"), topic("e")];
    const outcomes = await Promise.allSettled(
      [neighbours[0], refused, neighbours[1]].map((inputs) =>
        provider.create(inputs as KafkaTopicInputs),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    const message = ((outcomes[1] as PromiseRejectedResult).reason as Error).message;
    expect(message).toContain(refused.name);
    expect(message).toContain("INVALID_CONFIG");
    expect(message).not.toContain(neighbours[0]?.name);
    const live = await withKafkaAdmin("it-batch", SINGLE_BROKERS, (admin) => admin.listTopics());
    expect(live).toContain(neighbours[0]?.name);
    expect(live).toContain(neighbours[1]?.name);
    expect(live).not.toContain(refused.name);
  });
});
