/**
 * Where a broker's data directory is read from. Two implementations: a local directory
 * (tests, drills, a volume mounted into a pod) and `kubectl exec` into a broker pod (the
 * CronJob; see kubectl-source.ts). The engine only needs to list, read a byte range and
 * hash byte ranges, so a source never has to ship a whole file to learn it is unchanged.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isSafeRelativePath } from "./layout";
import type { SourceEntry } from "./plan";

export interface SourceListing {
  files: SourceEntry[];
  /** Every directory, so empty ones are restored too. */
  directories: string[];
}

export interface ByteRange {
  start: number;
  length: number;
}

export interface RangeDigest {
  /** Bytes actually hashed: less than requested when the file is now shorter. */
  length: number;
  sha256: string;
}

export interface SnapshotSource {
  /** Shown in logs and recorded in the manifest. */
  readonly description: string;
  list(): Promise<SourceListing>;
  /** Bytes `[start, start + length)`, fewer if the file shrank; errors with {@link FileVanishedError} if it is gone. */
  read(relativePath: string, start: number, length: number): Readable;
  /** sha256 of each range, hashed where the file lives; {@link FileVanishedError} if it is gone. */
  digest(relativePath: string, ranges: readonly ByteRange[]): Promise<RangeDigest[]>;
}

/** The file was deleted between listing and reading (Redpanda retention or compaction at work). */
export class FileVanishedError extends Error {
  override readonly name = "FileVanishedError";
  constructor(readonly relativePath: string) {
    super(`${relativePath} vanished while being backed up`);
  }
}

export function isVanished(error: unknown): boolean {
  if (error instanceof FileVanishedError) return true;
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** Created at the root of a fresh ext4 volume, root-owned; never part of a broker's data. */
export const LOST_AND_FOUND = "lost+found";

/** Walks `root` (regular files and directories; symlinks, devices and a root `lost+found` are skipped). */
export async function listDirectory(root: string): Promise<SourceListing> {
  const files: SourceEntry[] = [];
  const directories: string[] = [];
  async function walk(relative: string): Promise<void> {
    const entries = await fsp.readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (child === LOST_AND_FOUND) continue;
      if (entry.isDirectory()) {
        directories.push(child);
        await walk(child);
      } else if (entry.isFile()) {
        try {
          const stat = await fsp.stat(path.join(root, child), { bigint: true });
          files.push({ path: child, size: Number(stat.size), mtimeNs: stat.mtimeNs.toString() });
        } catch (error) {
          if (!isVanished(error)) throw error;
        }
      }
    }
  }
  await walk("");
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  directories.sort();
  return { files, directories };
}

/** A broker data directory on the local filesystem. */
export class LocalDirectorySource implements SnapshotSource {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `dir:${path.resolve(root)}`;
  }

  list(): Promise<SourceListing> {
    return listDirectory(this.root);
  }

  read(relativePath: string, start: number, length: number): Readable {
    if (length === 0) return Readable.from([]);
    const stream = createReadStream(this.resolve(relativePath), { start, end: start + length - 1 });
    return stream;
  }

  async digest(relativePath: string, ranges: readonly ByteRange[]): Promise<RangeDigest[]> {
    const results: RangeDigest[] = [];
    for (const range of ranges) {
      const hash = createHash("sha256");
      let length = 0;
      try {
        await pipeline(
          this.read(relativePath, range.start, range.length),
          async (source: AsyncIterable<Buffer>) => {
            for await (const chunk of source) {
              hash.update(chunk);
              length += chunk.length;
            }
          },
        );
      } catch (error) {
        if (isVanished(error)) throw new FileVanishedError(relativePath);
        throw error;
      }
      results.push({ length, sha256: hash.digest("hex") });
    }
    return results;
  }

  private resolve(relativePath: string): string {
    if (!isSafeRelativePath(relativePath))
      throw new Error(`refusing to read "${relativePath}": not a path inside the data directory`);
    return path.join(this.root, relativePath);
  }
}
