/**
 * Bytes uploaded by the backup for a full, an incremental and a no-change run, against a
 * real S3 API (moto by default: `npm run peers -- up s3` first), on a synthetic data dir
 * shaped like a broker of the seed's catalog (7 topics × 6 partitions). Ratios are against
 * baselines from the same run: the full snapshot, and a file-level incremental that would
 * re-upload every new or changed file whole.
 *
 *   npx tsc -p . && node dist/bench/backup.js [--endpoint URL] [--segment-kib N] [--append-kib N]
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runBackup, type BackupResult } from "../src/backup/engine";
import { formatBytes, isExcluded } from "../src/backup/plan";
import { restoreSnapshot } from "../src/backup/restore";
import { LocalDirectorySource, listDirectory } from "../src/backup/source";
import { SnapshotStore } from "../src/backup/store";
import {
  createSyntheticDataDir,
  evolveSyntheticDataDir,
  treeDigest,
} from "../src/backup/synthetic";

const SEED_TOPICS = [
  "apphub.core.events",
  "apphub.ingestion.telemetry",
  "apphub.workflows.events",
  "apphub.workflows.runs",
  "apphub.jobs.runs",
  "apphub.streaming.input",
  "apphub.streaming.aggregates",
];

async function changedFileBytes(
  dir: string,
  before: Awaited<ReturnType<typeof listDirectory>>,
): Promise<number> {
  const old = new Map(before.files.map((file) => [file.path, file]));
  const after = await listDirectory(dir);
  return after.files
    .filter((file) => !isExcluded(file.path))
    .filter((file) => {
      const previous = old.get(file.path);
      return !previous || previous.size !== file.size || previous.mtimeNs !== file.mtimeNs;
    })
    .reduce((sum, file) => sum + file.size, 0);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await run();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      endpoint: {
        type: "string",
        default: process.env.BACKUP_ENDPOINT ?? "http://127.0.0.1:19900",
      },
      "segment-kib": { type: "string", default: "1024" },
      "append-kib": { type: "string", default: "64" },
    },
  });
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  const client = new S3Client({
    endpoint: values.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    maxAttempts: 3,
  });
  const bucket = `backup-bench-${Date.now()}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw new Error(
      `no S3 API at ${values.endpoint} (${(error as Error).message}); start one with: npm run peers -- up s3`,
    );
  }
  const store = new SnapshotStore(client, { bucket, prefix: "redpanda" });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-bench-"));
  const dataDir = path.join(work, "data");
  const shape = {
    topics: SEED_TOPICS,
    partitions: 6,
    closedSegments: 3,
    segmentBytes: Number(values["segment-kib"]) * 1024,
    openSegmentBytes: 256 * 1024,
  };
  const source = new LocalDirectorySource(dataDir);
  const day = "2025-01-02";
  try {
    await createSyntheticDataDir(dataDir, shape);
    const full = await timed(() =>
      runBackup({
        store,
        source,
        broker: 0,
        fullEveryHours: 24,
        now: () => new Date(`${day}T00:05:00Z`),
      }),
    );
    const before = await listDirectory(dataDir);
    // One busy hour: every open segment grows, a third of the partitions roll, retention drops a segment.
    await evolveSyntheticDataDir(dataDir, shape, {
      appendBytes: Number(values["append-kib"]) * 1024,
      rollPartitions: 14,
      newSegmentBytes: 128 * 1024,
    });
    const naiveIncremental = await changedFileBytes(dataDir, before);
    const incremental = await timed(() =>
      runBackup({
        store,
        source,
        broker: 0,
        fullEveryHours: 24,
        now: () => new Date(`${day}T01:05:00Z`),
      }),
    );
    const quiet = await timed(() =>
      runBackup({
        store,
        source,
        broker: 0,
        fullEveryHours: 24,
        now: () => new Date(`${day}T02:05:00Z`),
      }),
    );
    const into = path.join(work, "restore");
    const restore = await timed(() =>
      restoreSnapshot({ store, broker: 0, snapshot: "latest", into }),
    );
    const identical =
      JSON.stringify([...(await treeDigest(into))].sort()) ===
      JSON.stringify([...(await treeDigest(dataDir))].sort());

    const baseline = full.value.uploadedBytes;
    const row = (name: string, run: { value: BackupResult; seconds: number }, note = "") =>
      `${name.padEnd(12)} ${String(run.value.uploadedBytes).padStart(11)} B ${formatBytes(run.value.uploadedBytes).padStart(10)}  ` +
      `${(run.value.uploadedBytes / baseline).toFixed(4).padStart(7)}x full  ${String(run.value.uploadedObjects).padStart(4)} objects  ` +
      `manifest+pointer ${formatBytes(run.value.metadataBytes).padStart(9)}  ${run.seconds.toFixed(2)} s${note}`;
    console.log(
      `backup bench: ${SEED_TOPICS.length} topics x ${shape.partitions} partitions, ${full.value.files} files, ${formatBytes(full.value.bytes)} per broker, S3 at ${values.endpoint}`,
    );
    console.log(`${"run".padEnd(12)} ${"data uploaded".padStart(24)}  ${"ratio".padStart(12)}`);
    console.log(row("full", full));
    console.log(
      row(
        "incremental",
        incremental,
        `  (file-level incremental would send ${formatBytes(naiveIncremental)}: ${(incremental.value.uploadedBytes / naiveIncremental).toFixed(3)}x of it)`,
      ),
    );
    console.log(row("no change", quiet));
    console.log(
      `restore      ${formatBytes(restore.value.bytes).padStart(24)}  ${restore.seconds.toFixed(2)} s, byte-identical: ${identical}`,
    );
    if (!identical) process.exitCode = 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
