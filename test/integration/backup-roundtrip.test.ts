/**
 * Full → changed → incremental → no-change → next-window full, against the real S3 API
 * (moto on loopback, started by the global setup), restored into empty directories and
 * compared file by file by sha256.
 */
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectTaggingCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type LifecycleRule as S3LifecycleRule,
} from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, type BackupResult } from "../../src/backup/engine";
import { KubectlExecSource } from "../../src/backup/kubectl-source";
import { lifecycleRules, type LifecycleRule } from "../../src/backup/infra";
import { RELEASE_TAG_KEY } from "../../src/backup/layout";
import { formatBytes } from "../../src/backup/plan";
import {
  RestoreError,
  listSnapshots,
  resolveManifest,
  restoreSnapshot,
} from "../../src/backup/restore";
import { LocalDirectorySource } from "../../src/backup/source";
import { SnapshotStore } from "../../src/backup/store";
import {
  createSyntheticDataDir,
  evolveSyntheticDataDir,
  pseudoRandomBytes,
  treeBytes,
  treeDigest,
  type EvolveReport,
} from "../../src/backup/synthetic";
import { verifyDirectory, verifyStored } from "../../src/backup/verify";
import { s3Client } from "../peers/s3";

const client = s3Client();
const bucket = `backup-roundtrip-${Date.now()}`;
const store = new SnapshotStore(client, { bucket, prefix: "redpanda" });
let work: string;

const SHAPE = {
  partitions: 2,
  closedSegments: 2,
  segmentBytes: 256 * 1024,
  openSegmentBytes: 64 * 1024,
};
const BIG_SEGMENT = "redpanda/controller/0_0/0-1-v1.log";
const BIG_SEGMENT_BYTES = 9 * 1024 * 1024; // above the 8 MiB part size: a multipart upload
const at = (iso: string) => () => new Date(iso);

function dir(name: string): string {
  return path.join(work, name);
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-roundtrip-"));
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  client.destroy();
});

describe("incremental snapshots of a Redpanda-shaped data dir", () => {
  const source = () => new LocalDirectorySource(dir("broker-0"));
  const broker = 0;
  let full: BackupResult;
  let incremental: BackupResult;
  let noChange: BackupResult;
  let stateAtFull: Map<string, string>;
  let bytesAtFull: number;
  let stateAtIncremental: Map<string, string>;
  let changes: EvolveReport;

  beforeAll(async () => {
    await createSyntheticDataDir(dir("broker-0"), SHAPE);
    fs.writeFileSync(
      path.join(dir("broker-0"), BIG_SEGMENT),
      pseudoRandomBytes(BIG_SEGMENT_BYTES, 7),
    );
    stateAtFull = await treeDigest(dir("broker-0"));
    bytesAtFull = await treeBytes(dir("broker-0"));
    full = await runBackup({
      store,
      source: source(),
      broker,
      fullEveryHours: 24,
      now: at("2025-01-02T00:10:00Z"),
    });

    changes = await evolveSyntheticDataDir(dir("broker-0"), SHAPE);
    stateAtIncremental = await treeDigest(dir("broker-0"));
    incremental = await runBackup({
      store,
      source: source(),
      broker,
      fullEveryHours: 24,
      now: at("2025-01-02T01:10:00Z"),
    });
    noChange = await runBackup({
      store,
      source: source(),
      broker,
      fullEveryHours: 24,
      now: at("2025-01-02T02:10:00Z"),
    });

    const row = (name: string, result: BackupResult) =>
      `  ${name.padEnd(12)} ${result.kind.padEnd(11)} data uploaded ${String(result.uploadedBytes).padStart(9)} B (${formatBytes(result.uploadedBytes).padStart(9)}) ` +
      `in ${String(result.uploadedObjects).padStart(2)} objects, manifest+pointer ${formatBytes(result.metadataBytes)}, snapshot size ${formatBytes(result.bytes)}`;
    console.log(
      [
        "bytes uploaded per run:",
        row("full", full),
        row("incremental", incremental),
        row("no change", noChange),
      ].join("\n"),
    );
  });

  it("uploads every byte in the full snapshot", async () => {
    expect(full.kind).toBe("full");
    expect(full.uploadedBytes).toBe(bytesAtFull);
    expect(full.files).toBe(stateAtFull.size);
  });

  it("uploads only what changed: appended tails, new segments, rewritten files", async () => {
    expect(incremental).toMatchObject({ kind: "incremental", chainId: full.chainId });
    const size = (file: string) => fs.statSync(path.join(dir("broker-0"), file)).size;
    const indexes = changes.rewritten.filter((file) => file.endsWith(".base_index"));
    const kvstore = changes.rewritten.filter((file) => !file.endsWith(".base_index"));
    // Every open segment grew: only its 16 KiB tail. A rewritten index is tried as an append
    // (64 new bytes), found changed at the source, and uploaded whole.
    const expected =
      changes.appended.length * 16 * 1024 +
      changes.created.reduce((sum, file) => sum + size(file), 0) +
      indexes.reduce((sum, file) => sum + 64 + size(file), 0) +
      kvstore.reduce((sum, file) => sum + size(file), 0);
    expect(incremental.uploadedBytes).toBe(expected);
    expect(incremental.appendedFiles).toBe(changes.appended.length);
    expect(incremental.uploadedBytes).toBeLessThan(full.uploadedBytes / 20);
    const { manifest } = await resolveManifest(store, broker, incremental.snapshotId);
    const grown = manifest.files.find((file) => file.path === changes.appended[0]);
    expect(grown?.chunks.map((chunk) => chunk.key.split("/")[3])).toEqual([
      full.snapshotId,
      incremental.snapshotId,
    ]);
    expect(manifest.files.map((file) => file.path)).not.toContain(changes.deleted[0]);
  });

  it("uploads no data at all when nothing changed, only a small manifest", () => {
    expect(noChange).toMatchObject({
      kind: "incremental",
      uploadedBytes: 0,
      uploadedObjects: 0,
      reusedFiles: noChange.files,
    });
    expect(noChange.metadataBytes).toBeLessThan(64 * 1024);
  });

  it("restores the latest snapshot byte for byte into an empty directory", async () => {
    const restored = await restoreSnapshot({
      store,
      broker,
      snapshot: "latest",
      into: dir("restore-latest"),
    });
    expect(restored.snapshotId).toBe(noChange.snapshotId);
    expect(await treeDigest(dir("restore-latest"))).toEqual(stateAtIncremental);
    expect(fs.existsSync(path.join(dir("restore-latest"), changes.deleted[0]!))).toBe(false);
    expect(fs.existsSync(path.join(dir("restore-latest"), "pid.lock"))).toBe(false);
    expect(fs.statSync(path.join(dir("restore-latest"), "cloud_storage_cache")).isDirectory()).toBe(
      true,
    );
    const { manifest } = await resolveManifest(store, broker, "latest");
    expect(await verifyDirectory(dir("restore-latest"), manifest)).toMatchObject({
      ok: true,
      problems: [],
    });
  });

  it("still restores the earlier snapshots to their own state", async () => {
    await restoreSnapshot({ store, broker, snapshot: full.snapshotId, into: dir("restore-full") });
    expect(await treeDigest(dir("restore-full"))).toEqual(stateAtFull);
    expect(fs.existsSync(path.join(dir("restore-full"), changes.deleted[0]!))).toBe(true);
    await restoreSnapshot({
      store,
      broker,
      snapshot: incremental.snapshotId,
      into: dir("restore-incremental"),
    });
    expect(await treeDigest(dir("restore-incremental"))).toEqual(stateAtIncremental);
  });

  it("finds every referenced object in the bucket with the recorded sha256", async () => {
    const { manifest } = await resolveManifest(store, broker, incremental.snapshotId);
    expect(await verifyStored(store, manifest, { deep: true })).toMatchObject({
      ok: true,
      checkedBytes: manifest.stats.bytes,
    });
  });

  it("starts a new chain in the next window and releases the old chain's objects for expiry", async () => {
    const nextDay = await runBackup({
      store,
      source: source(),
      broker,
      fullEveryHours: 24,
      now: at("2025-01-03T00:10:00Z"),
    });
    expect(nextDay).toMatchObject({
      kind: "full",
      chainId: nextDay.snapshotId,
      releasedChains: [full.chainId],
    });
    const tagOf = async (relativeKey: string) => {
      const response = await client.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: store.fullKey(broker, relativeKey) }),
      );
      return response.TagSet?.find((tag) => tag.Key === RELEASE_TAG_KEY)?.Value;
    };
    const oldChain = await store.listChainObjects(broker, full.chainId);
    for (const object of oldChain) {
      expect(await tagOf(object.key), object.key).toBe(
        object.key.includes("/manifests/") ? "manifest" : "data",
      );
    }
    // What the latest snapshot references carries no release tag: no lifecycle rule can expire it.
    const { manifest } = await resolveManifest(store, broker, "latest");
    const latestKeys = [
      ...manifest.files.flatMap((file) => file.chunks.map((chunk) => chunk.key)),
      (await store.readLatest(broker))!.manifestKey,
      "latest.json",
    ];
    for (const key of latestKeys) expect(await tagOf(key), key).toBeUndefined();
    // Releasing is done once per chain.
    const again = await runBackup({
      store,
      source: source(),
      broker,
      fullEveryHours: 24,
      now: at("2025-01-03T01:10:00Z"),
    });
    expect(again.releasedChains).toEqual([]);
    const snapshots = await listSnapshots(store, broker);
    expect(snapshots.map((snapshot) => [snapshot.kind, snapshot.latest])).toEqual([
      ["full", false],
      ["incremental", false],
      ["incremental", false],
      ["full", false],
      ["incremental", true],
    ]);
  });

  it("refuses a non-empty target but accepts a fresh volume's lost+found", async () => {
    fs.mkdirSync(path.join(dir("occupied"), "kafka"), { recursive: true });
    await expect(
      restoreSnapshot({ store, broker, snapshot: "latest", into: dir("occupied") }),
    ).rejects.toThrow(/not empty \(kafka\)/);
    fs.mkdirSync(path.join(dir("fresh-volume"), "lost+found"), { recursive: true });
    await restoreSnapshot({ store, broker, snapshot: "latest", into: dir("fresh-volume") });
    const { manifest } = await resolveManifest(store, broker, "latest");
    expect((await verifyDirectory(dir("fresh-volume"), manifest)).ok).toBe(true);
  });

  it("names unknown snapshots clearly", async () => {
    await expect(resolveManifest(store, broker, "20200101T000000.000Z")).rejects.toThrow(
      /snapshot 20200101T000000.000Z of broker 0 not found/,
    );
    await expect(resolveManifest(store, 42, "latest")).rejects.toThrow(/no snapshot of broker 42/);
  });
});

describe("the CronJob's source: kubectl exec into a broker pod", () => {
  it("backs up through kubectl exec and restores byte for byte", async () => {
    const dataDir = dir("pod-data");
    await createSyntheticDataDir(dataDir, { ...SHAPE, seed: 5 });
    const kubectl = path.join(work, "kubectl");
    // Stand-in for `kubectl exec ... -- CMD`: runs CMD here (no API server on this machine).
    fs.writeFileSync(
      kubectl,
      '#!/bin/sh\nwhile [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n',
      { mode: 0o755 },
    );
    const source = new KubectlExecSource({
      namespace: "apphub-system",
      pod: "apphub-redpanda-2",
      dataDir,
      kubectl,
    });
    const first = await runBackup({
      store,
      source,
      broker: 2,
      fullEveryHours: 24,
      now: at("2025-01-02T00:10:00Z"),
    });
    await evolveSyntheticDataDir(dataDir, SHAPE);
    const second = await runBackup({
      store,
      source,
      broker: 2,
      fullEveryHours: 24,
      now: at("2025-01-02T01:10:00Z"),
    });
    expect(second.appendedFiles).toBeGreaterThan(0);
    expect(second.uploadedBytes).toBeLessThan(first.uploadedBytes / 5);
    await restoreSnapshot({ store, broker: 2, snapshot: "latest", into: dir("pod-restore") });
    expect(await treeDigest(dir("pod-restore"))).toEqual(await treeDigest(dataDir));
    const { manifest } = await resolveManifest(store, 2, "latest");
    expect(manifest.source).toBe(`kubectl://apphub-system/apphub-redpanda-2:redpanda${dataDir}`);
  });
});

describe("a corrupted object in the bucket", () => {
  it("fails the restore with the object and checksums named, and leaves no file under its final name", async () => {
    const dataDir = dir("corrupt-source");
    await createSyntheticDataDir(dataDir, {
      topics: ["apphub.jobs.runs"],
      partitions: 1,
      closedSegments: 1,
      seed: 11,
    });
    const result = await runBackup({
      store,
      source: new LocalDirectorySource(dataDir),
      broker: 9,
      fullEveryHours: 24,
    });
    const { manifest } = await resolveManifest(store, 9, result.snapshotId);
    const victim = manifest.files.find(
      (file) => file.path.endsWith("0-1-v1.log") && file.path.startsWith("kafka/"),
    )!;
    const original = fs.readFileSync(path.join(dataDir, victim.path));
    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 0xff;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: store.fullKey(9, victim.chunks[0]!.key),
        Body: flipped,
      }),
    );
    const error = await restoreSnapshot({
      store,
      broker: 9,
      snapshot: result.snapshotId,
      into: dir("corrupt-restore"),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RestoreError);
    expect((error as Error).message).toContain(victim.path);
    expect((error as Error).message).toContain(victim.chunks[0]!.sha256);
    expect(fs.existsSync(path.join(dir("corrupt-restore"), victim.path))).toBe(false);
    expect(
      (await verifyStored(store, manifest, { deep: true })).problems.map((problem) => problem.path),
    ).toEqual([`${victim.path} @0`]);
  });
});

describe("a latest pointer whose manifest is unreadable", () => {
  it("does not block backups: the next run says so and starts a new chain", async () => {
    const dataDir = dir("unreadable-source");
    await createSyntheticDataDir(dataDir, {
      topics: ["apphub.jobs.runs"],
      partitions: 1,
      closedSegments: 1,
      seed: 13,
    });
    const source = new LocalDirectorySource(dataDir);
    const first = await runBackup({
      store,
      source,
      broker: 8,
      fullEveryHours: 24,
      now: at("2025-01-02T00:10:00Z"),
    });
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: store.fullKey(8, first.manifestKey),
        Body: "{ truncated",
      }),
    );
    const events: string[] = [];
    const next = await runBackup({
      store,
      source,
      broker: 8,
      fullEveryHours: 24,
      now: at("2025-01-02T01:10:00Z"),
      onEvent: (event) => events.push(event.event),
    });
    expect(events).toContain("previous-unreadable");
    expect(next).toMatchObject({
      kind: "full",
      chainId: next.snapshotId,
      uploadedBytes: next.bytes,
    });
    await restoreSnapshot({
      store,
      broker: 8,
      snapshot: "latest",
      into: dir("unreadable-restore"),
    });
    expect(await treeDigest(dir("unreadable-restore"))).toEqual(await treeDigest(dataDir));
  });
});

describe("the bucket's lifecycle rules", () => {
  /** The component's rules in the S3 API's own shape. */
  function toS3(rule: LifecycleRule): S3LifecycleRule {
    const and = rule.filter.and;
    return {
      ID: rule.id,
      Status: rule.status,
      Filter: and
        ? {
            And: {
              Prefix: and.prefix,
              Tags: Object.entries(and.tags).map(([Key, Value]) => ({ Key, Value })),
            },
          }
        : { Prefix: rule.filter.prefix },
      ...(rule.expiration
        ? {
            Expiration:
              rule.expiration.days !== undefined
                ? { Days: rule.expiration.days }
                : { ExpiredObjectDeleteMarker: rule.expiration.expiredObjectDeleteMarker },
          }
        : {}),
      ...(rule.noncurrentVersionExpiration
        ? {
            NoncurrentVersionExpiration: {
              NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays,
            },
          }
        : {}),
      ...(rule.abortIncompleteMultipartUpload
        ? {
            AbortIncompleteMultipartUpload: {
              DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation,
            },
          }
        : {}),
    };
  }

  it("are accepted by the S3 API as the component declares them", async () => {
    const rules = lifecycleRules({
      prefix: "redpanda",
      retentionDays: 14,
      noncurrentRetentionDays: 3,
      fullEveryHours: 24,
    }).map(toS3);
    await client.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: { Rules: rules },
      }),
    );
    const stored = await client.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }),
    );
    expect(stored.Rules?.map((rule) => rule.ID)).toEqual(rules.map((rule) => rule.ID));
    expect(
      stored.Rules?.find((rule) => rule.ID === "expire-released-snapshot-data")?.Filter?.And?.Tags,
    ).toEqual([{ Key: RELEASE_TAG_KEY, Value: "data" }]);
  });
});
