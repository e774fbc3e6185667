// What the topic engine and the serialized provider put on the wire, seen by a loopback TCP
// proxy (topics-proxy.ts) in front of the real single broker: a retention update is one
// IncrementalAlterConfigs naming only retention.ms (validate-only, then for real), never the
// legacy AlterConfigs; DescribeConfigs asks only about the managed keys; an override set by
// hand after the plan and before the apply survives; and the provider run as the engine runs
// it (serialized text, one process for many calls) uses one connection for all of them.
// Needs `npx tsc -p .` first (the provider runs compiled, in child processes).
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlans, planTopics } from "../../src/topics/engine";
import { withSession } from "../../src/topics/kafka";
import type { ConnectionSettings, DesiredTopic } from "../../src/topics/model";
import { PROVIDER_VERSION } from "../../src/topics/model";
import { SINGLE_BROKERS } from "../peers/kafka";
import { runSerializationScript } from "../support/serialization";
import { API_KEYS, type KafkaProxy, startKafkaProxy } from "./topics-proxy";

const PREFIX = `it-wire-${randomUUID().slice(0, 8)}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-wire-"));
const created: string[] = [];
let proxy: KafkaProxy;

function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin("wire-test", SINGLE_BROKERS, use);
}

async function overridesOf(topic: string): Promise<Record<string, string>> {
  return withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries(
      (resources[0]?.configEntries ?? [])
        .filter((entry) => entry.configSource === 1)
        .map((entry) => [entry.configName, entry.configValue]),
    );
  });
}

/** What an operator's `rpk topic alter-config --set` does: read the overrides, send them back with the change. */
async function setByHand(topic: string, changes: Record<string, string>): Promise<void> {
  const current = await overridesOf(topic);
  await withAdmin((admin) =>
    admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: Object.entries({ ...current, ...changes }).map(([name, value]) => ({
            name,
            value,
          })),
        },
      ],
    }),
  );
}

function connection(brokers: string[]): ConnectionSettings {
  return {
    brokers,
    clientId: "wire-test",
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15000,
    tls: { enabled: false, rejectUnauthorized: true },
  };
}

beforeAll(async () => {
  proxy = await startKafkaProxy(SINGLE_BROKERS[0] ?? "127.0.0.1:19092");
});

afterAll(async () => {
  await proxy.close();
  await deleteTestTopics("wire-test", SINGLE_BROKERS, (topic) => created.includes(topic));
  fs.rmSync(work, { recursive: true, force: true });
});

describe("config changes on the wire", () => {
  it("sends one IncrementalAlterConfigs naming only retention.ms, and a hand-set override made between plan and apply survives", async () => {
    const name = `${PREFIX}.retention`;
    created.push(name);
    const desired: DesiredTopic = {
      name,
      partitions: 2,
      replicationFactor: 1,
      config: { "retention.ms": "259200000" },
      deletionPolicy: "retain",
    };
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: name,
            numPartitions: 2,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "604800000" }],
          },
        ],
      }),
    );

    proxy.reset();
    await withSession(connection([proxy.address]), undefined, async (session) => {
      const { plans } = await planTopics(session, [desired]);
      expect(plans[0]).toMatchObject({
        action: "update",
        changes: [{ key: "retention.ms", from: "604800000", to: "259200000" }],
      });
      // Between the plan and the apply, someone sets an override the stack does not manage.
      await setByHand(name, { "max.message.bytes": "2097152" });
      await applyPlans(session, plans);
    });

    const configRequests = proxy.requests.filter(
      (request) =>
        request.apiKey === API_KEYS.IncrementalAlterConfigs ||
        request.apiKey === API_KEYS.AlterConfigs,
    );
    expect(
      configRequests.map((request) => [request.apiKey, request.apiVersion, request.validateOnly]),
    ).toEqual([
      [API_KEYS.IncrementalAlterConfigs, 0, true],
      [API_KEYS.IncrementalAlterConfigs, 0, false],
    ]);
    for (const request of configRequests) {
      expect(request.resources).toEqual([
        { type: 2, name, configs: [{ name: "retention.ms", operation: 0, value: "259200000" }] },
      ]);
    }
    // Reads ask only about the managed key, never about the other overrides.
    const describes = proxy.requests.filter(
      (request) => request.apiKey === API_KEYS.DescribeConfigs,
    );
    expect(describes.length).toBeGreaterThan(0);
    for (const request of describes)
      expect(request.resources).toEqual([{ type: 2, name, configs: [{ name: "retention.ms" }] }]);
    // Everything went through the one connection the session opened.
    expect(proxy.connections()).toBe(1);

    const after = await overridesOf(name);
    expect(after["retention.ms"]).toBe("259200000");
    expect(after["max.message.bytes"]).toBe("2097152");
  });

  it("reports the broker's refusal per topic and changes nothing", async () => {
    const name = `${PREFIX}.refused`;
    created.push(name);
    await withAdmin((admin) =>
      admin.createTopics({
        topics: [
          {
            topic: name,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "604800000" }],
          },
        ],
      }),
    );
    const desired: DesiredTopic = {
      name,
      partitions: 1,
      replicationFactor: 1,
      config: { "retention.ms": "259200000", "cleanup.policy": "shred" },
      deletionPolicy: "retain",
    };
    await expect(
      withSession(connection(SINGLE_BROKERS), undefined, async (session) =>
        applyPlans(session, (await planTopics(session, [desired])).plans),
      ),
    ).rejects.toThrow(
      new RegExp(
        `nothing was changed; the broker refused:\\s+validating configs of ${name.replace(/\./g, "\\.")} on .*${name.replace(/\./g, "\\.")}: .*shred`,
      ),
    );
    expect((await overridesOf(name))["retention.ms"]).toBe("604800000");
  });
});

describe("the serialized provider in one engine run", () => {
  let providerFile = "";

  beforeAll(async () => {
    const file = path.join(work, "serialized.json");
    const child = await runSerializationScript("serialize-provider", [file]);
    if (child.code !== 0) throw new Error(`serialize-provider failed: ${child.stderr}`);
    const declared = (
      JSON.parse(fs.readFileSync(file, "utf8")) as { declared: { provider: string }[] }
    ).declared[0];
    if (!declared) throw new Error("serialize-provider declared no KafkaTopic");
    providerFile = path.join(work, "provider.json");
    fs.writeFileSync(providerFile, JSON.stringify({ text: declared.provider }));
  });

  it("creates, reads and updates many topics over one connection, and an update sends only the managed key", async () => {
    const names = Array.from({ length: 6 }, (_, index) => `${PREFIX}.run-${index}`);
    created.push(...names);
    const inputsOf = (name: string, retention: string) => ({
      name,
      partitions: 2,
      replicationFactor: 1,
      config: { "retention.ms": retention },
      deletionPolicy: "retain",
      providerVersion: PROVIDER_VERSION,
      connection: connection([proxy.address]),
    });
    const calls = [
      ...names.map((name) => ({ method: "check", args: [{}, inputsOf(name, "604800000")] })),
      ...names.map((name) => ({ method: "create", args: [inputsOf(name, "604800000")] })),
      ...names.map((name) => ({ method: "read", args: [name, inputsOf(name, "604800000")] })),
      {
        method: "update",
        args: [
          names[0],
          inputsOf(names[0] ?? "", "604800000"),
          inputsOf(names[0] ?? "", "86400000"),
        ],
      },
    ];
    const script = path.join(work, "calls.json");
    fs.writeFileSync(script, JSON.stringify(calls));
    proxy.reset();
    // Asynchronously: the proxy runs in this process and must keep serving while the child runs.
    const run = await runSerializationScript("drive-provider", [providerFile, "--script", script], {
      env: { ...process.env, DRIVE_CONCURRENCY: "4" },
    });
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
      ok: boolean;
      result: { calls: { ok: boolean; error?: string }[]; sessions: { opened: number } };
    };
    expect(outcome.ok).toBe(true);
    expect(outcome.result.calls.filter((call) => !call.ok)).toEqual([]);
    // One session for the whole run: one TCP connection, one ApiVersions handshake.
    expect(outcome.result.sessions.opened).toBe(1);
    expect(proxy.connections()).toBe(1);
    expect(proxy.requests.filter((request) => request.apiKey === 18)).toHaveLength(1);
    const alters = proxy.requests.filter(
      (request) =>
        request.apiKey === API_KEYS.IncrementalAlterConfigs ||
        request.apiKey === API_KEYS.AlterConfigs,
    );
    expect(alters.map((request) => request.apiKey)).toEqual([
      API_KEYS.IncrementalAlterConfigs,
      API_KEYS.IncrementalAlterConfigs,
    ]);
    expect(
      alters.every(
        (request) =>
          JSON.stringify(request.resources) ===
          JSON.stringify([
            {
              type: 2,
              name: names[0],
              configs: [{ name: "retention.ms", operation: 0, value: "86400000" }],
            },
          ]),
      ),
    ).toBe(true);
  });
});
