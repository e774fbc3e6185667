import { describe, expect, it } from "vitest";
import type { ConfigIssue } from "../../src/config/schema";
import { rawFromPulumiConfig } from "../../src/config/load";
import { SEED_TOPICS } from "../../src/topics/catalog";
import { configIssues, KUBE_BASICS, validConfig } from "../support/config";

const keys = (found: ConfigIssue[]) => found.map((issue) => issue.key);

describe("topic catalog defaults (the seed's table)", () => {
  it("gives dev the seven seed topics with 6 partitions, replication 1 and the seed's retentions", () => {
    const config = validConfig({ environment: "dev" });
    expect(config.topics.map((topic) => topic.name)).toEqual(
      SEED_TOPICS.map((topic) => topic.name),
    );
    expect(config.topics).toHaveLength(7);
    for (const topic of config.topics) {
      expect(topic.partitions).toBe(6);
      expect(topic.replicationFactor).toBe(1);
      expect(topic.retentionMs).toBe(
        topic.name === "apphub.ingestion.telemetry" ? 259_200_000 : 604_800_000,
      );
    }
  });

  it("gives minikube and prod replication 3 and three brokers", () => {
    for (const environment of ["minikube", "prod"]) {
      const config = validConfig({ environment, ...KUBE_BASICS });
      expect(config.brokerCount).toBe(3);
      expect(new Set(config.topics.map((topic) => topic.replicationFactor))).toEqual(new Set([3]));
    }
  });

  it("merges overrides and extra topics, stringifies config values and drops topics set to null", () => {
    const config = validConfig({
      environment: "dev",
      topics: {
        "apphub.core.events": {
          retentionMs: 86_400_000,
          config: { "cleanup.policy": "delete", "max.message.bytes": 2_097_152 },
        },
        "apphub.streaming.aggregates": null,
        "apphub.audit": { partitions: 3, deletionPolicy: "delete" },
      },
    });
    const byName = Object.fromEntries(config.topics.map((topic) => [topic.name, topic]));
    expect(byName["apphub.core.events"]).toMatchObject({
      retentionMs: 86_400_000,
      partitions: 6,
      role: "coreEvents",
    });
    expect(byName["apphub.core.events"]?.config).toEqual({
      "cleanup.policy": "delete",
      "max.message.bytes": "2097152",
    });
    expect(byName["apphub.streaming.aggregates"]).toBeUndefined();
    expect(byName["apphub.audit"]).toMatchObject({
      partitions: 3,
      replicationFactor: 1,
      deletionPolicy: "delete",
    });
    expect(byName["apphub.workflows.runs"]?.deletionPolicy).toBe("retain");
  });

  it("accepts -1 as infinite retention", () => {
    const config = validConfig({
      environment: "dev",
      topics: { "apphub.jobs.runs": { retentionMs: -1 } },
    });
    expect(config.topics.find((topic) => topic.name === "apphub.jobs.runs")?.retentionMs).toBe(-1);
  });
});

describe("validation reports every problem at once, with full key paths", () => {
  it("names both a negative retention and a replication factor above the broker count in one report", () => {
    const found = configIssues({
      environment: "prod",
      ...KUBE_BASICS,
      topics: { "apphub.core.events": { retentionMs: -5, replicationFactor: 5 } },
    });
    expect(keys(found)).toEqual(
      expect.arrayContaining([
        "apphub-streaming:topics.apphub.core.events.retentionMs",
        "apphub-streaming:topics.apphub.core.events.replicationFactor",
      ]),
    );
    const replication = found.find((issue) => issue.key.endsWith("replicationFactor"));
    expect(replication?.message).toMatch(/at most 3.*got 5/);
    expect(found.find((issue) => issue.key.endsWith("retentionMs"))?.message).toMatch(
      /-1 .*positive integer.*got -5/,
    );
  });

  it("rejects topic names that break Kafka's naming rules", () => {
    const longName = "a".repeat(250);
    const found = configIssues({
      environment: "dev",
      topics: { "bad name!": {}, [longName]: {}, "..": {} },
    });
    expect(keys(found)).toEqual(
      expect.arrayContaining([
        "apphub-streaming:topics.bad name!",
        `apphub-streaming:topics.${longName}`,
        "apphub-streaming:topics...",
      ]),
    );
    expect(found.find((issue) => issue.key.endsWith("bad name!"))?.message).toMatch(
      /letters, digits, '\.', '_' and '-'/,
    );
    expect(found.find((issue) => issue.key.endsWith(longName))?.message).toMatch(/at most 249/);
  });

  it("rejects a 249-character name only when it is longer", () => {
    expect(() =>
      validConfig({ environment: "dev", topics: { ["b".repeat(249)]: {} } }),
    ).not.toThrow();
  });

  it("rejects partitions and replication below 1 and non-integer retention", () => {
    const found = configIssues({
      environment: "dev",
      topics: { "apphub.jobs.runs": { partitions: 0, replicationFactor: 0, retentionMs: 1.5 } },
    });
    expect(keys(found)).toEqual(
      expect.arrayContaining([
        "apphub-streaming:topics.apphub.jobs.runs.partitions",
        "apphub-streaming:topics.apphub.jobs.runs.replicationFactor",
        "apphub-streaming:topics.apphub.jobs.runs.retentionMs",
      ]),
    );
  });

  it("rejects an unknown or missing environment", () => {
    expect(configIssues({ environment: "staging" })).toEqual([
      {
        key: "apphub-streaming:environment",
        message: 'expected one of dev, minikube, prod, external, got "staging"',
      },
    ]);
    expect(keys(configIssues({}))).toContain("apphub-streaming:environment");
  });

  it("rejects replication 2 in dev, where there is one broker", () => {
    const found = configIssues({
      environment: "dev",
      topics: { "apphub.core.events": { replicationFactor: 2 } },
    });
    expect(found).toEqual([
      {
        key: "apphub-streaming:topics.apphub.core.events.replicationFactor",
        message: "expected a replication factor of at most 1 (the broker count of this dev), got 2",
      },
    ]);
  });

  it("checks replication against a configured broker count", () => {
    const config = validConfig({
      environment: "prod",
      ...KUBE_BASICS,
      cluster: { replicas: 5 },
      topics: { "apphub.core.events": { replicationFactor: 5 } },
    });
    expect(config.brokerCount).toBe(5);
  });

  it("rejects unknown keys so that typos do not silently fall back to defaults", () => {
    expect(keys(configIssues({ environment: "dev", topic: {} }))).toEqual([
      "apphub-streaming:topic",
    ]);
    expect(
      keys(
        configIssues({ environment: "dev", topics: { "apphub.core.events": { retention: 5 } } }),
      ),
    ).toEqual(["apphub-streaming:topics.apphub.core.events.retention"]);
  });

  it("refuses a probe topic that is a domain topic", () => {
    expect(keys(configIssues({ environment: "dev", probeTopic: "apphub.core.events" }))).toEqual([
      "apphub-streaming:probeTopic",
    ]);
  });

  it("refuses two topics with the same role", () => {
    const found = configIssues({
      environment: "dev",
      topics: { "apphub.core.events.v2": { role: "coreEvents" } },
    });
    expect(found[0]?.key).toBe("apphub-streaming:topics.apphub.core.events.v2.role");
  });

  it("refuses topic names that collide once '.' and '_' are folded", () => {
    expect(keys(configIssues({ environment: "dev", topics: { apphub_core_events: {} } }))).toEqual([
      "apphub-streaming:topics.apphub_core_events",
    ]);
  });

  it("ignores secret keys, which are read as Pulumi secrets instead", () => {
    expect(() =>
      validConfig({
        environment: "dev",
        kafkaSaslPassword: "[secret]",
        sequencerDbPassword: "[secret]",
      }),
    ).not.toThrow();
  });

  it("requires a bucket name when backups are on (minikube and prod by default)", () => {
    expect(keys(configIssues({ environment: "prod", kafka: KUBE_BASICS.kafka }))).toEqual([
      "apphub-streaming:backup.bucketName",
    ]);
    expect(
      validConfig({ environment: "prod", kafka: KUBE_BASICS.kafka, backup: { enabled: false } })
        .backup.enabled,
    ).toBe(false);
  });

  it("requires kafka.brokers on minikube and prod unless the external listener is on, and never in dev", () => {
    const external = (enabled: boolean) => ({
      external: { enabled, advertisedHost: "redpanda-{ordinal}.example.internal", basePort: 31092 },
    });
    for (const environment of ["minikube", "prod"]) {
      const base = { environment, backup: { enabled: false } };
      const found = configIssues(base);
      expect(keys(found)).toEqual(["apphub-streaming:kafka.brokers"]);
      expect(found[0]?.message).toMatch(
        /required on Kubernetes stacks unless apphub-streaming:cluster\.external\.enabled is true/,
      );
      // A listener that is present but off does not count.
      expect(keys(configIssues({ ...base, cluster: external(false) }))).toEqual([
        "apphub-streaming:kafka.brokers",
      ]);
      expect(validConfig({ ...base, kafka: KUBE_BASICS.kafka }).kafka.brokers).toEqual(
        KUBE_BASICS.kafka.brokers,
      );
      expect(validConfig({ ...base, cluster: external(true) }).cluster.external.enabled).toBe(true);
    }
    expect(validConfig({ environment: "dev" }).kafka.brokers).toBeUndefined();
  });
});

describe("raw config from the Pulumi runtime", () => {
  it("decodes JSON-encoded values of this namespace and ignores others", () => {
    expect(
      rawFromPulumiConfig({
        "apphub-streaming:environment": "prod",
        "apphub-streaming:topics": '{"apphub.core.events":{"retentionMs":5}}',
        "apphub-streaming:protectTopics": "true",
        "kubernetes:context": "minikube",
      }),
    ).toEqual({
      environment: "prod",
      topics: { "apphub.core.events": { retentionMs: 5 } },
      protectTopics: true,
    });
  });
});
