/**
 * One incremental backup run for one broker.
 *
 * Order of writes, which is what makes an interrupted run harmless:
 *   1. data objects, each under this snapshot's own keys (never overwriting anything);
 *   2. the manifest, only after every object it references is uploaded;
 *   3. the `latest` pointer, only after the manifest;
 *   4. older chains tagged for lifecycle expiry, only once a newer chain is latest.
 * A run killed anywhere before 3 leaves the previous snapshot as latest and intact; its
 * orphaned objects sit in a chain that is released (and so expires) with the rest.
 */
import { pipeline } from "node:stream";
import {
  LATEST_FORMAT,
  MANIFEST_FORMAT,
  type LatestPointer,
  type Manifest,
  type ManifestFile,
} from "./manifest";
import {
  LATEST_KEY,
  RELEASE_TAG_KEY,
  chunkKey,
  formatSnapshotId,
  manifestKey,
  releaseClassOf,
  releasedMarkerKey,
  type ReleaseClass,
} from "./layout";
import {
  chainsToRelease,
  decideKind,
  isExcluded,
  planFiles,
  type FileAction,
  type SnapshotKind,
  type SourceEntry,
} from "./plan";
import { isVanished, type SnapshotSource } from "./source";
import { EMPTY_SHA256, HashingCounter, mapLimit } from "./streams";
import type { SnapshotStore } from "./store";

export type BackupEvent =
  | {
      event: "plan";
      broker: number;
      snapshotId: string;
      kind: SnapshotKind;
      reason: string;
      files: number;
      upload: number;
      append: number;
      reuse: number;
    }
  | { event: "uploaded"; broker: number; path: string; bytes: number; action: "upload" | "append" }
  | { event: "append-rejected"; broker: number; path: string; why: string }
  | { event: "vanished"; broker: number; path: string }
  | { event: "latest-not-moved"; broker: number; snapshotId: string; newer: string }
  | { event: "previous-unreadable"; broker: number; manifestKey: string; error: string }
  | { event: "released"; broker: number; chainId: string; objects: number };

export interface BackupOptions {
  store: SnapshotStore;
  source: SnapshotSource;
  broker: number;
  /** Hours between full snapshots (`backup.fullEveryHours`). */
  fullEveryHours: number;
  /** Force a full snapshot. Default: false. */
  forceFull?: boolean;
  /** Clock, for tests of the full/incremental schedule. Default: the system clock. */
  now?: () => Date;
  /** Files read and uploaded at once. Default: 4. */
  concurrency?: number;
  onEvent?: (event: BackupEvent) => void;
}

export interface BackupResult {
  broker: number;
  snapshotId: string;
  chainId: string;
  kind: SnapshotKind;
  reason: string;
  manifestKey: string;
  /** Files and bytes in the snapshot. */
  files: number;
  bytes: number;
  /** Data bytes sent to S3 by this run (file contents; manifests and pointers excluded). */
  uploadedBytes: number;
  uploadedObjects: number;
  /** Manifest + latest pointer + release markers. */
  metadataBytes: number;
  reusedFiles: number;
  appendedFiles: number;
  vanishedFiles: number;
  releasedChains: string[];
}

interface Tally {
  uploadedBytes: number;
  uploadedObjects: number;
  appendedFiles: number;
  reusedFiles: number;
  vanishedFiles: number;
}

export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const { store, source, broker } = options;
  const clock = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = clock();
  const snapshotId = formatSnapshotId(startedAt);

  const latest = await store.readLatest(broker);
  const previous = latest ? await readPrevious(store, broker, latest, emit) : undefined;
  const decision = decideKind({
    previousChainId: previous?.chainId,
    now: startedAt,
    fullEveryHours: options.fullEveryHours,
    forceFull: options.forceFull ?? false,
  });
  const chainId = decision.kind === "full" ? snapshotId : previous!.chainId;

  const listing = await source.list();
  const files = listing.files.filter((file) => !isExcluded(file.path));
  const actions = planFiles(decision.kind, files, previous?.files);
  const count = (action: FileAction["action"]) =>
    actions.filter((entry) => entry.action === action).length;
  emit({
    event: "plan",
    broker,
    snapshotId,
    kind: decision.kind,
    reason: decision.reason,
    files: files.length,
    upload: count("upload"),
    append: count("append"),
    reuse: count("reuse"),
  });

  const tally: Tally = {
    uploadedBytes: 0,
    uploadedObjects: 0,
    appendedFiles: 0,
    reusedFiles: 0,
    vanishedFiles: 0,
  };
  const context: FileContext = { store, source, broker, chainId, snapshotId, tally, emit };
  const entries = await mapLimit(actions, options.concurrency ?? 4, (action) =>
    backUpFile(context, action),
  );
  const manifestFiles = entries.filter((entry): entry is ManifestFile => entry !== undefined);

  const relativeManifestKey = manifestKey(chainId, snapshotId);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    broker,
    snapshotId,
    chainId,
    kind: decision.kind,
    reason: decision.reason,
    parentSnapshotId: decision.kind === "full" ? null : (latest?.snapshotId ?? null),
    startedAt: startedAt.toISOString(),
    completedAt: clock().toISOString(),
    source: source.description,
    directories: listing.directories,
    files: manifestFiles,
    stats: {
      files: manifestFiles.length,
      bytes: manifestFiles.reduce((sum, file) => sum + file.size, 0),
      uploadedBytes: tally.uploadedBytes,
      uploadedObjects: tally.uploadedObjects,
      reusedFiles: tally.reusedFiles,
      appendedFiles: tally.appendedFiles,
      vanishedFiles: tally.vanishedFiles,
    },
  };
  let metadataBytes = await store.putJson(broker, relativeManifestKey, manifest);

  // Never move the pointer backwards, should someone have run a backup by hand meanwhile.
  const current = await store.readLatest(broker);
  let latestChainId = chainId;
  if (current && current.snapshotId > snapshotId) {
    emit({ event: "latest-not-moved", broker, snapshotId, newer: current.snapshotId });
    latestChainId = current.chainId;
  } else {
    const pointer: LatestPointer = {
      format: LATEST_FORMAT,
      broker,
      snapshotId,
      chainId,
      manifestKey: relativeManifestKey,
      completedAt: manifest.completedAt,
    };
    metadataBytes += await store.putJson(broker, LATEST_KEY, pointer);
  }

  const released = await releaseSupersededChains(
    store,
    broker,
    latestChainId,
    options.concurrency ?? 4,
    clock,
    emit,
  );
  metadataBytes += released.markerBytes;

  return {
    broker,
    snapshotId,
    chainId,
    kind: decision.kind,
    reason: decision.reason,
    manifestKey: relativeManifestKey,
    files: manifest.stats.files,
    bytes: manifest.stats.bytes,
    uploadedBytes: tally.uploadedBytes,
    uploadedObjects: tally.uploadedObjects,
    metadataBytes,
    reusedFiles: tally.reusedFiles,
    appendedFiles: tally.appendedFiles,
    vanishedFiles: tally.vanishedFiles,
    releasedChains: released.chains,
  };
}

/** A latest pointer whose manifest cannot be read must not block backups: start a new chain. */
async function readPrevious(
  store: SnapshotStore,
  broker: number,
  latest: LatestPointer,
  emit: (event: BackupEvent) => void,
): Promise<Manifest | undefined> {
  try {
    return await store.readManifest(broker, latest.manifestKey);
  } catch (error) {
    emit({
      event: "previous-unreadable",
      broker,
      manifestKey: latest.manifestKey,
      error: (error as Error).message,
    });
    return undefined;
  }
}

interface FileContext {
  store: SnapshotStore;
  source: SnapshotSource;
  broker: number;
  chainId: string;
  snapshotId: string;
  tally: Tally;
  emit: (event: BackupEvent) => void;
}

async function backUpFile(
  context: FileContext,
  action: FileAction,
): Promise<ManifestFile | undefined> {
  try {
    switch (action.action) {
      case "reuse":
        context.tally.reusedFiles += 1;
        return { ...action.previous };
      case "append": {
        const appended = await appendTail(context, action.file, action.previous);
        if (appended) return appended;
        return await uploadWhole(context, action.file);
      }
      case "upload":
        return await uploadWhole(context, action.file);
    }
  } catch (error) {
    if (!isVanished(error)) throw error;
    context.tally.vanishedFiles += 1;
    context.emit({ event: "vanished", broker: context.broker, path: action.file.path });
    return undefined;
  }
}

/** Streams `[start, start + length)` of a file into a new object; returns what was actually stored. */
async function uploadRange(
  context: FileContext,
  path: string,
  start: number,
  length: number,
): Promise<{ key: string; bytes: number; sha256: string }> {
  const key = chunkKey(context.chainId, context.snapshotId, path, start);
  const counter = new HashingCounter();
  const body = pipeline(context.source.read(path, start, length), counter, () => undefined);
  try {
    await context.store.upload(context.broker, key, body);
  } catch (error) {
    // Stop the source too (a kubectl exec child would otherwise keep streaming into a full pipe).
    body.destroy();
    throw error;
  }
  context.tally.uploadedBytes += counter.bytes;
  context.tally.uploadedObjects += 1;
  return { key, bytes: counter.bytes, sha256: counter.digest() };
}

async function uploadWhole(context: FileContext, file: SourceEntry): Promise<ManifestFile> {
  if (file.size === 0)
    return { path: file.path, size: 0, mtimeNs: file.mtimeNs, sha256: EMPTY_SHA256, chunks: [] };
  const stored = await uploadRange(context, file.path, 0, file.size);
  context.emit({
    event: "uploaded",
    broker: context.broker,
    path: file.path,
    bytes: stored.bytes,
    action: "upload",
  });
  // A file that shrank between listing and reading is stored as read; the next run sees its new mtime.
  return {
    path: file.path,
    size: stored.bytes,
    mtimeNs: file.mtimeNs,
    sha256: stored.sha256,
    chunks:
      stored.bytes === 0
        ? []
        : [{ offset: 0, length: stored.bytes, sha256: stored.sha256, key: stored.key }],
  };
}

/**
 * Uploads only the bytes appended since the previous snapshot, then checks at the source
 * that the old bytes are unchanged and that the tail hashed there is the tail uploaded.
 * Anything else (a rewritten index, a Raft truncation followed by new writes) returns
 * undefined and the file is uploaded whole.
 */
async function appendTail(
  context: FileContext,
  file: SourceEntry,
  previous: ManifestFile,
): Promise<ManifestFile | undefined> {
  const tailLength = file.size - previous.size;
  const tail = await uploadRange(context, file.path, previous.size, tailLength);
  const reject = (why: string) => {
    context.emit({ event: "append-rejected", broker: context.broker, path: file.path, why });
    return undefined;
  };
  if (tail.bytes !== tailLength)
    return reject(`read ${tail.bytes} of ${tailLength} appended bytes`);
  const [prefix, whole, tailAtSource] = await context.source.digest(file.path, [
    { start: 0, length: previous.size },
    { start: 0, length: file.size },
    { start: previous.size, length: tailLength },
  ]);
  if (prefix!.length !== previous.size || prefix!.sha256 !== previous.sha256)
    return reject("bytes before the previous end changed");
  if (tailAtSource!.sha256 !== tail.sha256 || whole!.length !== file.size)
    return reject("file changed while it was read");
  context.tally.appendedFiles += 1;
  context.emit({
    event: "uploaded",
    broker: context.broker,
    path: file.path,
    bytes: tail.bytes,
    action: "append",
  });
  return {
    path: file.path,
    size: file.size,
    mtimeNs: file.mtimeNs,
    sha256: whole!.sha256,
    chunks: [
      ...previous.chunks,
      { offset: previous.size, length: tailLength, sha256: tail.sha256, key: tail.key },
    ],
  };
}

async function releaseSupersededChains(
  store: SnapshotStore,
  broker: number,
  latestChainId: string,
  concurrency: number,
  clock: () => Date,
  emit: (event: BackupEvent) => void,
): Promise<{ chains: string[]; markerBytes: number }> {
  const older = (await store.listChains(broker)).filter((chainId) => chainId < latestChainId);
  const state = await Promise.all(
    older.map(async (chainId) => ({ chainId, released: await store.isReleased(broker, chainId) })),
  );
  const chains = chainsToRelease(state, latestChainId);
  let markerBytes = 0;
  for (const chainId of chains) {
    const objects = await store.listChainObjects(broker, chainId);
    await mapLimit(objects, concurrency * 4, (object) =>
      store.tagReleased(broker, object.key, releaseClassOf(object.key)),
    );
    const markerClass: ReleaseClass = "data";
    markerBytes += await store.putJson(
      broker,
      releasedMarkerKey(chainId),
      {
        chainId,
        releasedAt: clock().toISOString(),
        supersededBy: latestChainId,
        objects: objects.length,
      },
      { [RELEASE_TAG_KEY]: markerClass },
    );
    emit({ event: "released", broker, chainId, objects: objects.length });
  }
  return { chains, markerBytes };
}
