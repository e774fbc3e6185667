/**
 * The two documents the backup writes: a manifest per snapshot (every file, its size, sha256
 * and the objects holding its bytes) and the per-broker "latest" pointer. Both are validated
 * with zod when read back, so a truncated or foreign object fails loudly instead of
 * restoring garbage.
 */
import { z } from "zod";
import { isSafeRelativePath, isSnapshotId } from "./layout";

export const MANIFEST_FORMAT = "apphub-redpanda-snapshot/1";
export const LATEST_FORMAT = "apphub-redpanda-latest/1";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a lower-case hex sha256" });
const byteCount = z.number().int().min(0);
const snapshotId = z
  .string()
  .refine(isSnapshotId, { error: "expected a snapshot id such as 20250102T030405.678Z" });
const relativePath = z
  .string()
  .refine(isSafeRelativePath, { error: "expected a relative path without '..' segments" });

const chunkSchema = z.strictObject({
  offset: byteCount,
  length: byteCount,
  sha256,
  /** Object key relative to the broker root. */
  key: z.string().min(1),
});

const fileSchema = z
  .strictObject({
    path: relativePath,
    size: byteCount,
    /** Modification time as the source reported it, integer nanoseconds since the epoch. */
    mtimeNs: z.string().regex(/^\d+$/),
    /** sha256 of the whole file: `sha256sum` on a restored volume prints the same value. */
    sha256,
    /** Contiguous from offset 0, covering exactly `size` bytes; empty for an empty file. */
    chunks: z.array(chunkSchema),
  })
  .refine((file) => chunksCover(file.chunks, file.size), {
    error: "expected chunks contiguous from offset 0 covering the file size",
  });

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  broker: z.number().int().min(0),
  snapshotId,
  chainId: snapshotId,
  kind: z.enum(["full", "incremental"]),
  /** Why this kind was chosen, e.g. "new 24-hour window". */
  reason: z.string(),
  parentSnapshotId: snapshotId.nullable(),
  startedAt: z.string(),
  completedAt: z.string(),
  /** Where the bytes were read from, e.g. `kubectl://apphub-system/apphub-redpanda-0:redpanda/var/lib/redpanda/data`. */
  source: z.string(),
  directories: z.array(relativePath),
  files: z.array(fileSchema),
  stats: z.strictObject({
    files: byteCount,
    bytes: byteCount,
    uploadedBytes: byteCount,
    uploadedObjects: byteCount,
    reusedFiles: byteCount,
    appendedFiles: byteCount,
    vanishedFiles: byteCount,
  }),
});

export const latestSchema = z.strictObject({
  format: z.literal(LATEST_FORMAT),
  broker: z.number().int().min(0),
  snapshotId,
  chainId: snapshotId,
  /** Relative to the broker root. */
  manifestKey: z.string().min(1),
  completedAt: z.string(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest["files"][number];
export type ManifestChunk = ManifestFile["chunks"][number];
export type LatestPointer = z.infer<typeof latestSchema>;

export function chunksCover(
  chunks: readonly { offset: number; length: number }[],
  size: number,
): boolean {
  let next = 0;
  for (const chunk of chunks) {
    if (chunk.offset !== next || chunk.length === 0) return false;
    next += chunk.length;
  }
  return next === size;
}

export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

function parseWith<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${what} is not JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .slice(0, 5);
    throw new ManifestError(`${what} is not a valid document: ${problems.join("; ")}`);
  }
  return result.data;
}

export function parseManifest(text: string, what = "manifest"): Manifest {
  return parseWith(manifestSchema, text, what);
}

export function parseLatest(text: string, what = "latest pointer"): LatestPointer {
  return parseWith(latestSchema, text, what);
}
