// The KafkaTopic dynamic provider as the Pulumi engine runs it: the provider text a real
// TopicBootstrap declares from plain Node (a shim that loads the runtime from this checkout, see
// src/topics/provider.ts) (`test/serialization/serialize-provider.ts`, which declares it
// under Pulumi's mocks), loaded back from that text by the host's own loader in a fresh process
// per call (`drive-provider.ts`), and driven against the real single broker. Verification goes
// through an independent kafkajs admin client. Needs `npx tsc -p .` first.
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_VERSION } from "../../src/topics/model";
import { SINGLE_BROKERS } from "../peers/kafka";
import { type DriveOutcome, driveProvider, runSerializationScript } from "../support/serialization";

const SASL_PASSWORD = `never-in-state-${randomUUID()}`;
const PREFIX = `it-provider-${randomUUID().slice(0, 8)}`;
const created = new Set<string>();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-provider-"));
let providerFile = "";
interface Declared {
  name: string;
  provider: string;
  inputs: Record<string, unknown>;
  options: { additionalSecretOutputs: string[] };
}
let serialized: { text: string; containsSecrets: boolean; declared: Declared[]; raw: string };

function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin("provider-test", SINGLE_BROKERS, use);
}

async function topicConfigs(
  topic: string,
): Promise<Record<string, { value: string | null; source: number }>> {
  return withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((entry) => [
        entry.configName,
        { value: entry.configValue, source: entry.configSource },
      ]),
    );
  });
}

async function partitionCount(topic: string): Promise<number | undefined> {
  return withAdmin(async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length;
  });
}

/** Sets `changes` by hand the way `rpk topic alter-config` would: every other override kept. */
async function alterByHand(topic: string, changes: Record<string, string>): Promise<void> {
  const current = await topicConfigs(topic);
  const overrides = Object.fromEntries(
    Object.entries(current)
      .filter(([, entry]) => entry.source === 1 && entry.value !== null)
      .map(([key, entry]) => [key, entry.value as string]),
  );
  await withAdmin((admin) =>
    admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: Object.entries({ ...overrides, ...changes }).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
    }),
  );
}

type Outcome = DriveOutcome<Record<string, unknown> | null>;

/** One provider call in a fresh Node process, loaded from the serialized text. */
function call(method: string, ...args: unknown[]): Promise<Outcome> {
  return driveProvider(providerFile, method, args, { timeoutMs: 60_000 });
}

async function succeed(method: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  const outcome = await call(method, ...args);
  if (!outcome.ok) throw new Error(`${method} failed: ${outcome.error}`);
  return outcome.result ?? {};
}

function inputs(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    partitions: 3,
    replicationFactor: 1,
    config: { "retention.ms": "604800000" },
    deletionPolicy: "delete",
    providerVersion: PROVIDER_VERSION,
    connection: {
      brokers: SINGLE_BROKERS,
      clientId: "provider-test",
      connectTimeoutMs: 3000,
      requestTimeoutMs: 15000,
      tls: { enabled: false, rejectUnauthorized: true },
    },
    __provider: serialized.text,
    ...overrides,
  };
}

beforeAll(async () => {
  const file = path.join(work, "serialized.json");
  const child = await runSerializationScript("serialize-provider", [file], {
    env: { ...process.env, SERIALIZATION_SASL_PASSWORD: SASL_PASSWORD },
  });
  if (child.code !== 0) throw new Error(`serialize-provider failed: ${child.stderr}`);
  const text = fs.readFileSync(file, "utf8");
  const raw = JSON.parse(text) as Omit<typeof serialized, "raw">;
  const declared = raw.declared[0];
  if (!declared) throw new Error("serialize-provider declared no KafkaTopic");
  // Drive the exact text the engine would have stored in state for a declared topic.
  serialized = { ...raw, text: declared.provider, raw: text };
  providerFile = path.join(work, "provider.json");
  fs.writeFileSync(providerFile, JSON.stringify({ text: serialized.text }));
});

afterAll(async () => {
  await deleteTestTopics("provider-test", SINGLE_BROKERS, (topic) => created.has(topic));
  fs.rmSync(work, { recursive: true, force: true });
});

describe("the serialized KafkaTopic provider", () => {
  it("is a small shim that loads the runtime from the checkout, and the password stays a secret outside it", async () => {
    expect(serialized.text).toContain("exports.handler");
    expect(serialized.text).toContain("src/topics/providerEntry.js");
    // The engine is not carried by value: no kafkajs, no plan, no engine code in the text.
    expect(serialized.text).not.toMatch(/kafkajs|planTopic|applyPlans/);
    expect(serialized.text.length).toBeLessThan(200);
    expect(serialized.containsSecrets).toBe(false);
    // Nowhere in what the engine receives (provider text, inputs, options) is the password in clear.
    expect(serialized.raw).not.toContain(SASL_PASSWORD);
    const [declared] = serialized.declared;
    expect(declared?.inputs.saslPassword).toBe("[secret]");
    expect(declared?.options.additionalSecretOutputs).toEqual(["saslPassword"]);
    // It requires the checkout's entry and nothing else.
    expect(serialized.text.match(/require\(/g)).toHaveLength(1);
  });

  it("check names every bad field", async () => {
    const result = await succeed(
      "check",
      {},
      inputs(`${PREFIX}.bad name`, {
        partitions: 0,
        replicationFactor: 1.5,
        config: { "retention.ms": "0", "cleanup.policy": 7 },
        deletionPolicy: "purge",
      }),
    );
    const failures = (result.failures as { property: string; reason: string }[]).map(
      (failure) => failure.property,
    );
    expect(failures).toEqual(
      expect.arrayContaining([
        "name",
        "partitions",
        "replicationFactor",
        "config.retention.ms",
        "config.cleanup.policy",
        "deletionPolicy",
      ]),
    );
    expect((await succeed("check", {}, inputs(`${PREFIX}.fine`))).failures).toEqual([]);
  });

  it("creates, diffs, updates, reads and deletes a topic against the real broker", async () => {
    const name = `${PREFIX}.lifecycle`;
    created.add(name);
    const first = inputs(name);

    const createResult = await succeed("create", first);
    expect(createResult.id).toBe(name);
    const outs = createResult.outs as Record<string, unknown>;
    expect(outs).toMatchObject({
      name,
      partitions: 3,
      replicationFactor: 1,
      config: { "retention.ms": "604800000" },
      deletionPolicy: "delete",
    });
    expect(outs).not.toHaveProperty("__provider");
    expect(outs.livePartitions).toBe(3);
    expect(await partitionCount(name)).toBe(3);
    expect((await topicConfigs(name))["retention.ms"]?.value).toBe("604800000");

    // A retention change is an in-place update; nothing else reads as changed.
    const second = inputs(name, { config: { "retention.ms": "259200000" } });
    expect(await succeed("diff", name, outs, second)).toEqual({ changes: true });
    expect(await succeed("diff", name, outs, inputs(name))).toEqual({ changes: false });
    expect(
      await succeed(
        "diff",
        name,
        outs,
        inputs(name, { connection: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }),
      ),
    ).toEqual({ changes: true });

    // A partition decrease is refused by check (preview/up), before anything runs; diff never throws.
    const shrink = await succeed("check", first, inputs(name, { partitions: 2 }));
    expect(shrink.failures).toEqual([
      {
        property: "partitions",
        reason: expect.stringMatching(
          /cannot decrease partitions .* from 3 to 2: Kafka cannot shrink/,
        ),
      },
    ]);
    expect((await call("diff", name, outs, inputs(name, { partitions: 2 }))).ok).toBe(true);

    // An override set by hand that the stack does not manage survives the update.
    await alterByHand(name, { "max.message.bytes": "2097152" });
    const updated = await succeed("update", name, outs, second);
    expect((updated.outs as Record<string, unknown>).config).toEqual({
      "retention.ms": "259200000",
    });
    const afterUpdate = await topicConfigs(name);
    expect(afterUpdate["retention.ms"]?.value).toBe("259200000");
    expect(afterUpdate["max.message.bytes"]?.value).toBe("2097152");

    // A partition increase is an update too.
    const grown = inputs(name, { partitions: 5, config: { "retention.ms": "259200000" } });
    expect(await succeed("diff", name, updated.outs, grown)).toEqual({ changes: true });
    const grownOuts = (await succeed("update", name, updated.outs, grown)).outs as Record<
      string,
      unknown
    >;
    expect(await partitionCount(name)).toBe(5);

    // Drift made out of band shows up in read (what `pulumi refresh` records): retention, and
    // partitions added by hand as livePartitions, with the declared count kept.
    await alterByHand(name, { "retention.ms": "86400000" });
    await withAdmin((admin) =>
      admin.createPartitions({ topicPartitions: [{ topic: name, count: 7 }] }),
    );
    const read = await succeed("read", name, grownOuts);
    expect(read.id).toBe(name);
    expect(read.props).toMatchObject({
      config: { "retention.ms": "86400000" },
      partitions: 5,
      livePartitions: 7,
    });
    expect(read.inputs).toMatchObject({ config: { "retention.ms": "86400000" }, partitions: 5 });
    expect(read.inputs).not.toHaveProperty("livePartitions");
    // ... the next check passes (no stack decrease), and diff is an update that puts retention back
    // and leaves the hand-added partitions, which Kafka cannot remove.
    expect((await succeed("check", read.inputs, grown)).failures).toEqual([]);
    expect(await succeed("diff", name, read.props, grown)).toEqual({ changes: true });
    const reverted = (await succeed("update", name, read.props, grown)).outs as Record<
      string,
      unknown
    >;
    expect(reverted).toMatchObject({ partitions: 5, livePartitions: 7 });
    expect((await topicConfigs(name))["retention.ms"]?.value).toBe("259200000");
    expect(await partitionCount(name)).toBe(7);

    // deletionPolicy "delete" is the only way the provider deletes a topic.
    await succeed("delete", name, { ...grownOuts, deletionPolicy: "retain" });
    expect(await partitionCount(name)).toBe(7);
    await succeed("delete", name, grownOuts);
    expect(await partitionCount(name)).toBeUndefined();
    // A topic that is gone reads as gone, so the engine drops it from state.
    expect((await succeed("read", name, grownOuts)).id).toBe("");
  });

  it("a create takes over an existing topic only when it already matches; otherwise it changes nothing and says how to adopt", async () => {
    const matching = `${PREFIX}.adopt-ok`;
    const differing = `${PREFIX}.adopt-cfg`;
    const mismatched = `${PREFIX}.adopt-no`;
    for (const name of [matching, differing, mismatched]) created.add(name);
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: matching,
            numPartitions: 3,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "604800000" }],
          },
          {
            topic: differing,
            numPartitions: 3,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "1000000" }],
          },
          { topic: mismatched, numPartitions: 2, replicationFactor: 1 },
        ],
      }),
    );
    const adopted = await succeed("create", inputs(matching, { deletionPolicy: "retain" }));
    expect(adopted.id).toBe(matching);

    const differs = await call("create", inputs(differing, { deletionPolicy: "retain" }));
    expect(differs.ok).toBe(false);
    expect(!differs.ok && differs.error).toContain(
      `${differing} already exists on the broker and differs from the stack; retention.ms is "1000000" there, the stack says "604800000"`,
    );
    expect(!differs.ok && differs.error).toContain(
      `apphub-streaming:topics.${differing}.adopt: true`,
    );
    expect((await topicConfigs(differing))["retention.ms"]?.value).toBe("1000000");

    const refused = await call("create", inputs(mismatched));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/already exists on the broker and differs/);
    expect(!refused.ok && refused.error).toMatch(/it has 2 partitions there, the stack says 3/);
    expect(await partitionCount(mismatched)).toBe(2);
  });

  it("check of an adopt topic returns what the broker has, with the preview's note, and writes nothing", async () => {
    const existing = `${PREFIX}.adopt-check`;
    created.add(existing);
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: existing,
            numPartitions: 3,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "1000000" }],
          },
        ],
      }),
    );
    const checked = await succeed("check", {}, inputs(existing, { adopt: true }));
    expect(checked.failures).toEqual([]);
    // The engine's dynamic-provider server puts `__provider` back on what check returns.
    const adoptedInputs = { ...(checked.inputs as object), __provider: serialized.text } as Record<
      string,
      unknown
    >;
    expect(adoptedInputs.config).toEqual({ "retention.ms": "1000000" });
    expect(adoptedInputs.__adoption).toMatchObject({ level: "info" });
    const recorded = await succeed("create", adoptedInputs);
    expect(recorded.id).toBe(existing);
    expect((await topicConfigs(existing))["retention.ms"]).toMatchObject({ value: "1000000" });

    const fewer = await succeed("check", {}, inputs(existing, { adopt: true, partitions: 1 }));
    expect(fewer.failures).toEqual([
      {
        property: "partitions",
        reason: expect.stringContaining(
          `cannot adopt ${existing}: it has 3 partitions on the broker, the stack says 1`,
        ),
      },
    ]);
  });

  it("refuses a rename in check unless the old topic's deletionPolicy is delete", async () => {
    const olds = { ...inputs(`${PREFIX}.old`, { deletionPolicy: "retain" }) };
    const renamed = await succeed("check", olds, inputs(`${PREFIX}.new`));
    expect(renamed.failures).toEqual([
      { property: "name", reason: expect.stringMatching(/Kafka cannot rename topics/) },
    ]);
    expect(
      (await succeed("check", { ...olds, deletionPolicy: "delete" }, inputs(`${PREFIX}.new`)))
        .failures,
    ).toEqual([]);
    expect(
      await succeed(
        "diff",
        `${PREFIX}.old`,
        { ...olds, deletionPolicy: "delete" },
        inputs(`${PREFIX}.new`),
      ),
    ).toEqual({
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });

  it("fails within the connect timeout, naming the brokers, when no broker answers", async () => {
    const started = Date.now();
    const outcome = await call(
      "create",
      inputs(`${PREFIX}.unreachable`, {
        connection: {
          ...(inputs("x").connection as object),
          brokers: ["127.0.0.1:1"],
          connectTimeoutMs: 1500,
        },
      }),
    );
    const elapsed = Date.now() - started;
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toContain("127.0.0.1:1");
    // One fresh Node process plus at most the 1.5 s connect budget.
    expect(elapsed).toBeLessThan(1500 + 5000);
  });
});
