/**
 * Bytes uploaded by the backup for a full, an incremental and a no-change run, against a
 * real S3 API (moto by default: `npm run peers -- up s3` first), on a synthetic data dir
 * shaped like a broker of the seed's catalog (7 topics × 6 partitions). Ratios are against
 * baselines from the same run: the full snapshot, and a file-level incremental that would
 * re-upload every new or changed file whole.
 *
 *   npm run bench:backup -- [--endpoint URL] [--segment-kib N] [--append-kib N]
 *
 * (`--help`: the options; exit codes: src/cli/kit.ts; 1 also when the restore is not byte-identical)
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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
import {
  defineCli,
  EXIT,
  positiveInteger,
  processIo,
  runCli,
  runParsed,
  type Io,
} from "../src/cli/kit";
import { SEED_TOPICS } from "../src/topics/catalog";
import { S3_ENDPOINT, S3_REGION } from "../test/peers/s3";

export const BENCH_BACKUP_CLI = defineCli({
  name: "bench:backup",
  summary:
    "Measures the bytes a full, an incremental and a no-change backup upload to a real S3 API, against the full snapshot and a file-level incremental from the same run, then restores and compares.",
  usage: ["[--endpoint <url>] [--segment-kib <n>] [--append-kib <n>]"],
  options: {
    endpoint: {
      type: "string",
      description: "the S3 API (else BACKUP_ENDPOINT, else the S3 peer)",
      value: "<url>",
    },
    "segment-kib": {
      type: "string",
      description: "size of each closed log segment",
      value: "<n>",
      default: "1024",
    },
    "append-kib": {
      type: "string",
      description: "bytes appended to each open segment in the busy hour",
      value: "<n>",
      default: "64",
    },
  },
});

/** The seed catalog's topics: the data dir is shaped like a broker of the default stack. */
const TOPICS = SEED_TOPICS.map((topic) => topic.name);

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

export function benchBackupCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BENCH_BACKUP_CLI,
    argv,
    ({ values }) =>
      bench(
        {
          endpoint: values.endpoint ?? process.env.BACKUP_ENDPOINT ?? S3_ENDPOINT,
          segmentBytes: positiveInteger("segment-kib", values["segment-kib"] ?? "") * 1024,
          appendBytes: positiveInteger("append-kib", values["append-kib"] ?? "") * 1024,
        },
        io,
      ),
    io,
  );
}

async function bench(
  settings: { endpoint: string; segmentBytes: number; appendBytes: number },
  io: Io,
): Promise<number> {
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: S3_REGION,
    forcePathStyle: true,
    maxAttempts: 3,
  });
  const bucket = `backup-bench-${Date.now()}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw new Error(
      `no S3 API at ${settings.endpoint} (${(error as Error).message}); start one with: npm run peers -- up s3`,
    );
  }
  const store = new SnapshotStore(client, { bucket, prefix: "redpanda" });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-bench-"));
  const dataDir = path.join(work, "data");
  const shape = {
    topics: TOPICS,
    partitions: 6,
    closedSegments: 3,
    segmentBytes: settings.segmentBytes,
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
      appendBytes: settings.appendBytes,
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
    io.out(
      `backup bench: ${TOPICS.length} topics x ${shape.partitions} partitions, ${full.value.files} files, ${formatBytes(full.value.bytes)} per broker, S3 at ${settings.endpoint}`,
    );
    io.out(`${"run".padEnd(12)} ${"data uploaded".padStart(24)}  ${"ratio".padStart(12)}`);
    io.out(row("full", full));
    io.out(
      row(
        "incremental",
        incremental,
        `  (file-level incremental would send ${formatBytes(naiveIncremental)}: ${(incremental.value.uploadedBytes / naiveIncremental).toFixed(3)}x of it)`,
      ),
    );
    io.out(row("no change", quiet));
    io.out(
      `restore      ${formatBytes(restore.value.bytes).padStart(24)}  ${restore.seconds.toFixed(2)} s, byte-identical: ${identical}`,
    );
    return identical ? EXIT.ok : EXIT.failed;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    client.destroy();
  }
}

if (require.main === module)
  runCli("bench:backup", () => benchBackupCommand(process.argv.slice(2)));
