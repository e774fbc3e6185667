/**
 * Where everything lives in the bucket. Pure string functions, shared by the engine, the
 * restore tooling and the lifecycle rules, so the three can never disagree.
 *
 * ```
 * <prefix>/broker-<N>/latest.json                                  the "latest" pointer
 * <prefix>/broker-<N>/chains/<chain>/manifests/<snapshot>.json     one manifest per snapshot
 * <prefix>/broker-<N>/chains/<chain>/data/<snapshot>/<path>@<off>  bytes uploaded by that snapshot
 * <prefix>/broker-<N>/chains/<chain>/released.json                 chain superseded, tagged for expiry
 * ```
 *
 * A chain starts with a full snapshot (its id is the chain id) and continues with the
 * incremental snapshots that reuse its objects. Manifests store object keys relative to the
 * broker root, so a broker's backups stay valid when copied to another bucket or prefix.
 */

/** S3 object tag that marks a superseded chain's objects for the lifecycle expiry rules. */
export const RELEASE_TAG_KEY = "apphub-backup-released";
export type ReleaseClass = "manifest" | "data";

const SNAPSHOT_ID = /^\d{8}T\d{6}\.\d{3}Z$/;

/** `2025-01-02T03:04:05.678Z` → `20250102T030405.678Z`: sortable, readable, safe in keys. */
export function formatSnapshotId(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "");
}

export function isSnapshotId(value: string): boolean {
  return SNAPSHOT_ID.test(value);
}

export function parseSnapshotId(id: string): Date {
  if (!isSnapshotId(id))
    throw new Error(`expected a snapshot id such as 20250102T030405.678Z, got "${id}"`);
  const iso = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13)}`;
  return new Date(iso);
}

/** `"/redpanda/"` → `"redpanda"`; the empty prefix is refused (the IAM policy is scoped to it). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") throw new Error('expected a non-empty backup prefix such as "redpanda"');
  return trimmed;
}

export function brokerRoot(prefix: string, broker: number): string {
  return `${normalizePrefix(prefix)}/broker-${broker}/`;
}

export const LATEST_KEY = "latest.json";
export const CHAINS_DIR = "chains/";

export function chainDir(chainId: string): string {
  return `${CHAINS_DIR}${chainId}/`;
}

export function manifestsDir(chainId: string): string {
  return `${chainDir(chainId)}manifests/`;
}

export function manifestKey(chainId: string, snapshotId: string): string {
  return `${manifestsDir(chainId)}${snapshotId}.json`;
}

export function releasedMarkerKey(chainId: string): string {
  return `${chainDir(chainId)}released.json`;
}

/** Bytes `[offset, offset + length)` of `path` as uploaded by `snapshotId`. */
export function chunkKey(
  chainId: string,
  snapshotId: string,
  path: string,
  offset: number,
): string {
  return `${chainDir(chainId)}data/${snapshotId}/${path}@${offset}`;
}

/** Which lifecycle rule a chain object falls under once its chain is released. */
export function releaseClassOf(relativeKey: string): ReleaseClass {
  return /^chains\/[^/]+\/manifests\//.test(relativeKey) ? "manifest" : "data";
}

/** `<root>chains/<chain>/manifests/<snapshot>.json` → ids, or undefined for any other key. */
export function parseManifestKey(
  relativeKey: string,
): { chainId: string; snapshotId: string } | undefined {
  const match = /^chains\/([^/]+)\/manifests\/([^/]+)\.json$/.exec(relativeKey);
  if (!match || !isSnapshotId(match[1]!) || !isSnapshotId(match[2]!)) return undefined;
  return { chainId: match[1]!, snapshotId: match[2]! };
}

/**
 * A data-dir-relative path that is safe to join under a restore target: POSIX separators,
 * no absolute path, no `.`/`..` segment. A manifest is data read from a bucket; it must not
 * be able to write outside the directory being restored.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0"))
    return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
