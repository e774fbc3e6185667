// `topics import`, the pure part: exact DescribeConfigs rows of Redpanda v24.3.2 and Kafka 4.4
// (test/support/describeRows.ts) → what lands in the stack file, how it merges into one that
// exists, and that the result is a valid stack that adopts what the cluster has. The CLI against
// the real peer, then adoption through Pulumi: test/e2e/topics-adopt.test.ts.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { stackFileFromText } from "../../src/config/load";
import { parseStackConfig } from "../../src/config/schema";
import { SEED_TOPICS } from "../../src/topics/catalog";
import { isTopicOverride, liveConfigsOf } from "../../src/topics/describeConfigs";
import { liveOutputs } from "../../src/topics/providerLogic";
import { planTopic, sameConfigValue } from "../../src/topics/plan";
import {
  existingStack,
  existingStackProblem,
  formatImport,
  importStack,
  importTopic,
  selectTopics,
  type ClusterTopic,
  type ImportInput,
} from "../../src/topics/import";
import {
  clusterTopic,
  partitionsOf,
  kafkaCompacted,
  kafkaDefaults,
  kafkaWithDynamicDefault,
  redpandaCompacted,
  redpandaDefaults,
  redpandaUnchosen,
  row,
  withRows,
} from "../support/describeRows";

const FILE = "Pulumi.adopted.yaml";
const BROKERS = ["127.0.0.1:19092"];

const topic = clusterTopic;

function run(
  topics: ClusterTopic[],
  existingText?: string,
  overrides: Partial<ImportInput> = {},
): ReturnType<typeof importStack> {
  const existing = existingStack(existingText, FILE);
  return importStack({
    stack: "adopted",
    file: FILE,
    existing,
    connection: { brokers: BROKERS, brokerCount: 1 },
    topics,
    skipped: [],
    onCluster: new Set(topics.map((entry) => entry.name)),
    importFile: "pulumi-import.adopted.json",
    ...overrides,
  });
}

/** The `apphub-streaming:` values of a stack file's text. */
const valuesOf = (text: string) => stackFileFromText(text, FILE).raw;
const topicsOf = (text: string) => valuesOf(text).topics as Record<string, unknown>;

describe("which DescribeConfigs rows are set on the topic", () => {
  it("is source 1 exactly, on Redpanda (1 or 5) and on Kafka (1 to 5), with v0's isDefault as the fallback", () => {
    const redpanda = liveConfigsOf(redpandaCompacted());
    expect(
      Object.entries(redpanda)
        .filter(([, entry]) => entry.isOverride)
        .map(([key]) => key),
    ).toEqual(["cleanup.policy", "retention.ms", "segment.ms"]);
    const kafka = liveConfigsOf(kafkaCompacted());
    expect(kafka["min.insync.replicas"]).toMatchObject({ value: "1", isOverride: false }); // source 3
    expect(kafka["segment.bytes"]).toMatchObject({ value: "16777216", isOverride: false }); // source 4
    expect(liveConfigsOf(kafkaWithDynamicDefault(2, "172800000"))["retention.ms"]?.isOverride).toBe(
      false,
    );
    const v0 = { configName: "x", configValue: "1", readOnly: false, isSensitive: false };
    expect(isTopicOverride({ ...v0, isDefault: false })).toBe(true);
    expect(isTopicOverride({ ...v0, isDefault: true, configSource: -1 })).toBe(false);
  });
});

describe("Redpanda's disabled tristates: a value <= 0 reads back as -1, and that is not drift", () => {
  it("counts -1 on the broker as the stack's 0 or -1 for tristate keys only", () => {
    expect(sameConfigValue("-1", "0", "retention.bytes")).toBe(true);
    expect(sameConfigValue("-1", "-5", "segment.ms")).toBe(true);
    expect(sameConfigValue("-1", "0", "max.message.bytes")).toBe(false);
    expect(sameConfigValue("-1", "1", "retention.bytes")).toBe(false);
    expect(sameConfigValue("0", "-1", "retention.bytes")).toBe(false);
  });

  it("plans nothing and refresh keeps the stack's spelling when Redpanda reports a stack 0 as -1", () => {
    const rows = withRows(redpandaDefaults(), [row("retention.bytes", "-1", 1)]);
    const configs = liveConfigsOf(rows);
    const desired = {
      name: "a",
      partitions: 1,
      replicationFactor: 1,
      config: { "retention.bytes": "0" },
      deletionPolicy: "retain" as const,
    };
    const live = { name: "a", partitions: partitionsOf(1), configs };
    expect(planTopic(desired, live, { brokerIds: [1] }, "reconcile", "keep").action).toBe("noop");
    const connection = {
      brokers: BROKERS,
      clientId: "c",
      connectTimeoutMs: 1,
      requestTimeoutMs: 1,
      tls: { enabled: false, rejectUnauthorized: true },
    };
    const refreshed = liveOutputs(
      { ...desired, providerVersion: "2", connection },
      { partitions: 1, replication: [1], configs: { "retention.bytes": "-1" } },
    );
    expect(refreshed.config).toEqual({ "retention.bytes": "0" });
  });
});

describe("importTopic: partitions, replication and only what is set on the topic", () => {
  it("writes nothing but partitions and replication for a Redpanda topic that inherits everything", () => {
    expect(importTopic(topic("a", redpandaDefaults(), 3, [1, 2, 3]))).toMatchObject({
      partitions: 3,
      replicationFactor: 3,
      retentionMs: null,
      inheritedRetention: "604800000",
      config: {},
      leftOut: [],
    });
  });

  it("takes Redpanda's own overrides as it reports them and not the compacted segment size it inherits", () => {
    expect(importTopic(topic("a", redpandaCompacted()))).toMatchObject({
      retentionMs: 259200000,
      config: { "cleanup.policy": "compact,delete", "segment.ms": "3600000" },
      leftOut: [],
    });
  });

  it("leaves out the rows Redpanda reports as set though nobody chose them, each with its reason", () => {
    const imported = importTopic(topic("a", redpandaUnchosen()));
    expect(imported.retentionMs).toBe(-1);
    expect(imported.config).toEqual({});
    expect(imported.leftOut.map((entry) => `${entry.key}=${entry.value}`)).toEqual([
      "delete.retention.ms=-1",
      "redpanda.remote.read=true",
      "redpanda.remote.write=true",
      "write.caching=disabled",
    ]);
    expect(imported.leftOut.find((entry) => entry.key === "write.caching")?.reason).toContain(
      "write_caching_default is disabled",
    );
  });

  it("keeps a write.caching the user did set (only Redpanda's 'disabled' echo is left out)", () => {
    expect(
      importTopic(topic("a", [...redpandaDefaults(), row("write.caching", "true", 1)])).config,
    ).toEqual({ "write.caching": "true" });
  });

  it("on Kafka takes retention -1 and cleanup.policy in the order Kafka echoes; broker, cluster and static values stay out", () => {
    expect(importTopic(topic("a", kafkaCompacted()))).toMatchObject({
      retentionMs: -1,
      config: { "cleanup.policy": "delete,compact", "segment.ms": "3600000" },
    });
    for (const source of [2, 3] as const)
      expect(importTopic(topic("a", kafkaWithDynamicDefault(source, "259200000")))).toMatchObject({
        retentionMs: null,
        inheritedRetention: "259200000",
        config: {},
      });
  });

  it("leaves a retention that retentionMs cannot hold unmanaged, and hides nothing sensitive", () => {
    const imported = importTopic(
      topic("a", [
        row("retention.ms", "9223372036854775807", 1),
        { ...row("sasl.thing", "", 1), configValue: null, isSensitive: true },
      ]),
    );
    expect(imported.retentionMs).toBeNull();
    expect(imported.leftOut.map((entry) => entry.key)).toEqual(["retention.ms", "sasl.thing"]);
  });
});

describe("selectTopics", () => {
  const listed = [
    "__consumer_offsets",
    "__redpanda_e2e_probe",
    "_schemas",
    "_redpanda.audit_log",
    "_redpanda.transform_logs",
    "apphub.streaming.probe",
    "team.orders",
    "team.orders.dlq",
    "apphub.core.events",
    "legacy",
  ].map((name) => ({ name, internal: name === "__consumer_offsets" }));

  it("skips internal topics, the probe topic and topics the file sets to null, each with why", () => {
    const { selected, skipped } = selectTopics(
      listed,
      {},
      { nulled: new Set(["legacy"]), probeTopic: "apphub.streaming.probe" },
    );
    expect(selected).toEqual(["apphub.core.events", "team.orders", "team.orders.dlq"]);
    expect(Object.fromEntries(skipped.map((entry) => [entry.name, entry.reason]))).toEqual({
      __consumer_offsets: "internal topic of the broker",
      __redpanda_e2e_probe: "internal topic of the broker",
      _schemas: "internal topic of the broker",
      "_redpanda.audit_log": "internal topic of the broker",
      "_redpanda.transform_logs": "internal topic of the broker",
      "apphub.streaming.probe": "the probe's own topic (apphub-streaming:probeTopic)",
      legacy: "set to null in the stack file: not managed",
    });
  });

  it("applies --include, then --exclude", () => {
    const { selected } = selectTopics(
      listed,
      { include: /^team\./, exclude: /\.dlq$/ },
      { nulled: new Set(), probeTopic: "apphub.streaming.probe" },
    );
    expect(selected).toEqual(["team.orders"]);
  });
});

describe("importStack: a new stack file", () => {
  const cluster = [
    topic("apphub.core.events", redpandaCompacted(), 12),
    topic("apphub.ingestion.telemetry", redpandaDefaults(), 6),
    topic("team.orders", kafkaCompacted(), 3),
  ];

  it("writes an external stack that validates, adopts each topic as it is, and nulls the seed topics it did not import", () => {
    const { text, report } = run(cluster);
    expect(text).toBeDefined();
    const values = valuesOf(text!);
    expect(values).toMatchObject({
      environment: "external",
      kafka: { brokers: BROKERS, brokerCount: 1 },
    });
    expect(topicsOf(text!)).toEqual({
      "apphub.core.events": {
        partitions: 12,
        replicationFactor: 1,
        retentionMs: 259200000,
        config: { "cleanup.policy": "compact,delete", "segment.ms": "3600000" },
        adopt: true,
      },
      "apphub.ingestion.telemetry": {
        partitions: 6,
        replicationFactor: 1,
        retentionMs: null,
        adopt: true,
      },
      "team.orders": {
        partitions: 3,
        replicationFactor: 1,
        retentionMs: -1,
        config: { "cleanup.policy": "delete,compact", "segment.ms": "3600000" },
        adopt: true,
      },
      "apphub.workflows.events": null,
      "apphub.workflows.runs": null,
      "apphub.jobs.runs": null,
      "apphub.streaming.input": null,
      "apphub.streaming.aggregates": null,
    });
    expect(report.seedsLeftOut.map((entry) => entry.name)).toHaveLength(SEED_TOPICS.length - 2);
    expect(report.seedsLeftOut[0]?.reason).toBe(
      "not on the cluster; remove its null to have pulumi up create it",
    );
    expect(report.problems).toEqual([]);
    expect(report.changed).toBe(true);
    expect(text!.startsWith("# An existing cluster, adopted")).toBe(true);
  });

  it("keeps the seed topics' catalog roles, and each topic's config is the topic-level one", () => {
    const { text } = run(cluster);
    const parsed = parseStackConfig(valuesOf(text!), {}, { secretKeys: [], stack: "adopted" });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const byName = Object.fromEntries(parsed.config.topics.map((entry) => [entry.name, entry]));
    expect(byName["apphub.core.events"]).toMatchObject({
      role: "coreEvents",
      adopt: true,
      partitions: 12,
    });
    expect(byName["apphub.ingestion.telemetry"]).toMatchObject({
      role: "ingestion",
      retentionMs: null,
      config: {},
    });
    expect(byName["team.orders"]?.role).toBeUndefined();
    expect(parsed.config.topics).toHaveLength(3);
  });

  it("says why the result would not be a valid stack, and writes nothing", () => {
    // Replicas on three brokers, but Metadata listed one: the stack would refuse replication 3.
    const { text, report } = run([topic("team.orders", kafkaDefaults(), 3, [1, 2, 3])]);
    expect(text).toBeUndefined();
    expect(report.problems).toEqual([
      expect.stringContaining("apphub-streaming:topics.team.orders.replicationFactor"),
    ]);
    expect(formatImport(report)).toContain(
      "nothing written: the result would not be a valid stack config",
    );
  });

  it("writes TLS and SASL as given, never a password, and says how to set it", () => {
    const { text, report } = run(cluster, undefined, {
      connection: {
        brokers: BROKERS,
        brokerCount: 1,
        tls: { enabled: true, rejectUnauthorized: false },
        sasl: { mechanism: "scram-sha-512", username: "adopter" },
      },
    });
    expect(valuesOf(text!).kafka).toEqual({
      brokers: BROKERS,
      brokerCount: 1,
      tls: { enabled: true, rejectUnauthorized: false },
      sasl: { mechanism: "scram-sha-512", username: "adopter" },
    });
    expect(text).not.toMatch(/password|kafkaSaslPassword/i);
    expect(report.next[0]).toBe(
      "pulumi config set --secret apphub-streaming:kafkaSaslPassword --stack adopted (the password is never read from the cluster or written by the import)",
    );
  });
});

describe("importStack: merging into the stack file that is there", () => {
  const EXISTING = [
    "encryptionsalt: v1:abc==",
    "# the team's own notes stay",
    "config:",
    "  apphub-streaming:environment: external # an existing cluster",
    "  apphub-streaming:kafkaSaslPassword:",
    "    secure: v1:xyz",
    "  apphub-streaming:kafka:",
    '    brokers: ["old-broker:9092"]',
    "    sasl: { mechanism: plain, username: app }",
    "  apphub-streaming:topics:",
    "    # orders: owned by team A",
    "    team.orders:",
    "      deletionPolicy: delete",
    "      retentionMs: 604800000   # what the cluster inherits anyway",
    "      config:",
    "        cleanup.policy: 'delete, compact'",
    "        max.message.bytes: 2097152",
    "    apphub.streaming.input: null",
    "    team.payments:",
    "      partitions: 2",
    "",
  ].join("\n");
  const cluster = [
    topic(
      "team.orders",
      withRows(kafkaDefaults(), [row("cleanup.policy", "compact,delete", 1)]),
      6,
    ),
    topic("apphub.core.events", kafkaDefaults(), 6),
  ];

  it("sets only what differs, keeps comments, order, quoting, secrets and the fields it does not write", () => {
    const { text, report } = run(cluster, EXISTING);
    expect(report.problems).toEqual([]);
    const lines = text!.split("\n");
    for (const kept of [
      "encryptionsalt: v1:abc==",
      "# the team's own notes stay",
      "  apphub-streaming:environment: external # an existing cluster",
      "    secure: v1:xyz",
      "    sasl: { mechanism: plain, username: app }",
      "    # orders: owned by team A",
      "      deletionPolicy: delete",
      "      retentionMs: 604800000   # what the cluster inherits anyway",
      "        cleanup.policy: 'delete, compact'",
      "        max.message.bytes: 2097152",
      "    apphub.streaming.input: null",
    ])
      expect(lines).toContain(kept);
    expect(lines).toContain('    brokers: ["127.0.0.1:19092"]');
    const topics = topicsOf(text!);
    expect(Object.keys(topics)).toEqual([
      "team.orders",
      "apphub.streaming.input",
      "team.payments",
      "apphub.core.events",
      "apphub.ingestion.telemetry",
      "apphub.workflows.events",
      "apphub.workflows.runs",
      "apphub.jobs.runs",
      "apphub.streaming.aggregates",
    ]);
    expect(topics["team.orders"]).toEqual({
      deletionPolicy: "delete",
      retentionMs: 604800000,
      config: { "cleanup.policy": "delete, compact", "max.message.bytes": 2097152 },
      partitions: 6,
      replicationFactor: 1,
      adopt: true,
    });
    expect(report.topics.find((entry) => entry.name === "team.orders")).toMatchObject({
      entry: "updated",
      retentionMs: 604800000,
      config: { "cleanup.policy": "delete, compact" },
    });
    expect(report.notOnCluster).toEqual(["team.payments"]);
    expect(report.seedsLeftOut.map((entry) => entry.name)).not.toContain("apphub.streaming.input");
  });

  it("is idempotent: a second run over its own output changes nothing", () => {
    const first = run(cluster, EXISTING).text!;
    const second = run(cluster, first);
    expect(second.text).toBe(first);
    expect(second.report.changed).toBe(false);
    expect(second.report.topics.map((entry) => entry.entry)).toEqual(["unchanged", "unchanged"]);
    const fresh = run(cluster).text!;
    expect(run(cluster, fresh).text).toBe(fresh);
  });

  it("makes a stack retention the topic no longer has unmanaged (null) rather than pinning it", () => {
    const text = [
      "config:",
      "  apphub-streaming:environment: external",
      "  apphub-streaming:topics:",
      "    team.orders:",
      "      retentionMs: 86400000",
      "",
    ].join("\n");
    const { report } = run([topic("team.orders", kafkaDefaults(), 6)], text);
    expect(report.topics[0]).toMatchObject({ entry: "updated", retentionMs: null });
  });

  it("refuses a file of another environment, naming it", () => {
    const existing = existingStack("config:\n  apphub-streaming:environment: prod\n", FILE);
    expect(existingStackProblem(existing, FILE)).toBe(
      'Pulumi.adopted.yaml has environment "prod": topics import writes external stacks (a cluster this program does not deploy); import into a new stack with --stack <name>',
    );
    expect(existingStackProblem(existingStack(undefined, FILE), FILE)).toBeUndefined();
  });

  it("reads the nulled topics and the probe topic from the file", () => {
    const existing = existingStack(
      "config:\n  apphub-streaming:probeTopic: ops.probe\n  apphub-streaming:topics:\n    legacy: null\n",
      FILE,
    );
    expect(existing.nulled).toEqual(new Set(["legacy"]));
    expect(existing.probeTopic).toBe("ops.probe");
  });
});

describe("formatImport", () => {
  it("prints one line per topic with what the stack now says, what was left out and the next steps", () => {
    const { report } = run([topic("team.cache", redpandaUnchosen(), 1)]);
    const text = formatImport({ ...report, written: true });
    expect(text).toContain(
      `import for stack adopted from 127.0.0.1:19092 (1 broker): wrote ${FILE}`,
    );
    expect(text).toContain("  + team.cache: 1 partition, replication 1, retention.ms -1");
    expect(text).toContain("      left out write.caching=disabled: Redpanda reports");
    expect(text).toContain("  - apphub.core.events (seed) set to null: not on the cluster");
    expect(text).toContain(
      "would write pulumi-import.adopted.json: the Pulumi import file recording 1 topic",
    );
    expect(text).toContain(
      'next: pulumi import --stack adopted --file pulumi-import.adopted.json --protect=false --generate-code=false: its preview says "import" for each topic',
    );
    expect(parseDocument(text).errors.length).toBeGreaterThanOrEqual(0); // plain text, not YAML
  });
});
