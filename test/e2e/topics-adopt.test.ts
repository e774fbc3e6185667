// Adopting an existing cluster through the real Pulumi CLI (file backend) on the single Kafka
// peer: topics made by hand with kafkajs (a per-run prefix, the broker is shared), then
// `topics import` (the built CLI), `pulumi import --file` of the import file it wrote (saying
// "import" for each topic), `pulumi up` (nothing to do), and a describe of every config and
// partition before and after, which must be identical. Then three refresh
// previews are clean, a dynamic broker default of a key a topic inherits is still clean, and a
// managed key changed by hand on one topic is a diff naming it. A topic added to the stack later
// is adopted by `pulumi up` itself (its create line says "adopt").
//
// The seed names are not used: other suites create them on the same broker. The broker default
// is set per broker (DescribeConfigs source 2): kafkajs cannot address the cluster-wide default
// resource (an empty broker name), and the describe rule is the same for 2 and 3 (source 1 is
// "set on the topic", notes B6). The value is longer than the built-in one, so no other suite's
// data expires, and it is removed in a finally.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SINGLE_BROKERS } from "../peers/kafka";
import { repoRoot } from "../peers/proc";
import { runChild } from "../support/child";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { escaped, PulumiWorkspace, uniqueStack } from "./support/pulumi";

const PREFIX = `adopt-${randomBytes(3).toString("hex")}`;
const COMPACTED = `${PREFIX}.compacted`;
const SHORT = `${PREFIX}.short-retention`;
const PLAIN = `${PREFIX}.plain`;
const MIXED = `${PREFIX}.mixed`;
const LATE = `${PREFIX}.late`;
const CLI = path.join(repoRoot(), "dist/src/cli/topics.js");

const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;
const stack = uniqueStack("adopt");

function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin("e2e-adopt", SINGLE_BROKERS, use);
}

/** Every config row (value and source) and every partition's replicas of our topics. */
async function describeAll(
  names: string[] = [COMPACTED, SHORT, PLAIN, MIXED],
): Promise<Record<string, unknown>> {
  return withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    return {
      configs: Object.fromEntries(
        resources.map((resource) => [
          resource.resourceName,
          Object.fromEntries(
            resource.configEntries.map((entry) => [
              entry.configName,
              `${entry.configValue} (${entry.configSource})`,
            ]),
          ),
        ]),
      ),
      partitions: Object.fromEntries(
        metadata.topics.map((topic) => [
          topic.name,
          topic.partitions.map((partition) => partition.replicas.join(",")).sort(),
        ]),
      ),
    };
  });
}

/** The plain topic's retention.ms row: value and source. */
async function inheritedRetention(): Promise<string | undefined> {
  const { configs } = (await describeAll([PLAIN])) as {
    configs: Record<string, Record<string, string>>;
  };
  return configs[PLAIN]?.["retention.ms"];
}

function importCli(args: string[]) {
  return runChild(
    process.execPath,
    [CLI, "import", "--brokers", SINGLE_BROKERS.join(","), "--stack", stack, ...args],
    { cwd: ws.projectDir, timeoutMs: 120_000 },
  );
}

/** The brokers are busy with other suites: give the provider's client time to connect. */
function allowSlowConnect(): void {
  const file = ws.stackFile(stack);
  const doc = parseDocument(fs.readFileSync(file, "utf8"));
  doc.setIn(["config", "apphub-streaming:kafka", "connectTimeoutMs"], 30_000);
  fs.writeFileSync(file, doc.toString());
}

beforeAll(async () => {
  ws = await PulumiWorkspace.create("adopt");
  await ws.pulumi(["stack", "init", stack], {});
  // Before the import: it keeps the setting, and the import file records it.
  allowSlowConnect();
  await withAdmin((admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: COMPACTED,
          numPartitions: 3,
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
        {
          topic: SHORT,
          numPartitions: 2,
          configEntries: [
            { name: "retention.ms", value: "3600000" },
            { name: "segment.ms", value: "600000" },
          ],
        },
        { topic: PLAIN, numPartitions: 1 },
        {
          topic: MIXED,
          numPartitions: 5,
          configEntries: [
            { name: "cleanup.policy", value: "delete,compact" },
            { name: "retention.ms", value: "-1" },
            { name: "max.message.bytes", value: "2097152" },
          ],
        },
      ],
    }),
  );
});

afterAll(async () => {
  ws?.dispose();
  await deleteTestTopics("e2e-adopt", SINGLE_BROKERS, (topic) => topic.startsWith(`${PREFIX}.`));
});

describe("adopting an existing cluster through the real Pulumi CLI (single broker)", () => {
  let before: Record<string, unknown>;

  it(
    "topics import writes the stack that adopts the hand-made topics with only their topic-level configs, and is idempotent",
    async () => {
      before = await describeAll();
      const result = await importCli(["--include", `^${PREFIX}\\.`, "--json"]);
      expect(result.code, result.output).toBe(0);
      const report = JSON.parse(result.stdout) as {
        written: boolean;
        importFile: unknown;
        topics: { name: string; retentionMs: number | null; config: Record<string, string> }[];
      };
      expect(report.written).toBe(true);
      expect(report).toMatchObject({
        importFile: { file: `pulumi-import.${stack}.json`, topics: 4, written: true },
      });
      expect(
        Object.fromEntries(
          report.topics.map((topic) => [topic.name, [topic.retentionMs, topic.config]]),
        ),
      ).toEqual({
        [COMPACTED]: [null, { "cleanup.policy": "compact" }],
        [MIXED]: [-1, { "cleanup.policy": "delete,compact", "max.message.bytes": "2097152" }],
        [PLAIN]: [null, {}],
        [SHORT]: [3_600_000, { "segment.ms": "600000" }],
      });
      const text = fs.readFileSync(ws.stackFile(stack), "utf8");
      expect(text).toContain("encryptionsalt:"); // the file pulumi stack init wrote is merged into
      expect(text).not.toMatch(/segment\.bytes|min\.insync\.replicas/); // inherited: left out

      const again = await importCli(["--include", `^${PREFIX}\\.`, "--dry-run", "--json"]);
      expect(again.code, again.output).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, written: false });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "pulumi import --file records the topics (its preview says import, never create), up leaves them unchanged, and the broker is exactly as before",
    async () => {
      const recordFile = path.join(ws.projectDir, `pulumi-import.${stack}.json`);
      expect(fs.existsSync(recordFile)).toBe(true);
      const imported = await ws.pulumi(
        ["import", "--file", recordFile, "--protect=false", "--generate-code=false", "--yes"],
        { stack },
      );
      for (const name of [COMPACTED, SHORT, PLAIN, MIXED])
        expect(imported.stdout).toMatch(new RegExp(`KafkaTopic ${escaped(name)} import`));
      expect(imported.stdout).not.toMatch(/KafkaTopic \S+ create/);
      expect(imported.stdout).toMatch(/= 5 imported/); // the 4 topics and their component
      expect(await describeAll()).toEqual(before);

      // As a user runs it, preview included: nothing for any topic to do.
      const up = await ws.pulumi(["up", "--yes"], { stack });
      expect(up.stdout).not.toMatch(/KafkaTopic \S+ (create|update|replace|delete)/);
      expect(up.stdout).not.toMatch(/to create|to update|to replace|to delete/);
      expect(await describeAll()).toEqual(before);
      // Recorded as the program declares them: no adoption note, the adopt flag kept.
      const { deployment } = await ws.exportState(stack);
      const topics = (deployment.deployment.resources ?? []).filter((resource) =>
        resource.type.endsWith("KafkaTopic"),
      );
      expect(topics).toHaveLength(4);
      for (const record of topics) {
        expect(record.outputs).not.toHaveProperty("__adoption");
        expect(record.outputs).toMatchObject({ adopt: true });
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "three refresh previews in a row are clean, and still after a broker default of an inherited key changes",
    async () => {
      for (let run = 0; run < 3; run += 1)
        await ws.pulumi(["preview", "--refresh", "--expect-no-changes"], { stack });

      const broker = { type: ConfigResourceTypes.BROKER, name: "1" };
      await withAdmin((admin) =>
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            { ...broker, configEntries: [{ name: "log.retention.ms", value: "2592000000" }] },
          ],
        }),
      );
      try {
        // The broker applies a dynamic config shortly after it accepts it.
        await expect
          .poll(inheritedRetention, { timeout: 60_000, interval: 1_000 })
          .toBe("2592000000 (2)");
        await ws.pulumi(["preview", "--refresh", "--expect-no-changes"], { stack });
      } finally {
        // Legacy AlterConfigs replaces the broker's dynamic configs: none, as before.
        await withAdmin((admin) =>
          admin.alterConfigs({
            validateOnly: false,
            resources: [{ ...broker, configEntries: [] }],
          }),
        );
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a managed key changed by hand on one topic is a diff naming the key and both values",
    async () => {
      await withAdmin((admin) =>
        admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: SHORT,
              configEntries: [
                { name: "retention.ms", value: "3600000" },
                { name: "segment.ms", value: "1200000" },
              ],
            },
          ],
        }),
      );
      const preview = await ws.pulumi(["preview", "--refresh", "--diff"], { stack });
      expect(preview.stdout).toContain(`[id=${SHORT}]`);
      expect(preview.stdout).toMatch(/~ segment\.ms\s*: "1200000" => "600000"/);
      expect(preview.stdout).toMatch(/~ 1 to update/);
      expect(preview.stdout).not.toMatch(/to create|to replace|to delete/);
    },
    RUN_TIMEOUT_MS,
  );
  it(
    "adopting a topic with fewer partitions than the broker has fails the preview naming it; a config difference is named in the note",
    async () => {
      await withAdmin((admin) =>
        admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: LATE,
              numPartitions: 4,
              configEntries: [{ name: "retention.ms", value: "7200000" }],
            },
          ],
        }),
      );
      const file = ws.stackFile(stack);
      const doc = parseDocument(fs.readFileSync(file, "utf8"));
      const entry = { partitions: 2, replicationFactor: 1, retentionMs: 86_400_000, adopt: true };
      doc.setIn(["config", "apphub-streaming:topics", LATE], doc.createNode(entry));
      fs.writeFileSync(file, doc.toString());
      const refused = await ws.pulumi(["preview"], { stack, allowFailure: true });
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain(
        `cannot adopt ${LATE}: it has 4 partitions on the broker, the stack says 2, and Kafka cannot remove partitions`,
      );

      doc.setIn(["config", "apphub-streaming:topics", LATE, "partitions"], 4);
      fs.writeFileSync(file, doc.toString());
      const preview = await ws.pulumi(["preview"], { stack });
      expect(preview.output).toContain(
        `adopt: ${LATE} exists on the brokers (4 partitions, replication 1); up records it as it is and changes nothing on the broker; ` +
          'the stack differs, so the next preview shows an update: retention.ms: "7200000" => "86400000"',
      );
      const late = (await describeAll([LATE])) as { partitions: Record<string, string[]> };
      expect(late.partitions[LATE]).toHaveLength(4);
    },
    RUN_TIMEOUT_MS,
  );
});
