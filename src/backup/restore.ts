/**
 * Listing snapshots and restoring one broker's data directory from one of them into an
 * empty directory. Every chunk and every file is checked against the manifest's sha256
 * before it gets its final name, so a restore either produces verified files or fails.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { isSafeRelativePath, isSnapshotId, manifestKey as manifestKeyOf } from "./layout";
import type { Manifest, ManifestFile } from "./manifest";
import { LOST_AND_FOUND } from "./source";
import { mapLimit } from "./streams";
import type { SnapshotStore } from "./store";

export interface SnapshotRef {
  broker: number;
  chainId: string;
  snapshotId: string;
  kind: "full" | "incremental";
  manifestKey: string;
  manifestBytes: number;
  latest: boolean;
}

export class RestoreError extends Error {
  override readonly name = "RestoreError";
}

/** Completed snapshots of a broker, oldest first. Reads keys only, no manifests. */
export async function listSnapshots(store: SnapshotStore, broker: number): Promise<SnapshotRef[]> {
  const [latest, chains] = await Promise.all([store.readLatest(broker), store.listChains(broker)]);
  const perChain = await Promise.all(
    chains.map((chainId) => store.listChainManifests(broker, chainId)),
  );
  return perChain
    .flat()
    .map((object) => {
      const chainId = object.key.split("/")[1]!;
      return {
        broker,
        chainId,
        snapshotId: object.snapshotId,
        kind: object.snapshotId === chainId ? ("full" as const) : ("incremental" as const),
        manifestKey: object.key,
        manifestBytes: object.size,
        latest: latest?.snapshotId === object.snapshotId,
      };
    })
    .sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0));
}

/** `snapshot` is a snapshot id or `latest`. */
export async function resolveManifest(
  store: SnapshotStore,
  broker: number,
  snapshot: string,
): Promise<{ manifest: Manifest; manifestKey: string }> {
  if (snapshot === "latest") {
    const latest = await store.readLatest(broker);
    if (!latest)
      throw new RestoreError(`no snapshot of broker ${broker} under ${store.describe(broker)}`);
    return {
      manifest: await store.readManifest(broker, latest.manifestKey),
      manifestKey: latest.manifestKey,
    };
  }
  if (!isSnapshotId(snapshot))
    throw new RestoreError(
      `expected --snapshot to be "latest" or a snapshot id such as 20250102T030405.678Z, got "${snapshot}"`,
    );
  // A snapshot belongs to the newest chain that started at or before it.
  const candidates = (await store.listChains(broker))
    .filter((chainId) => chainId <= snapshot)
    .reverse();
  for (const chainId of candidates) {
    const key = manifestKeyOf(chainId, snapshot);
    if ((await store.headSize(broker, key)) !== undefined)
      return { manifest: await store.readManifest(broker, key), manifestKey: key };
  }
  throw new RestoreError(
    `snapshot ${snapshot} of broker ${broker} not found under ${store.describe(broker)} (run "list" to see the snapshots)`,
  );
}

/** Directories a fresh filesystem carries that do not make a volume "not empty". */
const FRESH_VOLUME_ENTRIES = new Set([LOST_AND_FOUND]);

async function assertEmptyTarget(into: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(into);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await fsp.mkdir(into, { recursive: true });
    return;
  }
  const occupied = entries.filter((entry) => !FRESH_VOLUME_ENTRIES.has(entry));
  if (occupied.length > 0) {
    throw new RestoreError(
      `refusing to restore into ${into}: it is not empty (${occupied.slice(0, 5).join(", ")}${occupied.length > 5 ? ", ..." : ""}). ` +
        "Restore needs an empty volume; move the existing data aside first (nothing is overwritten or deleted).",
    );
  }
}

export interface RestoreOptions {
  store: SnapshotStore;
  broker: number;
  /** A snapshot id or `latest`. */
  snapshot: string;
  /** Must be empty or not exist. */
  into: string;
  /** Files downloaded at once. Default: 4. */
  concurrency?: number;
  onFile?: (file: ManifestFile) => void;
}

export interface RestoreResult {
  snapshotId: string;
  chainId: string;
  files: number;
  bytes: number;
  directories: number;
}

export async function restoreSnapshot(options: RestoreOptions): Promise<RestoreResult> {
  const { store, broker, into } = options;
  const { manifest } = await resolveManifest(store, broker, options.snapshot);
  if (manifest.broker !== broker)
    throw new RestoreError(
      `manifest of snapshot ${manifest.snapshotId} is for broker ${manifest.broker}, not ${broker}`,
    );
  for (const entry of [...manifest.directories, ...manifest.files.map((file) => file.path)]) {
    if (!isSafeRelativePath(entry))
      throw new RestoreError(`manifest path "${entry}" escapes the data directory`);
  }
  await assertEmptyTarget(into);
  for (const directory of manifest.directories)
    await fsp.mkdir(path.join(into, directory), { recursive: true });
  await mapLimit(manifest.files, options.concurrency ?? 4, async (file) => {
    await restoreFile(store, broker, into, file);
    options.onFile?.(file);
  });
  return {
    snapshotId: manifest.snapshotId,
    chainId: manifest.chainId,
    files: manifest.files.length,
    bytes: manifest.stats.bytes,
    directories: manifest.directories.length,
  };
}

const PARTIAL_SUFFIX = ".apphub-restore-partial";

async function restoreFile(
  store: SnapshotStore,
  broker: number,
  into: string,
  file: ManifestFile,
): Promise<void> {
  const target = path.join(into, file.path);
  const partial = `${target}${PARTIAL_SUFFIX}`;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const handle = await fsp.open(partial, "wx");
  const whole = createHash("sha256");
  try {
    for (const chunk of file.chunks) {
      const body = await store.getStream(broker, chunk.key);
      const hash = createHash("sha256");
      let bytes = 0;
      for await (const data of body as AsyncIterable<Buffer>) {
        hash.update(data);
        whole.update(data);
        bytes += data.length;
        await handle.write(data);
      }
      const digest = hash.digest("hex");
      if (bytes !== chunk.length || digest !== chunk.sha256) {
        throw new RestoreError(
          `${file.path}: object ${store.describe(broker, chunk.key)} holds ${bytes} bytes with sha256 ${digest}, manifest expects ${chunk.length} bytes with ${chunk.sha256}`,
        );
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  const digest = whole.digest("hex");
  if (digest !== file.sha256)
    throw new RestoreError(
      `${file.path}: restored sha256 ${digest} differs from the manifest's ${file.sha256}`,
    );
  await fsp.rename(partial, target);
  const mtimeSeconds = Number(BigInt(file.mtimeNs) / 1_000_000n) / 1000;
  await fsp.utimes(target, mtimeSeconds, mtimeSeconds);
}
