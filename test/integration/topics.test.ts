// The topic engine and the topics CLI against the real peers: the single broker (dev stack
// defaults) and the three-broker cluster. Every test works on topics under its own unique
// prefix, checks the broker through an independent kafkajs admin client, and deletes only the
// topics it created. The CLI runs compiled (`npx tsc -p .` first) in a child process, from a
// scratch directory holding the stack file, exactly as an operator runs it.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { SEED_TOPICS } from "../../src/topics/catalog";
import { applyPlans, planTopics } from "../../src/topics/engine";
import { type KafkaSession, withSession } from "../../src/topics/kafka";
import type { ConnectionSettings, DesiredTopic } from "../../src/topics/model";
import type { PlanReport } from "../../src/topics/plan";
import { CLUSTER_BROKERS, SINGLE_BROKERS } from "../peers/kafka";
import { type ChildResult, runChild } from "../support/child";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";

const REPO_ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(REPO_ROOT, "dist/src/cli/topics.js");
const RUN = randomUUID().slice(0, 8);
/** Prefixes this file created topics under, per broker set, for cleanup. */
const createdPrefixes: { brokers: string[]; prefix: string }[] = [];

function newPrefix(label: string, brokers: string[]): string {
  const prefix = `it-topics-${RUN}-${label}`;
  createdPrefixes.push({ brokers, prefix });
  return prefix;
}

afterAll(async () => {
  for (const brokers of [SINGLE_BROKERS, CLUSTER_BROKERS]) {
    const prefixes = createdPrefixes
      .filter((entry) => entry.brokers === brokers)
      .map((entry) => `${entry.prefix}.`);
    if (prefixes.length === 0) continue;
    await deleteTestTopics("topics-test", brokers, (topic) =>
      prefixes.some((prefix) => topic.startsWith(prefix)),
    );
  }
});

function withAdmin<T>(brokers: string[], use: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin("topics-test", brokers, use);
}

async function topicsUnder(brokers: string[], prefix: string): Promise<string[]> {
  return withAdmin(brokers, async (admin) =>
    (await admin.listTopics()).filter((topic) => topic.startsWith(`${prefix}.`)).sort(),
  );
}

async function configsOf(
  brokers: string[],
  topic: string,
): Promise<Record<string, { value: string | null; source: number }>> {
  return withAdmin(brokers, async (admin) => {
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

async function partitionsOf(brokers: string[], topic: string) {
  return withAdmin(brokers, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return [...(topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
  });
}

/** Sets configs by hand as `rpk topic alter-config` would: every other override kept. */
async function alterByHand(
  brokers: string[],
  topic: string,
  changes: Record<string, string>,
): Promise<void> {
  const overrides = Object.fromEntries(
    Object.entries(await configsOf(brokers, topic))
      .filter(([, entry]) => entry.source === 1 && entry.value !== null)
      .map(([key, entry]) => [key, entry.value as string]),
  );
  await withAdmin(brokers, (admin) =>
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

/** The seed's seven topics, renamed under `prefix`, with the seed's partitions and retentions. */
function seedCatalog(
  prefix: string,
  overrides: Record<string, Record<string, unknown>> = {},
): Record<string, Record<string, unknown> | null> {
  const topics: Record<string, Record<string, unknown> | null> = Object.fromEntries(
    SEED_TOPICS.map((topic) => [topic.name, null]),
  );
  for (const topic of SEED_TOPICS) {
    const name = `${prefix}.${topic.name}`;
    topics[name] = {
      partitions: topic.partitions,
      retentionMs: topic.retentionMs,
      ...(overrides[topic.name] ?? {}),
    };
  }
  return topics;
}

interface Stack {
  dir: string;
  name: string;
}

function writeStack(stack: Stack, config: Record<string, unknown>): void {
  const namespaced = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [`apphub-streaming:${key}`, value]),
  );
  fs.writeFileSync(
    path.join(stack.dir, `Pulumi.${stack.name}.yaml`),
    stringify({ config: namespaced }),
  );
}

function newStack(name: string, config: Record<string, unknown>): Stack {
  const stack = { dir: fs.mkdtempSync(path.join(os.tmpdir(), "apphub-topics-")), name };
  writeStack(stack, config);
  return stack;
}

type CliResult = ChildResult & { ms: number };

/** The topics CLI in a child process, from the stack's directory (a scratch one without a stack). */
async function cli(
  stack: Stack | undefined,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -p . first`);
  const baseEnv = { ...process.env };
  delete baseEnv.APPHUB_STREAM_BROKER_URL;
  const started = Date.now();
  const result = await runChild(process.execPath, [CLI, ...args], {
    cwd: stack?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "apphub-topics-")),
    env: { ...baseEnv, ...env },
    timeoutMs: 120_000,
  });
  return { ...result, ms: Date.now() - started };
}

function report(result: CliResult): PlanReport {
  try {
    return JSON.parse(result.stdout) as PlanReport;
  } catch {
    throw new Error(
      `expected JSON on stdout (exit ${result.code}): ${result.stdout}\n${result.stderr}`,
    );
  }
}

const entry = (plan: PlanReport, name: string) => {
  const found = plan.topics.find((topic) => topic.name === name);
  if (!found) throw new Error(`no ${name} in ${plan.topics.map((topic) => topic.name).join(", ")}`);
  return found;
};

describe("single broker: the seed catalog through the topics CLI", () => {
  const prefix = newPrefix("single", SINGLE_BROKERS);
  const telemetry = `${prefix}.apphub.ingestion.telemetry`;
  const coreEvents = `${prefix}.apphub.core.events`;
  const stack = newStack("dev", { environment: "dev", topics: seedCatalog(prefix) });

  it("apply creates all seven topics with 6 partitions and the seed's retentions, and a second plan is noop for all", async () => {
    const first = await cli(stack, ["plan", "--stack", "dev", "--json", "--detailed-exitcode"]);
    expect(first.code, first.stderr).toBe(3);
    expect(report(first).topics.map((topic) => topic.action)).toEqual(Array(7).fill("create"));

    const applied = await cli(stack, ["apply", "--stack", "dev", "--json"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(report(applied).topics).toHaveLength(7);

    expect(await topicsUnder(SINGLE_BROKERS, prefix)).toEqual(
      SEED_TOPICS.map((topic) => `${prefix}.${topic.name}`).sort(),
    );
    for (const seed of SEED_TOPICS) {
      const name = `${prefix}.${seed.name}`;
      expect((await partitionsOf(SINGLE_BROKERS, name)).length).toBe(6);
      expect((await configsOf(SINGLE_BROKERS, name))["retention.ms"]?.value).toBe(
        String(seed.retentionMs),
      );
    }
    expect((await configsOf(SINGLE_BROKERS, telemetry))["retention.ms"]?.value).toBe("259200000");

    const second = await cli(stack, ["plan", "--stack", "dev", "--json", "--detailed-exitcode"]);
    expect(second.code, second.stderr).toBe(0);
    for (const topic of report(second).topics)
      expect(topic).toEqual({ name: topic.name, action: "noop", changes: [] });
  });

  it("plans a retention edit as one update with key, old and new value; apply makes it so and keeps a config set by hand", async () => {
    await alterByHand(SINGLE_BROKERS, telemetry, { "max.message.bytes": "2097152" });
    writeStack(stack, {
      environment: "dev",
      topics: seedCatalog(prefix, { "apphub.ingestion.telemetry": { retentionMs: 86_400_000 } }),
    });

    const plan = await cli(stack, ["plan", "--stack", "dev", "--json", "--detailed-exitcode"]);
    expect(plan.code, plan.stderr).toBe(3);
    const planned = report(plan);
    expect(planned.topics.filter((topic) => topic.action !== "noop")).toEqual([
      {
        name: telemetry,
        action: "update",
        changes: [{ key: "retention.ms", from: "259200000", to: "86400000" }],
      },
    ]);

    const human = await cli(stack, ["plan", "--stack", "dev"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('retention.ms: "259200000" => "86400000"');

    const applied = await cli(stack, ["apply", "--stack", "dev"]);
    expect(applied.code, applied.stderr).toBe(0);
    const after = await configsOf(SINGLE_BROKERS, telemetry);
    expect(after["retention.ms"]?.value).toBe("86400000");
    expect(after["max.message.bytes"]?.value).toBe("2097152");

    expect((await cli(stack, ["plan", "--stack", "dev", "--detailed-exitcode"])).code).toBe(0);
  });

  it("reports drift made out of band in plan", async () => {
    await alterByHand(SINGLE_BROKERS, coreEvents, { "retention.ms": "3600000" });
    const plan = await cli(stack, ["plan", "--stack", "dev", "--json", "--detailed-exitcode"]);
    expect(plan.code, plan.stderr).toBe(3);
    expect(entry(report(plan), coreEvents)).toEqual({
      name: coreEvents,
      action: "update",
      changes: [{ key: "retention.ms", from: "3600000", to: "604800000" }],
    });
    expect((await cli(stack, ["apply", "--stack", "dev"])).code).toBe(0);
    expect((await configsOf(SINGLE_BROKERS, coreEvents))["retention.ms"]?.value).toBe("604800000");
  });

  it("blocks a partition decrease with the reason, and apply changes nothing on the broker", async () => {
    writeStack(stack, {
      environment: "dev",
      topics: seedCatalog(prefix, {
        "apphub.core.events": { partitions: 3 },
        "apphub.jobs.runs": { retentionMs: 172_800_000 },
      }),
    });
    const plan = await cli(stack, ["plan", "--stack", "dev", "--json"]);
    expect(plan.code).toBe(3);
    const blocked = entry(report(plan), coreEvents);
    expect(blocked.action).toBe("blocked");
    expect(blocked.changes).toEqual([{ key: "partitions", from: "6", to: "3" }]);
    expect(blocked.reason).toMatch(
      /cannot decrease partitions .* from 6 to 3: Kafka cannot shrink a topic's partitions/,
    );

    const applied = await cli(stack, ["apply", "--stack", "dev"]);
    expect(applied.code).toBe(3);
    expect(applied.stderr).toMatch(/apply changed nothing: 1 topic\(s\) blocked/);
    expect((await partitionsOf(SINGLE_BROKERS, coreEvents)).length).toBe(6);
    // All or nothing: the other topic's pending retention change was not applied either.
    expect(
      (await configsOf(SINGLE_BROKERS, `${prefix}.apphub.jobs.runs`))["retention.ms"]?.value,
    ).toBe("604800000");
  });

  it("probes through the dedicated probe topic and prints the latency, and refuses a domain topic", async () => {
    const probeTopic = `${prefix}.probe`;
    const probeStack = newStack("dev", {
      environment: "dev",
      topics: seedCatalog(prefix),
      probeTopic,
    });
    const result = await cli(probeStack, ["probe", "--stack", "dev"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `probe ok: ${probeTopic.replaceAll(".", "\\.")} on 127\\.0\\.0\\.1:19092 .*round trip \\d+ ms`,
      ),
    );
    expect(await topicsUnder(SINGLE_BROKERS, prefix)).toContain(probeTopic);
    // Nothing was written into the domain topics.
    const offsets = await withAdmin(SINGLE_BROKERS, (admin) => admin.fetchTopicOffsets(coreEvents));
    expect(offsets.every((partition) => partition.high === "0")).toBe(true);

    const domain = newStack("dev", {
      environment: "dev",
      topics: seedCatalog(prefix),
      probeTopic: coreEvents,
    });
    const refused = await cli(domain, ["probe", "--stack", "dev"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/probeTopic: expected a dedicated topic outside the catalog/);
  });
});

describe("round trips", () => {
  it("plans the whole catalog with one Metadata and one DescribeConfigs request, and batches creates", async () => {
    const prefix = newPrefix("trips", SINGLE_BROKERS);
    const desired: DesiredTopic[] = SEED_TOPICS.map((topic) => ({
      name: `${prefix}.${topic.name}`,
      partitions: topic.partitions,
      replicationFactor: 1,
      config: { "retention.ms": String(topic.retentionMs) },
      deletionPolicy: "retain",
    }));
    const settings: ConnectionSettings = {
      brokers: SINGLE_BROKERS,
      clientId: "topics-test",
      connectTimeoutMs: 5000,
      requestTimeoutMs: 15000,
      tls: { enabled: false, rejectUnauthorized: true },
    };
    const cold = await withCounts(settings, async (session) => {
      const { plans } = await planTopics(session, desired);
      expect(plans.map((plan) => plan.action)).toEqual(Array(7).fill("create"));
      await applyPlans(session, plans);
    });
    // Validate-only, then the real thing: two CreateTopics requests for seven topics.
    expect(cold.CreateTopics).toBe(2);

    const plan = await withCounts(settings, async (session) => {
      const { plans } = await planTopics(session, desired);
      expect(plans.every((entry) => entry.action === "noop")).toBe(true);
    });
    expect(plan).toEqual({ Metadata: 1, DescribeConfigs: 1 });

    const noopApply = await withCounts(settings, async (session) => {
      const { plans } = await planTopics(session, desired);
      await applyPlans(session, plans);
    });
    expect(noopApply).toEqual({ Metadata: 1, DescribeConfigs: 1 });
  });
});

/** Runs `work` on one session and counts the Kafka requests kafkajs put on the wire (ApiVersions aside). */
async function withCounts(
  settings: ConnectionSettings,
  work: (session: KafkaSession) => Promise<void>,
): Promise<Record<string, number>> {
  const requests: Record<string, number> = {};
  await withSession(settings, undefined, work, (api) => {
    requests[api] = (requests[api] ?? 0) + 1;
  });
  delete requests.ApiVersions;
  return requests;
}

describe("broker down", () => {
  it("fails plan and apply fast, naming the brokers, and a rerun finishes what an interrupted apply left", async () => {
    const prefix = newPrefix("down", SINGLE_BROKERS);
    const stack = newStack("dev", {
      environment: "dev",
      topics: seedCatalog(prefix),
      kafka: { connectTimeoutMs: 1500 },
    });

    // Nothing listens on this port: connection refused.
    const closedPort = await freePort();
    for (const command of ["plan", "apply"]) {
      const result = await cli(stack, [
        command,
        "--stack",
        "dev",
        "--brokers",
        `127.0.0.1:${closedPort}`,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`127.0.0.1:${closedPort}`);
      expect(result.stderr).toMatch(/could not connect to Kafka brokers/);
    }

    // A listener that accepts connections and never answers: only the connect budget ends it.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const silentPort = (silent.address() as net.AddressInfo).port;
    try {
      const result = await cli(stack, [
        "apply",
        "--stack",
        "dev",
        "--brokers",
        `127.0.0.1:${silentPort}`,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `could not connect to Kafka brokers 127.0.0.1:${silentPort} within 1500 ms`,
      );
      // Node start-up plus the 1.5 s connect budget, not kafkajs' 30 s request timeout times its retries.
      expect(result.ms).toBeLessThan(1500 + 5000);
    } finally {
      silent.close();
    }
    expect(await topicsUnder(SINGLE_BROKERS, prefix)).toEqual([]);

    // An earlier apply that died half-way: two topics created, one of them before its retention was set.
    await withAdmin(SINGLE_BROKERS, (admin) =>
      admin.createTopics({
        topics: [
          {
            topic: `${prefix}.apphub.core.events`,
            numPartitions: 6,
            replicationFactor: 1,
            configEntries: [{ name: "retention.ms", value: "604800000" }],
          },
          { topic: `${prefix}.apphub.ingestion.telemetry`, numPartitions: 6, replicationFactor: 1 },
        ],
      }),
    );
    const rerun = await cli(stack, ["apply", "--stack", "dev", "--json"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const actions = Object.fromEntries(
      report(rerun).topics.map((topic) => [topic.name.slice(prefix.length + 1), topic.action]),
    );
    expect(actions["apphub.core.events"]).toBe("noop");
    expect(actions["apphub.ingestion.telemetry"]).toBe("update");
    expect(Object.values(actions).filter((action) => action === "create")).toHaveLength(5);
    expect(
      (await configsOf(SINGLE_BROKERS, `${prefix}.apphub.ingestion.telemetry`))["retention.ms"]
        ?.value,
    ).toBe("259200000");
    expect((await cli(stack, ["plan", "--stack", "dev", "--detailed-exitcode"])).code).toBe(0);
  });
});

describe("three brokers", () => {
  const clusterConfig = (
    prefix: string,
    overrides: Record<string, Record<string, unknown>> = {},
    replicas = 3,
  ) => ({
    environment: "minikube",
    topics: seedCatalog(prefix, overrides),
    kafka: { brokers: CLUSTER_BROKERS },
    cluster: { replicas },
    backup: { enabled: false },
  });

  it("creates replication factor 3 and every partition has three replicas in sync", async () => {
    const prefix = newPrefix("rf3", CLUSTER_BROKERS);
    const stack = newStack("minikube", clusterConfig(prefix));
    const applied = await cli(stack, ["apply", "--stack", "minikube"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("(3 brokers)");
    for (const seed of SEED_TOPICS) {
      const partitions = await partitionsOf(CLUSTER_BROKERS, `${prefix}.${seed.name}`);
      expect(partitions).toHaveLength(6);
      for (const partition of partitions) {
        expect(new Set(partition.replicas).size).toBe(3);
        expect([...partition.isr].sort()).toEqual([...partition.replicas].sort());
      }
    }
    expect((await cli(stack, ["plan", "--stack", "minikube", "--detailed-exitcode"])).code).toBe(0);
  });

  it("fails replication factor 4 before any topic is created, with a clear message", async () => {
    const prefix = newPrefix("rf4", CLUSTER_BROKERS);
    // The stack config knows it has three brokers: refused before the broker is contacted.
    const configStack = newStack(
      "minikube",
      clusterConfig(prefix, { "apphub.core.events": { replicationFactor: 4 } }),
    );
    const refused = await cli(configStack, ["apply", "--stack", "minikube"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `apphub-streaming:topics.${prefix}.apphub.core.events.replicationFactor: expected a replication factor of at most 3`,
    );

    // The stack config claims four brokers; the cluster has three: the plan blocks it.
    const brokerStack = newStack(
      "minikube",
      clusterConfig(prefix, { "apphub.core.events": { replicationFactor: 4 } }, 4),
    );
    const plan = await cli(brokerStack, ["plan", "--stack", "minikube", "--json"]);
    expect(plan.code).toBe(3);
    const blocked = entry(report(plan), `${prefix}.apphub.core.events`);
    expect(blocked.action).toBe("blocked");
    expect(blocked.reason).toBe(
      "replication factor 4 needs at least 4 brokers, but the cluster has 3; lower replicationFactor to at most 3",
    );
    const applied = await cli(brokerStack, ["apply", "--stack", "minikube"]);
    expect(applied.code).toBe(3);
    expect(applied.stderr).toContain(
      "replication factor 4 needs at least 4 brokers, but the cluster has 3",
    );
    expect(await topicsUnder(CLUSTER_BROKERS, prefix)).toEqual([]);
  });

  it("changes replication by partition reassignment, up and down, keeping every partition's leader", async () => {
    const prefix = newPrefix("reassign", CLUSTER_BROKERS);
    const name = `${prefix}.apphub.workflows.runs`;
    const single = (replicationFactor: number) => ({
      environment: "minikube",
      topics: {
        ...Object.fromEntries(SEED_TOPICS.map((topic) => [topic.name, null])),
        [name]: { partitions: 6, replicationFactor },
      },
      kafka: { brokers: CLUSTER_BROKERS },
      backup: { enabled: false },
    });
    const stack = newStack("minikube", single(1));
    expect((await cli(stack, ["apply", "--stack", "minikube"])).code).toBe(0);
    expect(
      (await partitionsOf(CLUSTER_BROKERS, name)).map((partition) => partition.replicas.length),
    ).toEqual(Array(6).fill(1));

    writeStack(stack, single(3));
    const plan = await cli(stack, ["plan", "--stack", "minikube", "--json"]);
    expect(entry(report(plan), name)).toEqual({
      name,
      action: "update",
      changes: [{ key: "replicationFactor", from: "1", to: "3" }],
    });
    const up = await cli(stack, ["apply", "--stack", "minikube"]);
    expect(up.code, up.stderr).toBe(0);
    // The apply returned once the controller listed no ongoing reassignment; the broker that
    // answers this metadata request may catch up with the controller's view a moment later.
    const inSync = (partition: { isr: number[]; replicas: number[] }) =>
      [...partition.isr].sort().join(",") === [...partition.replicas].sort().join(",");
    await expect
      .poll(async () => (await partitionsOf(CLUSTER_BROKERS, name)).map(inSync), {
        timeout: 15_000,
        interval: 250,
      })
      .toEqual(Array(6).fill(true));
    const grown = await partitionsOf(CLUSTER_BROKERS, name);
    expect(grown.map((partition) => new Set(partition.replicas).size)).toEqual(Array(6).fill(3));

    writeStack(stack, single(2));
    const leaders = grown.map((partition) => partition.leader);
    const down = await cli(stack, ["apply", "--stack", "minikube"]);
    expect(down.code, down.stderr).toBe(0);
    const shrunk = await partitionsOf(CLUSTER_BROKERS, name);
    expect(shrunk.map((partition) => partition.replicas.length)).toEqual(Array(6).fill(2));
    expect(shrunk.map((partition) => partition.leader)).toEqual(leaders);
    expect((await cli(stack, ["plan", "--stack", "minikube", "--detailed-exitcode"])).code).toBe(0);

    // More partitions and more replicas in one apply: the new partitions are created at 3 too.
    const both = single(3);
    writeStack(stack, {
      ...both,
      topics: { ...both.topics, [name]: { partitions: 8, replicationFactor: 3 } },
    });
    const grownBoth = await cli(stack, ["apply", "--stack", "minikube"]);
    expect(grownBoth.code, grownBoth.stderr).toBe(0);
    const final = await partitionsOf(CLUSTER_BROKERS, name);
    expect(final.map((partition) => new Set(partition.replicas).size)).toEqual(Array(8).fill(3));
  });
});

describe("npm run bench:topics", () => {
  it("prints every scenario beside the baseline with ratios, and deletes every topic it created", async () => {
    const bench = path.join(REPO_ROOT, "dist/bench/topics.js");
    const child = await runChild(
      process.execPath,
      [bench, "--sizes", "3,12", "--partitions", "1", "--repeat", "1"],
      { cwd: REPO_ROOT, timeoutMs: 300_000 },
    );
    expect(child.code, child.stderr).toBe(0);
    const rows = child.stdout.split("\n").filter((line) => /^\d+\s{2}/.test(line));
    expect(
      rows.map((row) =>
        row
          .split(/\s{2,}/)
          .slice(0, 2)
          .join(" | "),
      ),
    ).toEqual([
      "3 | cold apply",
      "3 | no-op plan",
      "3 | one-retention-change apply",
      "12 | cold apply",
      "12 | no-op plan",
      "12 | one-retention-change apply",
    ]);
    for (const row of rows) expect(row).toMatch(/\d+\.\d\dx\s+\d+\.\d\dx$/);
    // The no-op plan is two requests after the connection's ApiVersions, whatever the size.
    expect(
      rows.filter((row) => row.includes("no-op plan")).map((row) => row.split(/\s{2,}/)[3]),
    ).toEqual(["3", "3"]);
    const benchPrefix = /deleted \d+ bench topics \((apphub-bench\.[0-9a-f]+)\.\*\)/.exec(
      child.stderr,
    )?.[1];
    expect(benchPrefix).toBeDefined();
    expect(await topicsUnder(SINGLE_BROKERS, benchPrefix ?? "")).toEqual([]);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
