// The Pulumi import file `topics import` writes (src/topics/importFile.ts): what each topic's
// recorded state holds (never a password), and when there is no file. That the program's next `up` declares the same
// inputs is checked on the mock runtime (test/render/import-file.test.ts); that
// `pulumi import --file` takes it and the preview says "import", through the real CLI
// (test/e2e/topics-adopt.test.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { existingStack, importStack, type ImportInput } from "../../src/topics/import";
import { importFilePath, type ImportFileResource } from "../../src/topics/importFile";
import { KAFKA_TOPIC_TYPE, TOPIC_BOOTSTRAP } from "../../src/topics/model";
import { providerShim } from "../../src/topics/provider";
import { clusterTopic, kafkaCompacted, kafkaDefaults } from "../support/describeRows";

const FILE = "Pulumi.adopted.yaml";
const RECORD = "pulumi-import.adopted.json";
const BROKERS = ["127.0.0.1:19092"];

const CLUSTER = [
  clusterTopic("team.orders", kafkaCompacted(), 3),
  clusterTopic("team.audit", kafkaDefaults(), 1),
];

function run(existingText?: string, overrides: Partial<ImportInput> = {}) {
  return importStack({
    stack: "adopted",
    file: FILE,
    existing: existingStack(existingText, FILE),
    connection: { brokers: BROKERS, brokerCount: 1 },
    topics: CLUSTER,
    skipped: [],
    onCluster: new Set(CLUSTER.map((entry) => entry.name)),
    importFile: RECORD,
    ...overrides,
  });
}

const SASL = {
  connection: {
    brokers: BROKERS,
    brokerCount: 1,
    sasl: { mechanism: "scram-sha-256" as const, username: "adopter" },
  },
};

const topicEntries = (resources: readonly ImportFileResource[]) =>
  resources.filter((resource) => resource.type === KAFKA_TOPIC_TYPE);

describe("the Pulumi import file of an import", () => {
  it("lists the TopicBootstrap component, then each imported topic under it with its whole state", () => {
    const { importFile, report } = run();
    expect(report.importFile).toEqual({ file: RECORD, topics: 2, written: false });
    const [component, ...topics] = importFile!.resources;
    expect(component).toEqual({
      type: TOPIC_BOOTSTRAP.type,
      name: TOPIC_BOOTSTRAP.type,
      logicalName: TOPIC_BOOTSTRAP.name,
      component: true,
    });
    expect(topics.map((topic) => [topic.name, topic.id, topic.logicalName, topic.parent])).toEqual([
      ["team.orders", "team.orders", "team.orders", TOPIC_BOOTSTRAP.type],
      ["team.audit", "team.audit", "team.audit", TOPIC_BOOTSTRAP.type],
    ]);
    const orders = topics[0]!;
    expect(orders.inputs).toEqual({
      name: "team.orders",
      partitions: 3,
      replicationFactor: 1,
      config: { "cleanup.policy": "delete,compact", "retention.ms": "-1", "segment.ms": "3600000" },
      deletionPolicy: "retain",
      providerVersion: "3",
      connection: {
        brokers: BROKERS,
        clientId: "apphub-streaming-bootstrap",
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30000,
        tls: { enabled: false, rejectUnauthorized: true },
      },
      adopt: true,
      // The program runs its TypeScript source under pulumi up: the shim names that form.
      __provider: providerShim(1, "ts"),
    });
    expect(orders.outputs).toEqual({ ...orders.inputs, livePartitions: 3 });
  });

  it("names the component as the program's `super` call spells it", () => {
    const source = fs.readFileSync(
      path.join(__dirname, "../../components/TopicBootstrap.ts"),
      "utf8",
    );
    expect(source).toContain(`super("${TOPIC_BOOTSTRAP.type}", name,`);
    const program = fs.readFileSync(path.join(__dirname, "../../src/program.ts"), "utf8");
    expect(program.match(/new TopicBootstrap\(TOPIC_BOOTSTRAP\.name,/g)).toHaveLength(2);
  });

  it("records only topics the stack declares: one the file sets to null stays out", () => {
    const existing = [
      "config:",
      "  apphub-streaming:environment: external",
      "  apphub-streaming:topics:",
      "    team.audit: null",
      "",
    ].join("\n");
    const { importFile, report } = run(existing, {
      topics: [CLUSTER[0]!],
      skipped: [{ name: "team.audit", reason: "the stack file sets it to null" }],
    });
    expect(topicEntries(importFile!.resources).map((entry) => entry.name)).toEqual(["team.orders"]);
    expect(report.importFile?.topics).toBe(1);
  });

  it("is absent when no topic is imported", () => {
    const { importFile, report } = run(undefined, { topics: [] });
    expect(importFile).toBeUndefined();
    expect(report.importFile).toBeNull();
  });

  it("with SASL, records no password, and says the first up stores it in each topic's state", () => {
    const { importFile, report } = run(undefined, SASL);
    for (const topic of topicEntries(importFile!.resources)) {
      expect(topic.inputs).not.toHaveProperty("saslPassword");
      expect(topic.outputs).not.toHaveProperty("saslPassword");
      expect(topic.inputs?.connection).toMatchObject({
        sasl: { mechanism: "scram-sha-256", username: "adopter" },
      });
    }
    expect(JSON.stringify(importFile)).not.toMatch(/password/i);
    expect(report.next).toEqual([
      "pulumi config set --secret apphub-streaming:kafkaSaslPassword --stack adopted (the password is never read from the cluster or written by the import)",
      `pulumi import --stack adopted --file ${RECORD} --protect=false --generate-code=false: its preview says "import" for each topic; it records them without contacting the brokers`,
      'pulumi up --stack adopted: each topic shows an update that stores the SASL password (a secret) in its state and writes nothing to the brokers (without the import, up adopts each topic on a "create" line saying "adopt: <topic> exists on the brokers ...")',
    ]);
  });

  it("goes beside the stack file", () => {
    expect(importFilePath("/work/app/Pulumi.prod-ext.yaml", "prod-ext")).toBe(
      "/work/app/pulumi-import.prod-ext.json",
    );
  });
});
