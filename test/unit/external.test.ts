import { describe, expect, it } from "vitest";
import type { ConfigIssue } from "../../src/config/schema";
import { configIssues, validConfig } from "../support/config";

const keys = (found: ConfigIssue[]) => found.map((issue) => issue.key);
const EXTERNAL = {
  environment: "external",
  kafka: { brokers: ["redpanda.example.internal:9092"] },
};

describe("environment external (an existing cluster: topics and env injection only)", () => {
  it("requires kafka.brokers, naming the key and what is expected", () => {
    const found = configIssues({ environment: "external" });
    expect(keys(found)).toEqual(["apphub-streaming:kafka.brokers"]);
    expect(found[0]?.message).toContain('"host:port" list');
  });

  it("defaults to a three-broker cluster: replication 3, no backup, topics not protected", () => {
    const config = validConfig(EXTERNAL);
    expect(config.brokerCount).toBe(3);
    expect(new Set(config.topics.map((topic) => topic.replicationFactor))).toEqual(new Set([3]));
    expect(config.backup.enabled).toBe(false);
    expect(config.protectTopics).toBe(false);
    expect(config.kafka.brokers).toEqual(["redpanda.example.internal:9092"]);
  });

  it("takes the broker count from kafka.brokerCount, which bounds and defaults replication", () => {
    const single = validConfig({ ...EXTERNAL, kafka: { ...EXTERNAL.kafka, brokerCount: 1 } });
    expect(new Set(single.topics.map((topic) => topic.replicationFactor))).toEqual(new Set([1]));

    const found = configIssues({
      ...EXTERNAL,
      kafka: { ...EXTERNAL.kafka, brokerCount: 1 },
      topics: { "apphub.core.events": { replicationFactor: 3 } },
    });
    expect(keys(found)).toEqual(["apphub-streaming:topics.apphub.core.events.replicationFactor"]);
    expect(found[0]?.message).toContain("at most 1");
  });

  it("refuses settings for brokers it does not deploy, each by key, in one report", () => {
    const found = configIssues({
      ...EXTERNAL,
      cluster: { replicas: 3 },
      dev: { kafkaPort: 19092 },
      backup: { enabled: true, bucketName: "snapshots" },
    });
    expect(keys(found).sort()).toEqual([
      "apphub-streaming:backup.enabled",
      "apphub-streaming:cluster",
      "apphub-streaming:dev",
    ]);
  });

  it("needs the pods' broker address when it injects the streaming env", () => {
    expect(keys(configIssues({ ...EXTERNAL, streaming: { enabled: true } }))).toEqual([
      "apphub-streaming:streaming.brokerUrl",
    ]);
    const config = validConfig({
      ...EXTERNAL,
      streaming: { enabled: true, brokerUrl: "redpanda.example.internal:9092" },
    });
    expect(config.streaming.brokerUrl).toBe("redpanda.example.internal:9092");
  });

  it("keeps kafka.brokerCount to external stacks, where cluster.replicas does not say", () => {
    expect(keys(configIssues({ environment: "dev", kafka: { brokerCount: 1 } }))).toEqual([
      "apphub-streaming:kafka.brokerCount",
    ]);
  });
});
