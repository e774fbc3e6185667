/**
 * The render diff's classification, on rendered-resource fixtures built in memory in the
 * shape `npm run render` writes (type, name, parent, inputs, options).
 */
import { describe, expect, it } from "vitest";
import { diffValues, formatPath, lineDiff } from "../../src/ops/fieldDiff";
import {
  diffRenders,
  formatRenderDiff,
  formatRenderDiffMarkdown,
  KAFKA_TOPIC_TYPE,
  type RenderDiff,
} from "../../src/ops/renderDiff";
import type { RenderedResource } from "../../src/render/write";

const OPTIONS: RenderedResource["options"] = {
  protect: false,
  retainOnDelete: false,
  deleteBeforeReplace: false,
  ignoreChanges: [],
  replaceOnChanges: [],
  additionalSecretOutputs: [],
};

function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RenderedResource> = {},
): RenderedResource {
  return { type, name, parent: null, inputs, dependsOn: [], options: { ...OPTIONS }, ...extra };
}

function topic(
  name: string,
  settings: {
    partitions?: number;
    retentionMs?: number;
    deletionPolicy?: "retain" | "delete";
    config?: Record<string, string>;
  } = {},
) {
  const deletionPolicy = settings.deletionPolicy ?? "retain";
  return resource(
    KAFKA_TOPIC_TYPE,
    name,
    {
      name,
      partitions: settings.partitions ?? 6,
      replicationFactor: 3,
      config: { ...settings.config, "retention.ms": String(settings.retentionMs ?? 604800000) },
      deletionPolicy,
      providerVersion: "1",
      __provider: "[serialized provider: 52992 characters]",
    },
    {
      parent: "apphub-topics",
      options: { ...OPTIONS, retainOnDelete: deletionPolicy !== "delete" },
    },
  );
}

const component = resource("apphub:streaming:TopicBootstrap", "apphub-topics", {});

function statefulSet(
  patch: {
    replicas?: number;
    storage?: string;
    env?: { name: string; value: string }[];
    retention?: string;
  } = {},
) {
  return resource("kubernetes:apps/v1:StatefulSet", "apphub-redpanda", {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "apphub-redpanda", namespace: "apphub-system" },
    spec: {
      replicas: patch.replicas ?? 3,
      serviceName: "apphub-redpanda-headless",
      ...(patch.retention
        ? {
            persistentVolumeClaimRetentionPolicy: {
              whenDeleted: patch.retention,
              whenScaled: "Retain",
            },
          }
        : {}),
      template: {
        spec: {
          containers: [
            {
              name: "redpanda",
              image: "redpanda:v24.2.3",
              env: patch.env ?? [{ name: "A", value: "1" }],
              args: ["--smp", "1"],
            },
            { name: "sidecar", image: "busybox" },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "datadir" },
          spec: { resources: { requests: { storage: patch.storage ?? "10Gi" } } },
        },
      ],
    },
  });
}

const bucket = (
  name = "apphub-prod-redpanda-snapshots",
  options: Partial<RenderedResource["options"]> = {},
) =>
  resource(
    "aws:s3/bucket:Bucket",
    "apphub-redpanda-backup-bucket",
    { bucket: name },
    { options: { ...OPTIONS, ...options } },
  );

const TOPICS = ["apphub.core.events", "apphub.ingestion.telemetry", "apphub.jobs.runs"];
const base = () => [
  component,
  ...TOPICS.map((name) =>
    topic(name, name === "apphub.ingestion.telemetry" ? { retentionMs: 259200000 } : {}),
  ),
  statefulSet(),
  bucket(),
];
const text = (diff: RenderDiff) =>
  formatRenderDiff(diff, { stack: "prod", base: "origin/main (abc)", baseCode: "test fixtures" });

describe("topic changes", () => {
  it("a retention change is one line, in place, not destructive", () => {
    const head = base().map((r) =>
      r.name === "apphub.ingestion.telemetry" ? topic(r.name, { retentionMs: 86400000 }) : r,
    );
    const diff = diffRenders(base(), head);
    expect(diff.destructive).toBe(false);
    expect(diff.resources).toEqual([]);
    expect(diff.topics).toHaveLength(1);
    expect(diff.topics[0]!.replaces).toBe(false);
    const lines = text(diff).split("\n");
    expect(lines.filter((line) => line.startsWith("  "))).toEqual([
      "  apphub.ingestion.telemetry retention.ms 259200000 => 86400000",
    ]);
  });

  it("removing a topic with deletionPolicy delete is destructive", () => {
    const withScratch = [...base(), topic("apphub.scratch", { deletionPolicy: "delete" })];
    const diff = diffRenders(withScratch, base());
    expect(diff.destructive).toBe(true);
    const out = text(diff);
    expect(out).toContain(
      '!!! DESTRUCTIVE !!! apphub.scratch is removed from config with deletionPolicy "delete": pulumi up DELETES the topic from the broker',
    );
    expect(out).toMatch(
      /!!! 1 DESTRUCTIVE CHANGE: data would be deleted or replaced\n!!! {3}topic apphub\.scratch: /,
    );
  });

  it("removing a topic with the default policy says it stays on the broker, no longer managed", () => {
    const diff = diffRenders(
      base(),
      base().filter((r) => r.name !== "apphub.jobs.runs"),
    );
    expect(diff.destructive).toBe(false);
    expect(text(diff)).toContain(
      '  - apphub.jobs.runs is removed from config: it stays on the broker, no longer managed (deletionPolicy "retain")',
    );
    expect(text(diff)).not.toContain("DESTRUCTIVE");
  });

  it("a partition decrease is flagged, an increase is not", () => {
    const fewer = base().map((r) =>
      r.name === "apphub.core.events" ? topic(r.name, { partitions: 3 }) : r,
    );
    const more = base().map((r) =>
      r.name === "apphub.core.events" ? topic(r.name, { partitions: 12 }) : r,
    );
    expect(diffRenders(base(), fewer).destructive).toBe(true);
    expect(text(diffRenders(base(), fewer))).toContain(
      "partitions 6 => 3: Kafka cannot remove partitions",
    );
    expect(diffRenders(base(), more).destructive).toBe(false);
    expect(text(diffRenders(base(), more))).toContain("  apphub.core.events partitions 6 => 12");
  });

  it("a new topic lists its settings", () => {
    const diff = diffRenders(base(), [
      ...base(),
      topic("apphub.audit.events", { partitions: 12, config: { "cleanup.policy": "compact" } }),
    ]);
    expect(diff.destructive).toBe(false);
    expect(text(diff)).toContain(
      "  + apphub.audit.events added (partitions 12, replicationFactor 3, cleanup.policy compact, retention.ms 604800000)",
    );
  });

  it("a topic under another parent type changes URN: with deletionPolicy delete that deletes it", () => {
    const scratch = topic("apphub.scratch", { deletionPolicy: "delete" });
    const devStack = resource("apphub:streaming:DevStack", "apphub-dev", {});
    const movedScratch = { ...scratch, parent: "apphub-dev" };
    const diff = diffRenders([...base(), scratch], [...base(), devStack, movedScratch]);
    expect(diff.topics.map((change) => change.kind)).toEqual(["moved"]);
    expect(diff.destructive).toBe(true);
  });

  it("the same change on every topic is printed once", () => {
    const bumped = base().map((r) =>
      r.type === KAFKA_TOPIC_TYPE ? { ...r, inputs: { ...r.inputs, providerVersion: "2" } } : r,
    );
    const out = text(diffRenders(base(), bumped));
    expect(out).toContain(`  3 topics (${TOPICS.join(", ")}) providerVersion 1 => 2`);
    expect(out.match(/providerVersion/g)).toHaveLength(1);
  });

  it("provider code alone is a note, not a per-topic change", () => {
    const recompiled = base().map((r) =>
      r.type === KAFKA_TOPIC_TYPE
        ? { ...r, inputs: { ...r.inputs, __provider: "[serialized provider: 53000 characters]" } }
        : r,
    );
    const diff = diffRenders(base(), recompiled);
    expect(diff.topics).toEqual([]);
    expect(diff.providerCodeChanged).toEqual([KAFKA_TOPIC_TYPE]);
    expect(diff.destructive).toBe(false);
  });
});

describe("volumes, StatefulSet and bucket", () => {
  it("a volumeClaimTemplates change replaces the StatefulSet and is destructive", () => {
    const head = base().map((r) =>
      r.type === "kubernetes:apps/v1:StatefulSet" ? statefulSet({ storage: "100Gi" }) : r,
    );
    const diff = diffRenders(base(), head);
    expect(diff.destructive).toBe(true);
    expect(diff.resources[0]!.replaces).toBe(true);
    const out = text(diff);
    expect(out).toContain(
      "!!! DESTRUCTIVE !!! +- kubernetes:apps/v1:StatefulSet apphub-redpanda (replace)",
    );
    expect(out).toContain(
      "spec.volumeClaimTemplates[datadir].spec.resources.requests.storage 10Gi => 100Gi",
    );
    expect(out).toContain("volumeClaimTemplates change");
  });

  it("an env var change is an in-place update with a readable path", () => {
    const head = base().map((r) =>
      r.type === "kubernetes:apps/v1:StatefulSet"
        ? statefulSet({
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
          })
        : r,
    );
    const diff = diffRenders(base(), head);
    expect(diff.destructive).toBe(false);
    expect(text(diff)).toContain(
      'spec.template.spec.containers[redpanda].env[B] (unset) => {"name":"B","value":"2"}',
    );
  });

  it("scaling brokers in, removing the StatefulSet or deleting PVCs with pods is destructive; scaling out is not", () => {
    const swap = (next: RenderedResource) => base().map((r) => (r.type === next.type ? next : r));
    expect(diffRenders(base(), swap(statefulSet({ replicas: 5 }))).destructive).toBe(false);
    expect(diffRenders(base(), swap(statefulSet({ replicas: 1 }))).destructive).toBe(true);
    expect(diffRenders(base(), swap(statefulSet({ retention: "Delete" }))).destructive).toBe(true);
    expect(
      diffRenders(
        base(),
        base().filter((r) => r.type !== "kubernetes:apps/v1:StatefulSet"),
      ).destructive,
    ).toBe(true);
  });

  it("removing or renaming the bucket is destructive unless retainOnDelete keeps it", () => {
    const noBucket = base().filter((r) => !r.type.startsWith("aws:"));
    expect(diffRenders(base(), noBucket).destructive).toBe(true);
    expect(text(diffRenders(base(), noBucket))).toContain("pulumi up DELETES the backup bucket");
    const retained = base().map((r) =>
      r.type.startsWith("aws:") ? bucket(undefined, { retainOnDelete: true }) : r,
    );
    expect(diffRenders(retained, noBucket).destructive).toBe(false);
    const renamed = base().map((r) =>
      r.type.startsWith("aws:") ? bucket("apphub-other-bucket") : r,
    );
    expect(diffRenders(base(), renamed).destructive).toBe(true);
  });

  it("a PVC may grow in place; any other spec change replaces it", () => {
    const pvc = (storage: string, storageClassName = "gp3") =>
      resource("kubernetes:core/v1:PersistentVolumeClaim", "data", {
        spec: { storageClassName, resources: { requests: { storage } } },
      });
    expect(diffRenders([pvc("10Gi")], [pvc("20Gi")]).destructive).toBe(false);
    expect(diffRenders([pvc("10Gi")], [pvc("10Gi", "standard")]).destructive).toBe(true);
  });

  it("removing the backup KMS key is destructive; shorter backup expiry is a note", () => {
    const key = resource("aws:kms/key:Key", "backup-key", { deletionWindowInDays: 30 });
    expect(diffRenders([key], []).destructive).toBe(true);
    expect(text(diffRenders([key], []))).toContain(
      "every backup encrypted with it becomes unreadable",
    );
    const lifecycle = (days: number) =>
      resource(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "backup-lifecycle",
        {
          rules: [{ id: "expire-snapshots", expiration: { days }, status: "Enabled" }],
        },
      );
    const shorter = diffRenders([lifecycle(14)], [lifecycle(7)]);
    expect(shorter.destructive).toBe(false);
    expect(text(shorter)).toContain(
      "note: rules[expire-snapshots].expiration.days 14 => 7: backups expire sooner",
    );
  });

  it("removing the namespace is destructive", () => {
    const namespace = resource("kubernetes:core/v1:Namespace", "apphub-system", {
      metadata: { name: "apphub-system" },
    });
    expect(diffRenders([namespace], []).destructive).toBe(true);
  });
});

describe("field diffs", () => {
  it("matches list items by name, so an insertion is one change", () => {
    const before = {
      env: [
        { name: "A", value: "1" },
        { name: "C", value: "3" },
      ],
    };
    const after = {
      env: [
        { name: "A", value: "1" },
        { name: "B", value: "2" },
        { name: "C", value: "3" },
      ],
    };
    const changes = diffValues(before, after);
    expect(changes.map((change) => formatPath(change.path))).toEqual(["env[B]"]);
  });

  it("quotes keys that are not identifiers", () => {
    const changes = diffValues(
      { metadata: { annotations: { "prometheus.io/port": "9644" } } },
      { metadata: { annotations: { "prometheus.io/port": "9645" } } },
    );
    expect(formatPath(changes[0]!.path)).toBe('metadata.annotations["prometheus.io/port"]');
  });

  it("shows scripts and argument lists as line diffs", () => {
    expect(lineDiff("set -e\nrpk a\nrpk b\n", "set -e\nrpk a2\nrpk b\n")).toEqual([
      "- rpk a",
      "+ rpk a2",
    ]);
    expect(lineDiff(["--smp", "1"], ["--smp", "2", "--overprovisioned"])).toEqual([
      "- 1",
      "+ 2",
      "+ --overprovisioned",
    ]);
  });

  it("compares JSON documents in strings (IAM policies) field by field", () => {
    const policy = (bucketName: string) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "List", Action: ["s3:ListBucket"], Resource: [`arn:aws:s3:::${bucketName}`] },
        ],
      });
    const changes = diffValues({ policy: policy("a-bucket") }, { policy: policy("b-bucket") });
    expect(changes.map((change) => formatPath(change.path))).toEqual([
      "policy(json).Statement[List].Resource",
    ]);
  });

  it("says when nothing changed", () => {
    expect(text(diffRenders(base(), base()))).toContain("no changes");
  });
});

describe("pull-request comment section", () => {
  const header = { stack: "prod", base: "origin/main (abc)", baseCode: "test fixtures" };

  it("puts destructive changes in a CAUTION alert above the diff", () => {
    const diff = diffRenders(
      [...base(), topic("apphub.scratch", { deletionPolicy: "delete" })],
      base(),
    );
    const markdown = formatRenderDiffMarkdown(diff, header);
    expect(markdown).toMatch(
      /^### `prod`: 1 destructive change\n\n> \[!CAUTION\]\n> \*\*1 DESTRUCTIVE CHANGE\*\*/,
    );
    expect(markdown).toContain(
      '> - **topic apphub.scratch**: is removed from config with deletionPolicy "delete"',
    );
    expect(markdown).toContain("````text\nrender diff of stack prod");
  });

  it("collapses a stack without changes", () => {
    const markdown = formatRenderDiffMarkdown(diffRenders(base(), base()), header);
    expect(markdown).toContain("### `prod`: no changes");
    expect(markdown).toContain("<details><summary>");
    expect(markdown).not.toContain("CAUTION");
  });
});
