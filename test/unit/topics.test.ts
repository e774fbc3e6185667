// The pure half of the topic engine: planning, normalisation, the IncrementalAlterConfigs set,
// reassignment, input validation (the provider's diff, check and read shaping are in
// topics-provider.test.ts), and the CLI's
// argument / broker / verdict-to-exit-code rules. No broker here; test/integration/topics*.test.ts and
// provider.test.ts drive the same code against the real peers.
import { describe, expect, it } from "vitest";
import type { StackConfig, TopicSpec } from "../../src/config/schema";
import { planExitCode, TOPICS_CLI } from "../../src/cli/topics";
import { parseCommands } from "../../src/cli/kit";
import { resolveBrokers } from "../../src/topics/cli";
import { verifyPollDelayMs } from "../../src/topics/engine";
import { desiredFromSpec, type DesiredTopic, type KafkaTopicInputs } from "../../src/topics/model";
import {
  formatPlan,
  normalizeConfigValue,
  planCatalog,
  planTopic,
  planVerdict,
  reassignReplicas,
  toReport,
  type LiveConfigEntry,
  type LiveTopic,
  type PartitionState,
  type TopicPlan,
} from "../../src/topics/plan";
import { UNKNOWN_VALUE, validateTopicInputs } from "../../src/topics/validate";
import { validConfig } from "../support/config";

const ONE_BROKER = { brokerIds: [1] };
const THREE_BROKERS = { brokerIds: [1, 2, 3] };

function desired(overrides: Partial<DesiredTopic> = {}): DesiredTopic {
  return {
    name: "apphub.core.events",
    partitions: 6,
    replicationFactor: 1,
    config: { "retention.ms": "604800000" },
    deletionPolicy: "retain",
    ...overrides,
  };
}

function partitions(
  count: number,
  replicas: (id: number) => number[] = () => [1],
): PartitionState[] {
  return Array.from({ length: count }, (_, id) => {
    const set = replicas(id);
    return { id, leader: set[0] ?? -1, replicas: set, isr: set };
  });
}

const override = (value: string): LiveConfigEntry => ({ value, isOverride: true, readOnly: false });
const inherited = (value: string): LiveConfigEntry => ({
  value,
  isOverride: false,
  readOnly: false,
});

function live(overrides: Partial<LiveTopic> = {}): LiveTopic {
  return {
    name: "apphub.core.events",
    partitions: partitions(6),
    configs: {
      "retention.ms": override("604800000"),
      "cleanup.policy": inherited("delete"),
      "segment.bytes": inherited("1073741824"),
      "min.insync.replicas": inherited("1"),
    },
    ...overrides,
  };
}

describe("normalizeConfigValue", () => {
  it.each([
    [" 604800000 ", "604800000"],
    ["+10", "10"],
    ["-1", "-1"],
    ["0.50", "0.5"],
    ["TRUE", "true"],
    ["delete, compact", "compact,delete"],
    ["CreateTime", "CreateTime"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeConfigValue(input)).toBe(expected);
  });

  it("keeps large integers exact", () => {
    expect(normalizeConfigValue("9223372036854775807")).toBe("9223372036854775807");
  });
});

describe("planTopic", () => {
  it("creates a missing topic and lists every setting as a change from nothing", () => {
    const plan = planTopic(desired(), undefined, ONE_BROKER);
    expect(plan.action).toBe("create");
    expect(plan.changes).toEqual([
      { key: "partitions", from: null, to: "6" },
      { key: "replicationFactor", from: null, to: "1" },
      { key: "retention.ms", from: null, to: "604800000" },
    ]);
  });

  it("blocks a create whose replication factor exceeds the brokers", () => {
    const plan = planTopic(desired({ replicationFactor: 4 }), undefined, THREE_BROKERS);
    expect(plan.action).toBe("blocked");
    expect(plan.reason).toBe(
      "replication factor 4 needs at least 4 brokers, but the cluster has 3; lower replicationFactor to at most 3",
    );
  });

  it("is noop when the managed keys match, whatever else the broker echoes or how it spells numbers", () => {
    const echoing = live({
      configs: {
        "retention.ms": override(" 604800000"),
        "redpanda.remote.read": override("false"),
        "message.timestamp.type": override("CreateTime"),
      },
    });
    expect(planTopic(desired(), echoing, ONE_BROKER)).toMatchObject({
      action: "noop",
      changes: [],
    });
  });

  it("is noop when a managed value is inherited but equal (no perpetual diff)", () => {
    const inheritedRetention = live({ configs: { "retention.ms": inherited("604800000") } });
    expect(planTopic(desired(), inheritedRetention, ONE_BROKER).action).toBe("noop");
  });

  it("plans a retention change as one update that sets only the changed managed key", () => {
    const handSet = live({
      configs: {
        "retention.ms": override("604800000"),
        "max.message.bytes": override("2097152"),
        "cleanup.policy": inherited("delete"),
        "redpanda.leaders.preference": { value: "none", isOverride: true, readOnly: true },
      },
    });
    const plan = planTopic(
      desired({ config: { "retention.ms": "259200000" } }),
      handSet,
      ONE_BROKER,
    );
    expect(plan.action).toBe("update");
    expect(plan.changes).toEqual([{ key: "retention.ms", from: "604800000", to: "259200000" }]);
    // IncrementalAlterConfigs: unmanaged overrides are neither sent nor reset.
    expect(plan.operations.alterConfigs).toEqual({ "retention.ms": "259200000" });
    expect(plan.operations.partitionCount).toBeUndefined();
    expect(plan.operations.reassignment).toBeUndefined();
  });

  it("plans a partition increase", () => {
    const plan = planTopic(desired({ partitions: 12 }), live(), ONE_BROKER);
    expect(plan).toMatchObject({
      action: "update",
      changes: [{ key: "partitions", from: "6", to: "12" }],
      operations: { partitionCount: 12 },
    });
  });

  it("blocks a partition decrease and explains that Kafka cannot shrink partitions", () => {
    const plan = planTopic(
      desired({ partitions: 3, config: { "retention.ms": "1" } }),
      live(),
      ONE_BROKER,
    );
    expect(plan.action).toBe("blocked");
    expect(plan.reason).toMatch(
      /^cannot decrease partitions of apphub\.core\.events from 6 to 3: Kafka cannot shrink a topic's partitions, only delete and recreate the topic, which loses its data/,
    );
    expect(plan.operations).toEqual({});
  });

  it("keeps partitions added by hand when told to (the provider), changing only what differs", () => {
    const plan = planTopic(
      desired({ config: { "retention.ms": "1" } }),
      live({ partitions: partitions(8) }),
      ONE_BROKER,
      "reconcile",
      "keep",
    );
    expect(plan).toMatchObject({
      action: "update",
      changes: [{ key: "retention.ms", from: "604800000", to: "1" }],
      operations: { alterConfigs: { "retention.ms": "1" } },
    });
    expect(plan.operations.partitionCount).toBeUndefined();
    // A create that finds such a topic takes it over as it is; the extra partitions stay.
    expect(
      planTopic(desired(), live({ partitions: partitions(8) }), ONE_BROKER, "adopt", "keep").action,
    ).toBe("noop");
    expect(
      planTopic(desired(), live({ partitions: partitions(8) }), ONE_BROKER, "adopt", "block")
        .action,
    ).toBe("blocked");
  });

  it("plans a replication change as a reassignment", () => {
    const plan = planTopic(desired({ replicationFactor: 3 }), live(), THREE_BROKERS);
    expect(plan.action).toBe("update");
    expect(plan.changes).toEqual([{ key: "replicationFactor", from: "1", to: "3" }]);
    expect(plan.operations.reassignment).toHaveLength(6);
  });

  it("plans partitions added together with a replication change as one update", () => {
    const plan = planTopic(
      desired({ partitions: 8, replicationFactor: 3 }),
      live({ partitions: partitions(6, (id) => [(id % 3) + 1]) }),
      THREE_BROKERS,
    );
    expect(plan.action).toBe("update");
    expect(plan.operations.partitionCount).toBe(8);
    expect(plan.operations.reassignment).toHaveLength(6);
  });

  it("in adopt mode takes over a matching topic as it is, partitions added by hand included", () => {
    const plan = planTopic(
      desired(),
      live({ partitions: partitions(8, () => [1]) }),
      ONE_BROKER,
      "adopt",
      "keep",
    );
    expect(plan).toMatchObject({ action: "noop", changes: [], operations: {} });
  });

  it("in adopt mode never changes an existing topic: a config difference blocks it, naming the key and the fix", () => {
    const plan = planTopic(
      desired(),
      live({ configs: { "retention.ms": override("1000") } }),
      ONE_BROKER,
      "adopt",
      "keep",
    );
    expect(plan.action).toBe("blocked");
    expect(plan.operations).toEqual({});
    expect(plan.reason).toContain(
      "apphub.core.events already exists on the broker and differs from the stack",
    );
    expect(plan.reason).toContain('retention.ms is "1000" there, the stack says "604800000"');
    expect(plan.reason).toContain("apphub-streaming:topics.apphub.core.events.adopt: true");
  });

  it("in adopt mode refuses a topic whose partitions or replication differ, listing the differences", () => {
    const plan = planTopic(
      desired({ partitions: 12, replicationFactor: 3 }),
      live(),
      THREE_BROKERS,
      "adopt",
    );
    expect(plan.action).toBe("blocked");
    expect(plan.reason).toContain("already exists on the broker and differs from the stack");
    expect(plan.reason).toContain("it has 6 partitions there, the stack says 12");
    expect(plan.reason).toContain("its replication factor is 1 there, the stack says 3");
  });

  it("blocks a config key the broker does not know", () => {
    const plan = planTopic(
      desired({ config: { "retention.ms": "604800000", "retention.msec": "1" } }),
      live(),
      ONE_BROKER,
    );
    expect(plan.action).toBe("blocked");
    expect(plan.reason).toContain('does not know the topic config "retention.msec"');
  });

  it("changes a config even when the topic has an override whose value the broker hides (it is not sent)", () => {
    const hidden = live({
      configs: {
        "retention.ms": override("1"),
        "secret.thing": { value: null, isOverride: true, readOnly: false },
      },
    });
    const plan = planTopic(desired(), hidden, ONE_BROKER);
    expect(plan.action).toBe("update");
    expect(plan.operations.alterConfigs).toEqual({ "retention.ms": "604800000" });
  });

  it("plans a catalog against one snapshot", () => {
    const plans = planCatalog(
      [desired(), desired({ name: "other" })],
      new Map([["apphub.core.events", live()]]),
      ONE_BROKER,
    );
    expect(plans.map((plan) => plan.action)).toEqual(["noop", "create"]);
  });
});

describe("reassignReplicas", () => {
  it("grows every partition to the target with distinct brokers, keeping the current replica first", () => {
    const result = reassignReplicas(
      partitions(6, (id) => [(id % 3) + 1]),
      3,
      [1, 2, 3],
    );
    if (!("assignment" in result)) throw new Error(result.blocked);
    expect(result.assignment).toHaveLength(6);
    for (const entry of result.assignment) {
      expect(new Set(entry.replicas).size).toBe(3);
      expect(entry.replicas[0]).toBe((entry.partition % 3) + 1);
    }
  });

  it("spreads added replicas over the brokers", () => {
    const result = reassignReplicas(partitions(6), 2, [1, 2, 3]);
    if (!("assignment" in result)) throw new Error(result.blocked);
    const added = result.assignment.map((entry) => entry.replicas[1]);
    expect(added.filter((id) => id === 2)).toHaveLength(3);
    expect(added.filter((id) => id === 3)).toHaveLength(3);
  });

  it("shrinks keeping the leader first, then in-sync replicas", () => {
    const state: PartitionState[] = [{ id: 0, leader: 3, replicas: [1, 2, 3], isr: [3, 2] }];
    const result = reassignReplicas(state, 2, [1, 2, 3]);
    expect(result).toEqual({ assignment: [{ partition: 0, replicas: [3, 2] }] });
  });

  it("leaves partitions that already match alone", () => {
    expect(
      reassignReplicas(
        partitions(2, () => [1, 2]),
        2,
        [1, 2, 3],
      ),
    ).toEqual({ assignment: [] });
  });

  it("refuses a target above the broker count, and dropping replicas of a leaderless partition", () => {
    expect(reassignReplicas(partitions(1), 4, [1, 2, 3])).toEqual({
      blocked: expect.stringContaining("needs at least 4 brokers, but the cluster has 3"),
    });
    const leaderless: PartitionState[] = [{ id: 0, leader: -1, replicas: [1, 2], isr: [] }];
    expect(reassignReplicas(leaderless, 1, [1, 2, 3])).toEqual({
      blocked: expect.stringContaining("partition 0 has no leader"),
    });
  });
});

describe("reports", () => {
  const plans: TopicPlan[] = [
    planTopic(desired({ config: { "retention.ms": "259200000" } }), live(), ONE_BROKER),
    planTopic(desired({ name: "b", partitions: 1 }), live({ name: "b" }), ONE_BROKER),
  ];

  it("prints the --json shape and nothing else", () => {
    expect(toReport(plans)).toEqual({
      topics: [
        {
          name: "apphub.core.events",
          action: "update",
          changes: [{ key: "retention.ms", from: "604800000", to: "259200000" }],
        },
        {
          name: "b",
          action: "blocked",
          changes: [{ key: "partitions", from: "6", to: "1" }],
          reason: expect.stringContaining("cannot decrease partitions"),
        },
      ],
    });
  });

  it("prints each change as key: old => new", () => {
    const text = formatPlan(plans);
    expect(text).toContain(
      '~ apphub.core.events (update)\n    retention.ms: "604800000" => "259200000"',
    );
    expect(text).toContain("! b (blocked)");
    expect(text).toContain("0 to create, 1 to update, 0 unchanged, 1 blocked");
  });
});

describe("desiredFromSpec", () => {
  it("turns retentionMs into the retention.ms config, keys sorted", () => {
    const spec: TopicSpec = {
      name: "t",
      partitions: 6,
      replicationFactor: 3,
      retentionMs: -1,
      config: { "segment.ms": "1", "cleanup.policy": "delete" },
      deletionPolicy: "delete",
    };
    expect(desiredFromSpec(spec)).toEqual({
      name: "t",
      partitions: 6,
      replicationFactor: 3,
      config: { "cleanup.policy": "delete", "retention.ms": "-1", "segment.ms": "1" },
      deletionPolicy: "delete",
    });
    expect(Object.keys(desiredFromSpec(spec).config)).toEqual([
      "cleanup.policy",
      "retention.ms",
      "segment.ms",
    ]);
  });
});

function providerInputs(overrides: Partial<KafkaTopicInputs> = {}): KafkaTopicInputs {
  return {
    ...desired(),
    providerVersion: "1",
    connection: {
      brokers: ["127.0.0.1:19092"],
      clientId: "c",
      connectTimeoutMs: 5000,
      requestTimeoutMs: 30000,
      tls: { enabled: false, rejectUnauthorized: true },
    },
    ...overrides,
  };
}

describe("provider check", () => {
  it("accepts good inputs", () => {
    expect(validateTopicInputs({ ...providerInputs() })).toEqual([]);
  });

  it("names every bad field", () => {
    const failures = validateTopicInputs({
      ...providerInputs(),
      name: "..",
      partitions: 0,
      replicationFactor: 2.5,
      config: { "retention.ms": "0", "segment.ms": 5 },
      deletionPolicy: "purge",
      connection: {
        brokers: ["nohost"],
        clientId: "",
        connectTimeoutMs: -1,
        requestTimeoutMs: 1,
        tls: { enabled: "yes" },
        sasl: { mechanism: "gssapi", username: "u" },
      },
    });
    expect(failures.map((failure) => failure.property)).toEqual([
      "name",
      "partitions",
      "replicationFactor",
      "config.segment.ms",
      "config.retention.ms",
      "deletionPolicy",
      "connection.brokers",
      "connection.clientId",
      "connection.connectTimeoutMs",
      "connection.tls",
      "connection.sasl",
      "saslPassword",
    ]);
    expect(
      failures.find((failure) => failure.property === "config.retention.ms")?.reason,
    ).toContain('expected "-1" (keep forever) or a positive whole number');
  });

  it("accepts retention -1 and refuses numbers where strings are expected", () => {
    expect(validateTopicInputs({ ...providerInputs(), config: { "retention.ms": "-1" } })).toEqual(
      [],
    );
    expect(
      validateTopicInputs({ ...providerInputs(), config: { "retention.ms": 604800000 } }).map(
        (failure) => failure.property,
      ),
    ).toContain("config.retention.ms");
  });

  it("does not judge values unknown during preview", () => {
    expect(
      validateTopicInputs({
        ...providerInputs(),
        connection: UNKNOWN_VALUE,
        partitions: UNKNOWN_VALUE,
      }),
    ).toEqual([]);
  });
});

describe("topics CLI rules", () => {
  it("parses exactly the documented commands and flags, each command with its own", () => {
    const parse = (argv: string[]) => parseCommands(TOPICS_CLI, argv, () => undefined);
    expect(parse(["plan", "--stack", "dev", "--json", "--detailed-exitcode"])).toEqual({
      command: "plan",
      values: { stack: "dev", json: true, "detailed-exitcode": true },
    });
    expect(parse(["apply", "--stack", "prod", "--brokers", "a:1,b:2"])).toEqual({
      command: "apply",
      values: { stack: "prod", brokers: "a:1,b:2" },
    });
    expect(parse(["--stack", "external", "probe"])).toEqual({
      command: "probe",
      values: { stack: "external" },
    });
    expect(parse(["probe"])).toEqual({ command: "probe", values: {} });
    expect(() => parse(["apply", "--stack", "dev", "--detailed-exitcode"])).toThrow(
      "--detailed-exitcode only applies to plan",
    );
    expect(() => parse(["probe", "--json"])).toThrow("--json only applies to plan and apply");
    expect(() => parse(["destroy", "--stack", "dev"])).toThrow('unknown command "destroy"');
    expect(() => parse(["plan", "--stack", "dev", "--force"])).toThrow("'--force'");
    expect(() => parse(["plan", "extra"])).toThrow("unexpected argument(s): extra");
    expect(() => parse([])).toThrow("missing command: expected one of plan, apply, probe");
  });

  it("takes brokers from --brokers, then APPHUB_STREAM_BROKER_URL, then the stack, then the dev listener", () => {
    const dev = validConfig({ environment: "dev", dev: { kafkaPort: 29999 } });
    const withKafka = validConfig({ environment: "dev", kafka: { brokers: ["k:1"] } });
    const env = { APPHUB_STREAM_BROKER_URL: "e1:1, e2:2" };
    expect(resolveBrokers({ flag: "f:1", env, config: withKafka }).brokers).toEqual(["f:1"]);
    expect(resolveBrokers({ env, config: withKafka }).brokers).toEqual(["e1:1", "e2:2"]);
    expect(resolveBrokers({ env: {}, config: withKafka }).brokers).toEqual(["k:1"]);
    expect(resolveBrokers({ env: {}, config: dev }).brokers).toEqual(["127.0.0.1:29999"]);
    expect(resolveBrokers({ env: {} }).brokers).toEqual(["127.0.0.1:19092"]);
  });

  it("uses a Kubernetes stack's external listener, else asks where to connect, and rejects malformed brokers by source", () => {
    const external = validConfig({
      environment: "minikube",
      backup: { enabled: false },
      cluster: {
        replicas: 3,
        external: {
          enabled: true,
          type: "NodePort",
          basePort: 31092,
          advertisedHost: "192.168.49.2",
        },
      },
    });
    expect(resolveBrokers({ env: {}, config: external })).toEqual({
      brokers: ["192.168.49.2:31092", "192.168.49.2:31093", "192.168.49.2:31094"],
      source: "the cluster's external listener (apphub-streaming:cluster.external)",
    });
    // The schema now refuses a Kubernetes stack with neither kafka.brokers nor the external
    // listener; resolveBrokers still says where to connect when handed such a config.
    const withBrokers = validConfig({
      environment: "prod",
      backup: { bucketName: "b-bucket" },
      kafka: { brokers: ["10.0.0.1:9094"] },
    });
    expect(resolveBrokers({ env: {}, config: withBrokers, stack: "prod" })).toEqual({
      brokers: ["10.0.0.1:9094"],
      source: "apphub-streaming:kafka.brokers of stack prod",
    });
    const prod: StackConfig = {
      ...withBrokers,
      kafka: { ...withBrokers.kafka, brokers: undefined },
    };
    expect(() => resolveBrokers({ env: {}, config: prod, stack: "prod" })).toThrow(
      "no brokers for stack prod: pass --brokers, set APPHUB_STREAM_BROKER_URL",
    );
    expect(() => resolveBrokers({ flag: "host-without-port", env: {} })).toThrow(
      '--brokers: expected "host:port"',
    );
    expect(() =>
      resolveBrokers({ env: { APPHUB_STREAM_BROKER_URL: "h:99999" }, config: prod }),
    ).toThrow("APPHUB_STREAM_BROKER_URL: expected a port between 1 and 65535");
  });

  it("judges a plan clean, pending or blocked, and the CLI maps that to its exit code", () => {
    const noop = planTopic(desired(), live(), ONE_BROKER);
    const create = planTopic(desired(), undefined, ONE_BROKER);
    const update = planTopic(desired({ partitions: 7 }), live(), ONE_BROKER);
    const blocked = planTopic(desired({ partitions: 1 }), live(), ONE_BROKER);
    expect(planVerdict([])).toBe("clean");
    expect(planVerdict([noop])).toBe("clean");
    expect(planVerdict([noop, create])).toBe("pending");
    expect(planVerdict([noop, update])).toBe("pending");
    expect(planVerdict([update, blocked])).toBe("blocked");
    expect(planVerdict([blocked, noop])).toBe("blocked");

    expect(planExitCode("clean", true)).toBe(0);
    expect(planExitCode("clean", false)).toBe(0);
    expect(planExitCode("pending", true)).toBe(3);
    expect(planExitCode("pending", false)).toBe(0);
    expect(planExitCode("blocked", true)).toBe(3);
    expect(planExitCode("blocked", false)).toBe(3);
  });
});

describe("the verifying re-read after an apply", () => {
  it("tries again every 50 ms for two seconds, then every 250 ms", () => {
    const delays = Array.from({ length: 44 }, (_, index) => verifyPollDelayMs(index + 1));
    expect(delays.slice(0, 40).every((delay) => delay === 50)).toBe(true);
    expect(delays.slice(40)).toEqual([250, 250, 250, 250]);
    // A topic that shows 440 ms after CreateTopics is seen by the try at 450 ms.
    const cumulative = delays.map((_, index) => delays.slice(0, index + 1).reduce((a, b) => a + b));
    expect(cumulative.find((at) => at >= 440)).toBe(450);
  });
});
