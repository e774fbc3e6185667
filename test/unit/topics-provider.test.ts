// The KafkaTopic provider's pure decisions, as the real engine calls them: check(old inputs,
// new inputs) holds every refusal, diff(old outputs, new inputs) never throws (refresh calls
// it with live values), read keeps the declared partitions and reports the live count apart.
import { describe, expect, it } from "vitest";
import type { KafkaTopicInputs } from "../../src/topics/model";
import {
  ADOPTION_NOTE,
  adoptedInputs,
  adoptionFailures,
  adoptionLookup,
  checkTopic,
  diffTopic,
  echoInputs,
  handAddedPartitionsMessage,
  liveOutputs,
  outsOf,
} from "../../src/topics/providerLogic";
import type { LiveTopic } from "../../src/topics/plan";
import { UNKNOWN_VALUE } from "../../src/topics/validate";

function inputs(overrides: Partial<KafkaTopicInputs> = {}): KafkaTopicInputs {
  return {
    name: "apphub.core.events",
    partitions: 6,
    replicationFactor: 1,
    config: { "retention.ms": "604800000" },
    deletionPolicy: "retain",
    providerVersion: "2",
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
const record = (value: object) => value as Record<string, unknown>;

describe("provider check (refusals of a stack change)", () => {
  it("accepts good inputs on create (no olds) and unchanged inputs on update", () => {
    expect(checkTopic({}, record(inputs()))).toEqual([]);
    expect(checkTopic(record(inputs()), record(inputs({ partitions: 12 })))).toEqual([]);
  });

  it("refuses a partition decrease, naming the topic, both counts, the reason and the fix", () => {
    const failures = checkTopic(record(inputs()), record(inputs({ partitions: 4 })));
    expect(failures).toHaveLength(1);
    expect(failures[0]?.property).toBe("partitions");
    expect(failures[0]?.reason).toMatch(
      /^cannot decrease partitions of apphub\.core\.events from 6 to 4: Kafka cannot shrink a topic's partitions/,
    );
    expect(failures[0]?.reason).toContain(
      "Keep apphub-streaming:topics.apphub.core.events.partitions at 6 or more",
    );
  });

  it("refuses renaming a retained topic, and lets a deletionPolicy: delete topic be replaced", () => {
    const failures = checkTopic(record(inputs()), record(inputs({ name: "apphub.core.events2" })));
    expect(failures.map((failure) => failure.property)).toEqual(["name"]);
    expect(failures[0]?.reason).toMatch(/Kafka cannot rename topics/);
    expect(
      checkTopic(
        record(inputs({ deletionPolicy: "delete" })),
        record(inputs({ name: "apphub.core.events2" })),
      ),
    ).toEqual([]);
  });

  it("still reports bad fields, and does not judge unknown values", () => {
    expect(
      checkTopic({}, record(inputs({ partitions: 0 }))).map((failure) => failure.property),
    ).toEqual(["partitions"]);
    expect(
      checkTopic(record(inputs()), { ...record(inputs()), partitions: UNKNOWN_VALUE }),
    ).toEqual([]);
  });

  it("lets pulumi import record a SASL topic without its password, and nothing else", () => {
    const connection = {
      ...inputs().connection,
      sasl: { mechanism: "plain" as const, username: "u" },
    };
    const recorded = record(inputs({ connection }));
    // The import's check: the recorded state against itself.
    expect(checkTopic(recorded, { ...recorded })).toEqual([]);
    // A create, or an update, without the password is refused as before.
    expect(checkTopic({}, recorded).map((failure) => failure.property)).toEqual(["saslPassword"]);
    expect(checkTopic(record(inputs()), recorded).map((failure) => failure.property)).toEqual([
      "saslPassword",
    ]);
  });
});

describe("provider diff (never throws)", () => {
  const olds = record(outsOf(inputs()));
  const news = (overrides: Partial<KafkaTopicInputs>) => record(inputs(overrides));

  it("is an in-place update for a retention change, never a replacement", () => {
    expect(diffTopic(olds, news({ config: { "retention.ms": "259200000" } }))).toEqual({
      changes: true,
    });
  });

  it("sees no change when only the spelling of a value differs, or only the provider text", () => {
    expect(diffTopic(olds, news({ config: { "retention.ms": " 604800000" } }))).toEqual({
      changes: false,
    });
    expect(diffTopic(olds, { ...news({}), __provider: "code" })).toEqual({ changes: false });
  });

  it("updates for partition increases, replication, deletion policy, provider version and connection changes", () => {
    for (const change of [
      { partitions: 7 },
      { replicationFactor: 3 },
      { deletionPolicy: "delete" as const },
      { providerVersion: "3" },
      { connection: { ...inputs().connection, brokers: ["b:1"] } },
    ]) {
      expect(diffTopic(olds, news(change))).toEqual({ changes: true });
    }
  });

  it("treats unknown inputs as a possible change", () => {
    expect(diffTopic(olds, { ...news({}), connection: UNKNOWN_VALUE })).toEqual({ changes: true });
  });

  it("does not throw on what refresh sends: live values as olds, partitions added by hand included", () => {
    const refreshed = record(
      liveOutputs(inputs(), {
        partitions: 8,
        replication: [1],
        configs: { "retention.ms": "86400000" },
      }),
    );
    expect(diffTopic(refreshed, news({}))).toEqual({ changes: true });
    const onlyPartitions = record(
      liveOutputs(inputs(), {
        partitions: 8,
        replication: [1],
        configs: { "retention.ms": "604800000" },
      }),
    );
    expect(diffTopic(onlyPartitions, news({}))).toEqual({ changes: false });
    // Even a decrease that check would refuse is not a throw here.
    expect(() => diffTopic(olds, news({ partitions: 3 }))).not.toThrow();
    expect(() => diffTopic(olds, news({ name: "renamed" }))).not.toThrow();
  });

  it("replaces on rename (check has already refused it unless the old topic's deletionPolicy is delete)", () => {
    expect(diffTopic({ ...olds, deletionPolicy: "delete" }, news({ name: "renamed" }))).toEqual({
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });
});

describe("provider read shaping", () => {
  it("reports live managed values (stored spelling when equal) and the live partition count apart from the declared one", () => {
    const stored = inputs({ config: { "retention.ms": "604800000", "segment.ms": "3600000" } });
    const outs = liveOutputs(stored, {
      partitions: 8,
      replication: [1],
      configs: { "retention.ms": "86400000", "segment.ms": " 3600000", "other.key": "x" },
    });
    expect(outs.config).toEqual({ "retention.ms": "86400000", "segment.ms": "3600000" });
    expect(outs.partitions).toBe(6);
    expect(outs.livePartitions).toBe(8);
    expect(outs.replicationFactor).toBe(1);
    expect(outs.connection).toEqual(stored.connection);
    // The inputs refresh records have no livePartitions: the next check sees the declared 6, not a decrease.
    const recorded = echoInputs(outs);
    expect(recorded).not.toHaveProperty("livePartitions");
    expect(checkTopic(record(recorded), record(inputs()))).toEqual([]);
  });

  it("words the hand-added partition report with topic, both counts and the fix", () => {
    expect(handAddedPartitionsMessage("apphub.jobs.runs", 8, 6)).toBe(
      "apphub.jobs.runs has 8 partitions on the broker but the stack says 6 (added outside Pulumi, recorded by refresh). " +
        "Kafka cannot remove partitions, so they stay; set apphub-streaming:topics.apphub.jobs.runs.partitions to 8 to make the stack say what the broker has",
    );
  });
});

describe("adoption on create (an adopt topic that may already be on the broker)", () => {
  const ONE_BROKER = { brokerIds: [1] };
  function live(
    count: number,
    replicas: number[],
    configs: Record<string, { value: string; isOverride: boolean }> = {},
  ): LiveTopic {
    return {
      name: "apphub.core.events",
      partitions: Array.from({ length: count }, (_, id) => ({
        id,
        leader: replicas[0]!,
        replicas,
        isr: replicas,
      })),
      configs: Object.fromEntries(
        Object.entries(configs).map(([key, entry]) => [key, { ...entry, readOnly: false }]),
      ),
    };
  }

  it("looks the topic up only for a create of an adopt topic, and says so when the brokers are not known yet", () => {
    expect(adoptionLookup({}, record(inputs()))).toBe("none");
    expect(adoptionLookup(record(inputs()), record(inputs({ adopt: true })))).toBe("none");
    expect(adoptionLookup({}, record(inputs({ adopt: true })))).toBe("lookup");
    const note = adoptionLookup(
      {},
      record(inputs({ adopt: true, connection: UNKNOWN_VALUE as never })),
    );
    expect(note).toMatchObject({ level: "info" });
    expect((note as { message: string }).message).toContain("shows at up");
  });

  it("takes an identical topic as it is and says up changes nothing", () => {
    const adopted = adoptedInputs(
      inputs({ adopt: true }),
      live(6, [1], { "retention.ms": { value: "604800000", isOverride: true } }),
      ONE_BROKER,
    );
    expect(adopted).toMatchObject({ partitions: 6, replicationFactor: 1, adopt: true });
    expect(adopted.config).toEqual({ "retention.ms": "604800000" });
    expect(adopted[ADOPTION_NOTE]).toEqual({
      level: "info",
      message:
        "adopt: apphub.core.events exists on the brokers (6 partitions, replication 1); up records it as it is and changes nothing on the broker",
    });
  });

  it("records a differing config as the broker has it and names the difference the next preview shows", () => {
    const adopted = adoptedInputs(
      inputs({ adopt: true, partitions: 8 }),
      live(6, [1], { "retention.ms": { value: "3600000", isOverride: true } }),
      ONE_BROKER,
    );
    expect(adopted.config).toEqual({ "retention.ms": "3600000" });
    expect(adopted.partitions).toBe(6);
    expect(adopted[ADOPTION_NOTE].message).toContain(
      'the stack differs, so the next preview shows an update: partitions: "6" => "8", retention.ms: "3600000" => "604800000"',
    );
  });

  it("warns that a topic not on the brokers is created as the stack says", () => {
    const adopted = adoptedInputs(inputs({ adopt: true }), undefined, ONE_BROKER);
    expect(adopted[ADOPTION_NOTE]).toMatchObject({ level: "warning" });
    expect(adopted.partitions).toBe(6);
  });

  it("refuses fewer partitions than the broker has and another replication factor, naming the topic and the fix", () => {
    expect(adoptionFailures(inputs({ adopt: true }), live(6, [1]))).toEqual([]);
    expect(adoptionFailures(inputs({ adopt: true }), live(4, [1]))).toEqual([]);
    const failures = adoptionFailures(inputs({ adopt: true, replicationFactor: 3 }), live(8, [1]));
    expect(failures.map((failure) => failure.property)).toEqual([
      "partitions",
      "replicationFactor",
    ]);
    expect(failures[0]?.reason).toBe(
      "cannot adopt apphub.core.events: it has 8 partitions on the broker, the stack says 6, and Kafka cannot remove partitions; " +
        "set apphub-streaming:topics.apphub.core.events.partitions to 8 (npm run topics -- import writes what the broker has)",
    );
    expect(failures[1]?.reason).toContain(
      "cannot adopt apphub.core.events: its replication factor is 1 on the broker, the stack says 3",
    );
  });
});
