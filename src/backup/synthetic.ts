/**
 * A synthetic directory shaped like a Redpanda data dir, for the backup tests, the backup
 * bench and restore drills: topics with partitions (`kafka/<topic>/<p>_<rev>/`), closed
 * segments with their indexes, one open segment per partition, the controller log, the
 * kvstore and the top-level files. Content is pseudo-random (incompressible) and
 * deterministic per seed. `evolveSyntheticDataDir` then does what an hour of traffic does.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { isExcluded } from "./plan";
import { listDirectory } from "./source";
import { sha256OfFile } from "./verify";

export interface SyntheticOptions {
  /** Default: three AppHub topics. */
  topics?: string[];
  /** Partitions per topic. Default: 2. */
  partitions?: number;
  /** Closed segments per partition. Default: 2. */
  closedSegments?: number;
  /** Size of a closed segment. Default: 256 KiB. */
  segmentBytes?: number;
  /** Size of each partition's open segment. Default: 64 KiB. */
  openSegmentBytes?: number;
  seed?: number;
}

const DEFAULT_TOPICS = [
  "apphub.core.events",
  "apphub.ingestion.telemetry",
  "apphub.workflows.runs",
];
const INDEX_BYTES = 1024;
const OFFSETS_PER_SEGMENT = 1000;

/** mulberry32: fast, seedable, good enough to make bytes that do not compress or repeat. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  let state = seed >>> 0;
  for (let i = 0; i < words.length; i += 1) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    words[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return Buffer.from(words.buffer, 0, length);
}

function partitionDirs(options: SyntheticOptions): string[] {
  const topics = options.topics ?? DEFAULT_TOPICS;
  const partitions = options.partitions ?? 2;
  return topics.flatMap((topic, t) =>
    Array.from({ length: partitions }, (_, p) => `kafka/${topic}/${p}_${10 + t}`),
  );
}

function segmentName(baseOffset: number, term = 1): string {
  return `${baseOffset}-${term}-v1.log`;
}

async function write(root: string, relative: string, content: Buffer | string): Promise<void> {
  const target = path.join(root, relative);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await fsp.writeFile(target, content);
}

export async function createSyntheticDataDir(
  root: string,
  options: SyntheticOptions = {},
): Promise<void> {
  let seed = options.seed ?? 1;
  const next = () => (seed = (seed * 7919 + 17) >>> 0);
  const closed = options.closedSegments ?? 2;
  const segmentBytes = options.segmentBytes ?? 256 * 1024;
  const openBytes = options.openSegmentBytes ?? 64 * 1024;

  await write(root, ".redpanda_data", "");
  await write(root, "pid.lock", "4242\n");
  await write(root, "startup_log", pseudoRandomBytes(64, next()));
  await write(
    root,
    "config_cache.yaml",
    "version: 7\nvalues:\n  auto_create_topics_enabled: false\n",
  );
  await write(root, "redpanda/controller/0_0/0-1-v1.log", pseudoRandomBytes(32 * 1024, next()));
  await write(
    root,
    "redpanda/controller/0_0/0-1-v1.base_index",
    pseudoRandomBytes(INDEX_BYTES, next()),
  );
  await write(root, "redpanda/kvstore/0_0/0-0-v1.log", pseudoRandomBytes(16 * 1024, next()));
  await fsp.mkdir(path.join(root, "cloud_storage_cache"), { recursive: true });

  for (const dir of partitionDirs(options)) {
    for (let segment = 0; segment <= closed; segment += 1) {
      const base = segment * OFFSETS_PER_SEGMENT;
      const size = segment === closed ? openBytes : segmentBytes;
      await write(root, `${dir}/${segmentName(base)}`, pseudoRandomBytes(size, next()));
      await write(
        root,
        `${dir}/${segmentName(base).replace(/\.log$/, ".base_index")}`,
        pseudoRandomBytes(INDEX_BYTES, next()),
      );
    }
  }
}

export interface EvolveOptions {
  /** Bytes appended to every partition's open segment. Default: 16 KiB. */
  appendBytes?: number;
  /** Partitions whose open segment is closed and a new one started. Default: 2. */
  rollPartitions?: number;
  /** Size of the new open segments. Default: 32 KiB. */
  newSegmentBytes?: number;
  /** Delete the oldest segment (and its index) of the first partition, as retention does. Default: true. */
  deleteOldest?: boolean;
  seed?: number;
}

/** Describes what changed, for assertions. */
export interface EvolveReport {
  appended: string[];
  created: string[];
  deleted: string[];
  rewritten: string[];
}

async function openSegmentOf(root: string, dir: string): Promise<string> {
  const logs = (await fsp.readdir(path.join(root, dir))).filter((name) => name.endsWith(".log"));
  const newest = logs.sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0])).at(-1);
  if (!newest) throw new Error(`no segment in ${dir}`);
  return `${dir}/${newest}`;
}

/** One hour of traffic: open segments grow, some roll over, retention deletes a segment, the kvstore is rewritten. */
export async function evolveSyntheticDataDir(
  root: string,
  shape: SyntheticOptions = {},
  options: EvolveOptions = {},
): Promise<EvolveReport> {
  let seed = options.seed ?? 99;
  const next = () => (seed = (seed * 104729 + 13) >>> 0);
  const report: EvolveReport = { appended: [], created: [], deleted: [], rewritten: [] };
  const dirs = partitionDirs(shape);
  const appendBytes = options.appendBytes ?? 16 * 1024;

  for (const [index, dir] of dirs.entries()) {
    const open = await openSegmentOf(root, dir);
    await fsp.appendFile(path.join(root, open), pseudoRandomBytes(appendBytes, next()));
    report.appended.push(open);
    // Redpanda rewrites the index of the segment it appends to.
    const indexPath = open.replace(/\.log$/, ".base_index");
    await write(root, indexPath, pseudoRandomBytes(INDEX_BYTES + 64, next()));
    report.rewritten.push(indexPath);
    if (index < (options.rollPartitions ?? 2)) {
      const base = Number(path.basename(open).split("-")[0]) + OFFSETS_PER_SEGMENT;
      const created = `${dir}/${segmentName(base)}`;
      await write(root, created, pseudoRandomBytes(options.newSegmentBytes ?? 32 * 1024, next()));
      await write(
        root,
        created.replace(/\.log$/, ".base_index"),
        pseudoRandomBytes(INDEX_BYTES, next()),
      );
      report.created.push(created, created.replace(/\.log$/, ".base_index"));
    }
  }
  if (options.deleteOldest ?? true) {
    const first = dirs[0]!;
    const oldest = (await fsp.readdir(path.join(root, first)))
      .filter((name) => name.endsWith(".log"))
      .sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0]))[0]!;
    for (const name of [oldest, oldest.replace(/\.log$/, ".base_index")]) {
      await fsp.rm(path.join(root, first, name));
      report.deleted.push(`${first}/${name}`);
    }
  }
  const kvstore = "redpanda/kvstore/0_0/0-0-v1.log";
  const { size } = await fsp.stat(path.join(root, kvstore));
  await write(root, kvstore, pseudoRandomBytes(size, next()));
  report.rewritten.push(kvstore);
  return report;
}

/** path → sha256 of every file a backup covers (so `pid.lock` is left out). */
export async function treeDigest(root: string): Promise<Map<string, string>> {
  const listing = await listDirectory(root);
  const digests = new Map<string, string>();
  for (const file of listing.files) {
    if (isExcluded(file.path)) continue;
    digests.set(file.path, (await sha256OfFile(path.join(root, file.path))).sha256);
  }
  return digests;
}

/** Total bytes of the files a backup covers. */
export async function treeBytes(root: string): Promise<number> {
  const listing = await listDirectory(root);
  return listing.files
    .filter((file) => !isExcluded(file.path))
    .reduce((sum, file) => sum + file.size, 0);
}
