/**
 * Every decision the backup makes, as pure functions: full or incremental, what to do with
 * each file, which chains to release for expiry, how long the lifecycle rules keep things.
 * The engine only carries these decisions out.
 */
import type { ManifestFile } from "./manifest";
import { parseSnapshotId } from "./layout";

export type SnapshotKind = "full" | "incremental";

/** A regular file as a source lists it. */
export interface SourceEntry {
  /** Relative to the data directory, POSIX separators. */
  path: string;
  size: number;
  /** Integer nanoseconds since the epoch, as a decimal string (more precise than a JS number). */
  mtimeNs: string;
}

/**
 * Files never backed up. Redpanda's `pid.lock` names the process that held the data dir; a
 * restored copy describes a process that no longer exists.
 */
export const EXCLUDED_PATHS: readonly string[] = ["pid.lock"];

export function isExcluded(path: string): boolean {
  return EXCLUDED_PATHS.includes(path);
}

/**
 * An open segment that keeps growing gets one more chunk per run; past this many the file is
 * uploaded whole again, which bounds both the manifest size and the objects a restore fetches.
 */
export const MAX_CHUNKS_PER_FILE = 48;

const HOUR_MS = 3_600_000;

export interface KindDecision {
  kind: SnapshotKind;
  reason: string;
}

/**
 * Full snapshots happen at the first run in each `fullEveryHours` window (windows aligned to
 * the Unix epoch, so with the default 24 the full snapshot is the first run after 00:00 UTC).
 * Aligned windows make the schedule predictable and bound every chain to one window: no
 * object a snapshot references is older than the start of its window (plus one run).
 */
export function decideKind(input: {
  previousChainId?: string | undefined;
  now: Date;
  fullEveryHours: number;
  forceFull?: boolean;
}): KindDecision {
  if (input.previousChainId === undefined) return { kind: "full", reason: "no previous snapshot" };
  if (input.forceFull) return { kind: "full", reason: "full snapshot requested" };
  const windowMs = input.fullEveryHours * HOUR_MS;
  const chainWindow = Math.floor(parseSnapshotId(input.previousChainId).getTime() / windowMs);
  const nowWindow = Math.floor(input.now.getTime() / windowMs);
  if (chainWindow !== nowWindow)
    return { kind: "full", reason: `new ${input.fullEveryHours}-hour window` };
  return {
    kind: "incremental",
    reason: `same ${input.fullEveryHours}-hour window as chain ${input.previousChainId}`,
  };
}

export type FileAction =
  /** Same size and mtime as in the previous snapshot: reference its objects, read nothing. */
  | { action: "reuse"; file: SourceEntry; previous: ManifestFile }
  /** Grew: upload only the new tail, if the old bytes turn out unchanged (checked at the source). */
  | { action: "append"; file: SourceEntry; previous: ManifestFile }
  | { action: "upload"; file: SourceEntry; reason: "full" | "new" | "changed" };

/** What to do with each listed file, in listing order. Files absent from `files` are simply not in the new manifest. */
export function planFiles(
  kind: SnapshotKind,
  files: readonly SourceEntry[],
  previous: readonly ManifestFile[] = [],
): FileAction[] {
  const before = new Map(previous.map((entry) => [entry.path, entry]));
  return files.map((file): FileAction => {
    if (kind === "full") return { action: "upload", file, reason: "full" };
    const old = before.get(file.path);
    if (!old) return { action: "upload", file, reason: "new" };
    if (old.size === file.size && old.mtimeNs === file.mtimeNs)
      return { action: "reuse", file, previous: old };
    if (file.size > old.size && old.size > 0 && old.chunks.length < MAX_CHUNKS_PER_FILE)
      return { action: "append", file, previous: old };
    return { action: "upload", file, reason: "changed" };
  });
}

/**
 * Chains whose objects may now be tagged for expiry: every chain older than the chain the
 * latest pointer is on that is not released yet. Never the latest chain (what it references
 * must not expire, however long backups stop) and never a newer one (a run still writing it,
 * or one that finished its manifest but not the pointer; the next full snapshot releases it).
 */
export function chainsToRelease(
  chains: readonly { chainId: string; released: boolean }[],
  latestChainId: string,
): string[] {
  return chains
    .filter((chain) => chain.chainId < latestChainId && !chain.released)
    .map((chain) => chain.chainId)
    .sort();
}

export interface LifecycleDays {
  /** A released snapshot's manifest expires this many days after it was written. */
  manifests: number;
  /** A released chain's data objects expire this many days after upload. */
  data: number;
}

/**
 * Data outlives the manifests that reference it. A manifest is written at most one window
 * (`fullEveryHours`) plus one run (the Job's deadline, under a day) after the oldest object
 * of its chain, so keeping data `ceil(fullEveryHours / 24) + 1` days longer than manifests
 * means a snapshot that is still listed can still be restored.
 */
export function lifecycleDays(retentionDays: number, fullEveryHours: number): LifecycleDays {
  return { manifests: retentionDays, data: retentionDays + Math.ceil(fullEveryHours / 24) + 1 };
}

/** Bytes → "1.5 MiB". */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
