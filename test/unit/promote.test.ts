/**
 * `npm run promote`: the plan (pure) and the command on scratch copies of stack files, run
 * in-process from the sources with its output captured.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { promoteCommand } from "../../src/cli/promote";
import { formatPlan, planPromotion, promotedRaw, type StackInput } from "../../src/ops/promotion";
import { runCommand } from "../support/cli";

const DEV_YAML = `# Local Docker stack.
config:
  apphub-streaming:environment: dev
  apphub-streaming:topics:
    apphub.ingestion.telemetry:
      retentionMs: 86400000 # one day is enough for telemetry replay
    apphub.audit.events:
      partitions: 12
      retentionMs: 1209600000
      replicationFactor: 1
      deletionPolicy: delete
      config:
        cleanup.policy: delete
        min.insync.replicas: 1
  apphub-streaming:streaming:
    enabled: true
    mirrors:
      workflowRuns: true
`;

const PROD_YAML = `# Production: three dedicated-CPU brokers.
config:
  apphub-streaming:environment: prod
  apphub-streaming:namespace: apphub-system   # shared with core
  apphub-streaming:topics:
    # Prod keeps the core stream on three replicas.
    apphub.core.events:
      replicationFactor: 3
      config:
        min.insync.replicas: "2"
  apphub-streaming:cluster:
    replicas: 3
    storageClass: gp3 # encrypted EBS
    external:
      enabled: true
      type: LoadBalancer
      advertisedHost: redpanda-{ordinal}.apphub.example.com
      tls:
        enabled: true
      sasl:
        enabled: true
  apphub-streaming:backup:
    enabled: true
    bucketName: apphub-prod-redpanda-snapshots
  apphub-streaming:backupSecretAccessKey:
    secure: AAABAJx0c2VjcmV0
  apphub-streaming:streaming:
    enabled: true

    # mirrors are rolled out one at a time
    mirrors:
      ingestion: false
`;

/** `text` with `added` inserted right after `anchor`, which must occur exactly once. */
function insertAfter(text: string, anchor: string, added: string): string {
  const at = text.indexOf(anchor);
  if (at < 0 || text.indexOf(anchor, at + 1) >= 0)
    throw new Error(`expected exactly one ${JSON.stringify(anchor)} in the fixture`);
  return text.slice(0, at + anchor.length) + added + text.slice(at + anchor.length);
}

/** PROD_YAML with exactly the three promoted keys added, every other byte as it was. */
const PROD_PROMOTED = insertAfter(
  insertAfter(
    PROD_YAML,
    '        min.insync.replicas: "2"\n',
    `    apphub.ingestion.telemetry:
      retentionMs: 86400000
    apphub.audit.events:
      partitions: 12
      retentionMs: 1209600000
      config:
        cleanup.policy: delete
`,
  ),
  "      ingestion: false\n",
  "      workflowRuns: true\n",
);

/** Prod where streaming is still off and core.events already has 12 partitions. */
const PROD_STREAMING_OFF = PROD_YAML.replace(
  "      replicationFactor: 3\n",
  "      partitions: 12\n      replicationFactor: 3\n",
).replace(
  "  apphub-streaming:streaming:\n    enabled: true\n",
  "  apphub-streaming:streaming:\n    enabled: false\n",
);

function stackInput(stack: string, yamlText: string): StackInput {
  const config = (parse(yamlText) as { config: Record<string, unknown> }).config;
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const short = key.slice("apphub-streaming:".length);
    if (typeof value === "object" && value !== null && "secure" in value) {
      secretKeys.push(short);
      raw[short] = "[secret]";
    } else raw[short] = value;
  }
  return { stack, raw, secretKeys };
}

function projectWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-promote-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function promote(dir: string, ...args: string[]) {
  const result = await runCommand(promoteCommand, [
    "--from",
    "dev",
    "--to",
    "prod",
    "--project-dir",
    dir,
    ...args,
  ]);
  return { ...result, prod: fs.readFileSync(path.join(dir, "Pulumi.prod.yaml"), "utf8") };
}

describe("promotion plan", () => {
  const plan = planPromotion(stackInput("dev", DEV_YAML), stackInput("prod", PROD_YAML));

  it("lists the retention change, the new topic and the mirror flag, and nothing else", () => {
    expect(plan.refusals).toEqual([]);
    expect(plan.changes).toEqual([
      {
        kind: "topic-setting",
        path: ["topics", "apphub.ingestion.telemetry", "retentionMs"],
        before: 259200000,
        after: 86400000,
      },
      {
        kind: "topic-added",
        path: ["topics", "apphub.audit.events"],
        before: undefined,
        after: { partitions: 12, retentionMs: 1209600000, config: { "cleanup.policy": "delete" } },
      },
      {
        kind: "mirror",
        path: ["streaming", "mirrors", "workflowRuns"],
        before: false,
        after: true,
      },
    ]);
  });

  it("carries no environment-specific setting of the new topic into prod", () => {
    const promoted = promotedRaw(stackInput("prod", PROD_YAML).raw, plan.changes);
    const topic = (promoted.topics as Record<string, Record<string, unknown>>)[
      "apphub.audit.events"
    ]!;
    expect(topic.replicationFactor).toBeUndefined();
    expect(topic.deletionPolicy).toBeUndefined();
    expect(topic.config).toEqual({ "cleanup.policy": "delete" });
  });

  it("names what it leaves alone", () => {
    const text = formatPlan(plan);
    expect(text).toContain(
      "apphub-streaming:topics.apphub.ingestion.telemetry.retentionMs: 259200000 => 86400000",
    );
    expect(text).toContain("apphub-streaming:streaming.mirrors.workflowRuns: false => true");
    expect(text).toMatch(/left alone \(environment-specific[^\n]*\n[^\n]*cluster\.replicas/);
    expect(text).toContain("topics.*.replicationFactor");
    expect(text).toContain(
      "apphub-streaming:topics.apphub.core.events.config.min.insync.replicas is set only in prod: kept",
    );
  });

  it("never removes a prod-only topic, and never promotes a secret", () => {
    const prodWithExtra = PROD_YAML.replace(
      "    apphub.core.events:\n",
      "    apphub.legacy.audit: {}\n    apphub.core.events:\n",
    );
    const devWithSecret = `${DEV_YAML}  apphub-streaming:sequencerDbPassword:\n    secure: AAABAGRldnNlY3JldA==\n`;
    const extra = planPromotion(
      stackInput("dev", devWithSecret),
      stackInput("prod", prodWithExtra),
    );
    expect(extra.changes.some((change) => change.path.includes("apphub.legacy.audit"))).toBe(false);
    expect(extra.changes.some((change) => change.path[0] === "sequencerDbPassword")).toBe(false);
    expect(extra.notPromoted.join("\n")).toContain(
      "topic apphub.legacy.audit is in prod but not in dev: kept",
    );
    expect(extra.notPromoted.join("\n")).toContain(
      "secret apphub-streaming:sequencerDbPassword is set only in dev: secrets are never promoted",
    );
  });

  it("promotes a partition increase", () => {
    const devMore = DEV_YAML.replace(
      "    apphub.ingestion.telemetry:\n",
      "    apphub.jobs.runs:\n      partitions: 24\n    apphub.ingestion.telemetry:\n",
    );
    const more = planPromotion(stackInput("dev", devMore), stackInput("prod", PROD_YAML));
    expect(more.changes).toContainEqual({
      kind: "topic-setting",
      path: ["topics", "apphub.jobs.runs", "partitions"],
      before: 6,
      after: 24,
    });
    expect(more.refusals).toEqual([]);
  });

  it("refuses partitions below prod's current and a mirror while prod streaming is off, each with its reason", () => {
    const refused = planPromotion(
      stackInput("dev", DEV_YAML),
      stackInput("prod", PROD_STREAMING_OFF),
    );
    expect(refused.refusals).toEqual([
      {
        key: "apphub-streaming:topics.apphub.core.events.partitions",
        message:
          "expected at least 12 (prod's current partition count: Kafka cannot remove partitions), got 6 from dev",
      },
      {
        key: "apphub-streaming:streaming.mirrors.workflowRuns",
        message:
          "expected false while apphub-streaming:streaming.enabled is false: a mirror needs streaming on",
      },
    ]);
  });

  it("refuses a topic config the topic bootstrap would reject", () => {
    const padded = DEV_YAML.replace(
      "        cleanup.policy: delete\n",
      '        " cleanup.policy": delete\n',
    );
    const refused = planPromotion(stackInput("dev", padded), stackInput("prod", PROD_YAML));
    expect(refused.refusals).toEqual([
      {
        key: "apphub-streaming:topics.apphub.audit.events.config. cleanup.policy",
        message: "expected a config name without surrounding spaces",
      },
    ]);
  });

  it("rejects an invalid source file before planning anything", () => {
    const broken = DEV_YAML.replace("retentionMs: 86400000", "retentionMs: -5");
    expect(() => planPromotion(stackInput("dev", broken), stackInput("prod", PROD_YAML))).toThrow(
      /Pulumi\.dev\.yaml is invalid[\s\S]*apphub-streaming:topics\.apphub\.ingestion\.telemetry\.retentionMs/,
    );
  });
});

describe("npm run promote", () => {
  it("without --write prints the plan and leaves Pulumi.prod.yaml as it was", async () => {
    const dir = projectWith({ "Pulumi.dev.yaml": DEV_YAML, "Pulumi.prod.yaml": PROD_YAML });
    const result = await promote(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("promotable differences (3):");
    expect(result.stdout).toContain("dry run: nothing written");
    expect(result.prod).toBe(PROD_YAML);
  });

  it("--write promotes a retention change, a new topic and a mirror flag, every other byte of prod unchanged", async () => {
    const dir = projectWith({ "Pulumi.dev.yaml": DEV_YAML, "Pulumi.prod.yaml": PROD_YAML });
    const result = await promote(dir, "--write");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("wrote Pulumi.prod.yaml: 3 keys promoted");
    expect(result.prod).toBe(PROD_PROMOTED);
    // The dev file is the source: it is never written.
    expect(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")).toBe(DEV_YAML);

    const again = await promote(dir, "--write");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("nothing to promote");
    expect(again.prod).toBe(PROD_PROMOTED);
  });

  it("refuses with the reason, exits 3 and writes nothing", async () => {
    const dir = projectWith({
      "Pulumi.dev.yaml": DEV_YAML,
      "Pulumi.prod.yaml": PROD_STREAMING_OFF,
    });
    const result = await promote(dir, "--write");
    expect(result.status).toBe(3);
    expect(result.stdout).toContain(
      "REFUSED: prod's validation would reject this promotion; nothing written",
    );
    expect(result.stdout).toContain(
      "apphub-streaming:topics.apphub.core.events.partitions: expected at least 12 (prod's current partition count: Kafka cannot remove partitions), got 6 from dev",
    );
    expect(result.stdout).toContain(
      "apphub-streaming:streaming.mirrors.workflowRuns: expected false while apphub-streaming:streaming.enabled is false",
    );
    expect(result.prod).toBe(PROD_STREAMING_OFF);
  });

  it("exits 2, a usage error, when --to is missing", async () => {
    const child = await runCommand(promoteCommand, ["--from", "dev"]);
    expect(child.status).toBe(2);
    expect(child.stderr).toContain("--to is required");
  });
});
