import { describe, expect, it } from "vitest";
import {
  MAX_PARTITIONS,
  dialableHost,
  isLoopbackBroker,
  maxPartitions,
  PARTITION_REPLICAS_PER_CORE,
} from "../../src/config/rules";
import { validateTopicFields } from "../../src/topics/validate";
import { resolveBrokers } from "../../src/topics/cli";
import { configIssues, KUBE_BASICS, validConfig } from "../support/config";

const topic = (partitions: number) => ({
  name: "apphub.audit",
  partitions,
  replicationFactor: 1,
  config: { "retention.ms": "1" },
  deletionPolicy: "retain",
});

describe("one rule, applied alike by the stack config and the provider's check", () => {
  it("refuses partitions: 1000000000000 in the schema, naming the key and the bound", () => {
    const issues = configIssues({
      environment: "dev",
      topics: { "apphub.audit": { partitions: 1_000_000_000_000 } },
    });
    const issue = issues.find(
      (found) => found.key === "apphub-streaming:topics.apphub.audit.partitions",
    );
    expect(issue?.message).toContain(`at most ${MAX_PARTITIONS} partitions`);
    expect(issue?.message).toContain("got 1000000000000");
  });

  it("bounds partitions by the stack's own cluster: brokers × cores × replicas per core ÷ replication", () => {
    const prodLimit = maxPartitions({ brokers: 3, coresPerBroker: 4 }, 3);
    expect(prodLimit).toBe(4 * PARTITION_REPLICAS_PER_CORE);
    const accepted = validConfig({
      environment: "prod",
      ...KUBE_BASICS,
      topics: { "apphub.audit": { partitions: prodLimit } },
    });
    expect(accepted.topics.find((found) => found.name === "apphub.audit")?.partitions).toBe(
      prodLimit,
    );
    const refused = configIssues({
      environment: "prod",
      ...KUBE_BASICS,
      topics: { "apphub.audit": { partitions: prodLimit + 1 } },
    });
    expect(refused.map((found) => found.key)).toEqual([
      "apphub-streaming:topics.apphub.audit.partitions",
    ]);
    expect(refused[0]?.message).toMatch(/3 broker\(s\) × 4 core\(s\)/);
  });

  it("gives the provider's check the same verdict and words as the schema's absolute bound", () => {
    const [failure] = validateTopicFields(topic(1_000_000_000_000));
    expect(failure?.property).toBe("partitions");
    expect(failure?.reason).toContain(`at most ${MAX_PARTITIONS} partitions`);
    expect(validateTopicFields(topic(MAX_PARTITIONS))).toEqual([]);
  });

  it("reports a shape error and a cross-field error of the same stack in one report", () => {
    const keys = configIssues({
      environment: "dev",
      topics: { "apphub.audit": { partitions: "many", replicationFactor: 2 } },
    }).map((found) => found.key);
    expect(keys).toEqual([
      "apphub-streaming:topics.apphub.audit.partitions",
      "apphub-streaming:topics.apphub.audit.replicationFactor",
    ]);
  });
});

describe("broker addresses", () => {
  it("maps both wildcards, 0.0.0.0 and ::, to loopback for a process on the same host", () => {
    expect(dialableHost("0.0.0.0")).toBe("127.0.0.1");
    expect(dialableHost("::")).toBe("127.0.0.1");
    expect(dialableHost("192.168.1.20")).toBe("192.168.1.20");
  });

  it("dials the dev listener the schema resolved for the streaming env and the topics CLI alike", () => {
    const config = validConfig({
      environment: "dev",
      dev: { bindAddress: "0.0.0.0", kafkaPort: 19093 },
    });
    expect(config.streaming.brokerUrl).toBe("127.0.0.1:19093");
    expect(resolveBrokers({ env: {}, config }).brokers).toEqual(["127.0.0.1:19093"]);
  });

  it("knows loopback and wildcard broker addresses, which a pod cannot use to reach the brokers", () => {
    expect(["localhost:9092", "127.0.0.1:9092", "0.0.0.0:9092"].every(isLoopbackBroker)).toBe(true);
    expect(isLoopbackBroker("apphub-redpanda:9092")).toBe(false);
  });
});
