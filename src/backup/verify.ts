/**
 * Checks a snapshot two ways: a restored directory against the manifest (every file present,
 * same size, same sha256, nothing extra), and the bucket against the manifest (every object
 * a snapshot references exists with the right size, or with `deep` the right sha256 too).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import * as path from "node:path";
import type { Manifest } from "./manifest";
import { isExcluded } from "./plan";
import { listDirectory } from "./source";
import { mapLimit } from "./streams";
import type { SnapshotStore } from "./store";

export interface Problem {
  path: string;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  checkedFiles: number;
  checkedBytes: number;
  problems: Problem[];
}

export async function sha256OfFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Compares a directory (a restored volume) with a manifest. `lost+found` and `pid.lock` are ignored. */
export async function verifyDirectory(
  dir: string,
  manifest: Manifest,
  concurrency = 4,
): Promise<VerifyReport> {
  const listing = await listDirectory(dir);
  const present = new Map(
    listing.files.filter((file) => !isExcluded(file.path)).map((file) => [file.path, file]),
  );
  const problems: Problem[] = [];
  let checkedBytes = 0;
  await mapLimit(manifest.files, concurrency, async (expected) => {
    const actual = present.get(expected.path);
    present.delete(expected.path);
    if (!actual) {
      problems.push({ path: expected.path, problem: "missing" });
      return;
    }
    if (actual.size !== expected.size) {
      problems.push({
        path: expected.path,
        problem: `size ${actual.size}, manifest says ${expected.size}`,
      });
      return;
    }
    const { sha256 } = await sha256OfFile(path.join(dir, expected.path));
    checkedBytes += actual.size;
    if (sha256 !== expected.sha256)
      problems.push({
        path: expected.path,
        problem: `sha256 ${sha256}, manifest says ${expected.sha256}`,
      });
  });
  for (const extra of present.keys())
    problems.push({ path: extra, problem: "not in the snapshot" });
  const directories = new Set(listing.directories);
  for (const directory of manifest.directories) {
    if (!directories.has(directory))
      problems.push({ path: `${directory}/`, problem: "directory missing" });
  }
  problems.sort((a, b) => a.path.localeCompare(b.path));
  return { ok: problems.length === 0, checkedFiles: manifest.files.length, checkedBytes, problems };
}

/** Checks that every object the manifest references is in the bucket (size; with `deep`, sha256 too). */
export async function verifyStored(
  store: SnapshotStore,
  manifest: Manifest,
  options: { deep?: boolean; concurrency?: number } = {},
): Promise<VerifyReport> {
  const chunks = manifest.files.flatMap((file) => file.chunks.map((chunk) => ({ file, chunk })));
  const problems: Problem[] = [];
  let checkedBytes = 0;
  await mapLimit(chunks, options.concurrency ?? 8, async ({ file, chunk }) => {
    const where = `${file.path} @${chunk.offset}`;
    if (!options.deep) {
      const size = await store.headSize(manifest.broker, chunk.key);
      if (size === undefined)
        problems.push({ path: where, problem: `object ${chunk.key} is missing` });
      else if (size !== chunk.length)
        problems.push({
          path: where,
          problem: `object ${chunk.key} holds ${size} bytes, manifest says ${chunk.length}`,
        });
      else checkedBytes += size;
      return;
    }
    const hash = createHash("sha256");
    let bytes = 0;
    try {
      for await (const data of (await store.getStream(
        manifest.broker,
        chunk.key,
      )) as AsyncIterable<Buffer>) {
        hash.update(data);
        bytes += data.length;
      }
    } catch (error) {
      problems.push({
        path: where,
        problem: `object ${chunk.key} unreadable: ${(error as Error).message}`,
      });
      return;
    }
    checkedBytes += bytes;
    const digest = hash.digest("hex");
    if (bytes !== chunk.length || digest !== chunk.sha256) {
      problems.push({
        path: where,
        problem: `object ${chunk.key} holds ${bytes} bytes with sha256 ${digest}, manifest says ${chunk.length} with ${chunk.sha256}`,
      });
    }
  });
  problems.sort((a, b) => a.path.localeCompare(b.path));
  return { ok: problems.length === 0, checkedFiles: manifest.files.length, checkedBytes, problems };
}
