import { describe, expect, it } from "vitest";
import {
  chunkKey,
  formatSnapshotId,
  isSafeRelativePath,
  manifestKey,
  normalizePrefix,
  parseManifestKey,
  parseSnapshotId,
  releaseClassOf,
  releasedMarkerKey,
} from "../../src/backup/layout";
import {
  MANIFEST_FORMAT,
  ManifestError,
  parseLatest,
  parseManifest,
  type Manifest,
  type ManifestFile,
} from "../../src/backup/manifest";
import {
  MAX_CHUNKS_PER_FILE,
  chainsToRelease,
  decideKind,
  isExcluded,
  lifecycleDays,
  planFiles,
  type SourceEntry,
} from "../../src/backup/plan";
import { brokerPodNames, resolveSettings } from "../../src/backup/settings";
import { mapLimit } from "../../src/backup/streams";
import { findTimeToNs, parseFindOutput } from "../../src/backup/kubectl-source";
import { parseStackConfig } from "../../src/config/schema";
import { KUBE_BASICS } from "../support/config";

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);

function entry(path: string, size: number, mtimeNs = "1000"): SourceEntry {
  return { path, size, mtimeNs };
}

function stored(
  path: string,
  size: number,
  mtimeNs = "1000",
  chunks = size > 0 ? 1 : 0,
): ManifestFile {
  const lengths = Array.from({ length: chunks }, (_, i) =>
    i < chunks - 1 ? 1 : size - (chunks - 1),
  );
  let offset = 0;
  return {
    path,
    size,
    mtimeNs,
    sha256: SHA_A,
    chunks: lengths.map((length) => {
      const chunk = { offset, length, sha256: SHA_B, key: `chains/x/data/y/${path}@${offset}` };
      offset += length;
      return chunk;
    }),
  };
}

describe("snapshot ids and keys", () => {
  it("formats sortable ids that parse back to the same instant", () => {
    const date = new Date("2025-01-02T03:04:05.678Z");
    expect(formatSnapshotId(date)).toBe("20250102T030405.678Z");
    expect(parseSnapshotId("20250102T030405.678Z").toISOString()).toBe(date.toISOString());
    expect(formatSnapshotId(new Date("2025-01-02T03:04:05.679Z")) > formatSnapshotId(date)).toBe(
      true,
    );
    expect(() => parseSnapshotId("2025-01-02")).toThrow(/expected a snapshot id/);
  });

  it("keeps manifests, data and markers apart so the lifecycle rules can tell them apart", () => {
    const chain = "20250102T000000.000Z";
    const snap = "20250102T010000.000Z";
    expect(manifestKey(chain, snap)).toBe(`chains/${chain}/manifests/${snap}.json`);
    expect(chunkKey(chain, snap, "kafka/t/0_1/0-1-v1.log", 4096)).toBe(
      `chains/${chain}/data/${snap}/kafka/t/0_1/0-1-v1.log@4096`,
    );
    expect(releaseClassOf(manifestKey(chain, snap))).toBe("manifest");
    expect(releaseClassOf(chunkKey(chain, snap, "manifests/x", 0))).toBe("data");
    expect(releaseClassOf(releasedMarkerKey(chain))).toBe("data");
    expect(parseManifestKey(manifestKey(chain, snap))).toEqual({
      chainId: chain,
      snapshotId: snap,
    });
    expect(parseManifestKey(`chains/${chain}/data/${snap}/x.json`)).toBeUndefined();
  });

  it("normalises the prefix and refuses an empty one", () => {
    expect(normalizePrefix("/redpanda/")).toBe("redpanda");
    expect(() => normalizePrefix("//")).toThrow(/non-empty backup prefix/);
  });

  it("accepts only paths that stay inside the data directory", () => {
    expect(isSafeRelativePath("kafka/apphub.core.events/0_10/0-1-v1.log")).toBe(true);
    for (const bad of ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b"])
      expect(isSafeRelativePath(bad)).toBe(false);
  });

  it("never backs up pid.lock", () => {
    expect(isExcluded("pid.lock")).toBe(true);
    expect(isExcluded("kafka/t/0_1/pid.lock")).toBe(false);
  });
});

describe("full or incremental", () => {
  const chain = "20250102T000500.000Z";
  it("starts with a full snapshot", () => {
    expect(decideKind({ now: new Date("2025-01-02T01:00:00Z"), fullEveryHours: 24 })).toEqual({
      kind: "full",
      reason: "no previous snapshot",
    });
  });

  it("stays incremental within the chain's window and goes full at the first run of the next", () => {
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-02T23:59:00Z"),
        fullEveryHours: 24,
      }).kind,
    ).toBe("incremental");
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-03T00:00:10Z"),
        fullEveryHours: 24,
      }),
    ).toEqual({
      kind: "full",
      reason: "new 24-hour window",
    });
  });

  it("aligns shorter windows to the epoch", () => {
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-02T05:59:00Z"),
        fullEveryHours: 6,
      }).kind,
    ).toBe("incremental");
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-02T06:00:00Z"),
        fullEveryHours: 6,
      }).kind,
    ).toBe("full");
  });

  it("goes full after an outage longer than a window, and when asked", () => {
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-09T10:00:00Z"),
        fullEveryHours: 24,
      }).kind,
    ).toBe("full");
    expect(
      decideKind({
        previousChainId: chain,
        now: new Date("2025-01-02T01:00:00Z"),
        fullEveryHours: 24,
        forceFull: true,
      }).reason,
    ).toBe("full snapshot requested");
  });
});

describe("planFiles", () => {
  it("uploads everything in a full snapshot, even unchanged files", () => {
    const actions = planFiles("full", [entry("a", 10)], [stored("a", 10)]);
    expect(actions).toEqual([{ action: "upload", file: entry("a", 10), reason: "full" }]);
  });

  it("reuses unchanged files, appends grown ones, uploads new and otherwise changed ones", () => {
    const previous = [
      stored("closed.log", 100),
      stored("open.log", 50),
      stored("index", 20),
      stored("empty", 0),
      stored("gone.log", 5),
    ];
    const actions = planFiles(
      "incremental",
      [
        entry("closed.log", 100),
        entry("open.log", 80, "2000"),
        entry("index", 20, "2000"),
        entry("empty", 7, "2000"),
        entry("new.log", 9),
      ],
      previous,
    );
    expect(
      actions.map((action) => [
        action.file.path,
        action.action,
        "reason" in action ? action.reason : undefined,
      ]),
    ).toEqual([
      ["closed.log", "reuse", undefined],
      ["open.log", "append", undefined],
      ["index", "upload", "changed"],
      ["empty", "upload", "changed"],
      ["new.log", "upload", "new"],
    ]);
  });

  it("re-uploads a file that shrank (a Raft truncation), and one with too many chunks", () => {
    expect(planFiles("incremental", [entry("a", 40, "2")], [stored("a", 50)])[0]).toMatchObject({
      action: "upload",
      reason: "changed",
    });
    const fragmented = stored("a", 100, "1", MAX_CHUNKS_PER_FILE);
    expect(planFiles("incremental", [entry("a", 200, "2")], [fragmented])[0]).toMatchObject({
      action: "upload",
      reason: "changed",
    });
  });
});

describe("release and lifecycle", () => {
  it("releases only unreleased chains older than the latest one", () => {
    const chains = [
      { chainId: "20250101T000000.000Z", released: true },
      { chainId: "20250102T000000.000Z", released: false },
      { chainId: "20250103T000000.000Z", released: false },
      { chainId: "20250104T000000.000Z", released: false },
    ];
    expect(chainsToRelease(chains, "20250103T000000.000Z")).toEqual(["20250102T000000.000Z"]);
  });

  it("keeps data long enough to outlive every manifest that references it", () => {
    for (const [retentionDays, fullEveryHours] of [
      [14, 24],
      [2, 24],
      [7, 1],
      [30, 168],
      [3, 71],
    ] as const) {
      const days = lifecycleDays(retentionDays, fullEveryHours);
      expect(days.manifests).toBe(retentionDays);
      // A manifest is written at most one window plus one run (< 24 h) after its chain's oldest object.
      expect(days.data * 24).toBeGreaterThanOrEqual(days.manifests * 24 + fullEveryHours + 24);
    }
  });
});

describe("manifest documents", () => {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    broker: 0,
    snapshotId: "20250102T010000.000Z",
    chainId: "20250102T000000.000Z",
    kind: "incremental",
    reason: "test",
    parentSnapshotId: "20250102T000000.000Z",
    startedAt: "2025-01-02T01:00:00.000Z",
    completedAt: "2025-01-02T01:00:01.000Z",
    source: "dir:/x",
    directories: ["kafka"],
    files: [stored("kafka/a.log", 3, "1", 2)],
    stats: {
      files: 1,
      bytes: 3,
      uploadedBytes: 0,
      uploadedObjects: 0,
      reusedFiles: 1,
      appendedFiles: 0,
      vanishedFiles: 0,
    },
  };

  it("round-trips through JSON", () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it("refuses chunks that do not cover the file and paths that escape the data directory", () => {
    const gap = { ...manifest, files: [{ ...manifest.files[0]!, size: 4 }] };
    expect(() => parseManifest(JSON.stringify(gap))).toThrow(/chunks contiguous from offset 0/);
    const escape = { ...manifest, files: [{ ...manifest.files[0]!, path: "../../etc/cron.d/x" }] };
    expect(() => parseManifest(JSON.stringify(escape))).toThrow(ManifestError);
    expect(() => parseManifest("{")).toThrow(/not JSON/);
    expect(() => parseLatest(JSON.stringify({ format: "other" }))).toThrow(/format/);
  });
});

describe("CLI settings", () => {
  it("names the flag and the variable of every problem at once", () => {
    const result = resolveSettings({ concurrency: "0" }, { BACKUP_FULL_EVERY_HOURS: "soon" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "--bucket (or BACKUP_BUCKET): is required: expected the S3 bucket name",
      '--full-every-hours (or BACKUP_FULL_EVERY_HOURS): expected a whole number of hours between 1 and 8760 (a year), got "soon"',
      '--concurrency (or BACKUP_CONCURRENCY): expected a number of parallel transfers between 1 and 64, got "0"',
    ]);
  });

  it("lets flags win over the environment and defaults path style from the endpoint", () => {
    const result = resolveSettings(
      { bucket: "from-flag" },
      { BACKUP_BUCKET: "from-env", BACKUP_ENDPOINT: "http://minio:9000", AWS_REGION: "eu-west-1" },
    );
    expect(result).toMatchObject({
      ok: true,
      settings: {
        bucket: "from-flag",
        endpoint: "http://minio:9000",
        forcePathStyle: true,
        region: "eu-west-1",
        prefix: "redpanda",
      },
    });
  });

  it("names the StatefulSet's pods", () => {
    expect(brokerPodNames("apphub-redpanda", 3)).toEqual([
      "apphub-redpanda-0",
      "apphub-redpanda-1",
      "apphub-redpanda-2",
    ]);
  });
});

describe("find output from a broker pod", () => {
  it("keeps nanosecond mtimes and odd file names", () => {
    expect(findTimeToNs("1700000000.123456789")).toBe("1700000000123456789");
    expect(findTimeToNs("1700000000.5")).toBe("1700000000500000000");
    expect(findTimeToNs("1700000000")).toBe("1700000000000000000");
    const listing = parseFindOutput(
      "d\t0\t0\tkafka\0f\t12\t1700000000.1\tkafka/with\ttab and space.log\0",
    );
    expect(listing).toEqual({
      directories: ["kafka"],
      files: [{ path: "kafka/with\ttab and space.log", size: 12, mtimeNs: "1700000000100000000" }],
    });
  });
});

describe("mapLimit", () => {
  it("keeps order and never exceeds the limit", async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (value) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, value * 3));
      running -= 1;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it("rejects with the first failure", async () => {
    await expect(
      mapLimit([1, 2, 3], 3, async (value) =>
        value === 2 ? Promise.reject(new Error("two")) : value,
      ),
    ).rejects.toThrow("two");
  });
});

/** A prod stack minus the backup section; Kubernetes stacks need broker addresses for the topic bootstrap. */
const PROD_BASE = { environment: "prod", kafka: KUBE_BASICS.kafka };

describe("stack config backup.oidcProviderArn", () => {
  const prod = { ...PROD_BASE, backup: { bucketName: "apphub-prod-redpanda-snapshots" } };
  it("accepts an EKS OIDC provider ARN", () => {
    const arn =
      "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789";
    const result = parseStackConfig({ ...prod, backup: { ...prod.backup, oidcProviderArn: arn } });
    expect(result.ok && result.config.backup.oidcProviderArn).toBe(arn);
  });

  it("names the key and the expected shape otherwise", () => {
    const result = parseStackConfig({
      ...prod,
      backup: { ...prod.backup, oidcProviderArn: "arn:aws:iam::role/x" },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(
      expect.objectContaining({
        key: "apphub-streaming:backup.oidcProviderArn",
        message: expect.stringContaining("IAM OIDC provider ARN"),
      }),
    );
  });
});

describe("stack config backup.prefix", () => {
  const withPrefix = (prefix: string) =>
    parseStackConfig({
      ...PROD_BASE,
      backup: { bucketName: "apphub-prod-redpanda-snapshots", prefix },
    });
  it("accepts key prefixes, with or without slashes around them", () => {
    for (const prefix of ["redpanda", "backups/redpanda", "/redpanda/"])
      expect(withPrefix(prefix).ok, prefix).toBe(true);
  });

  it("refuses prefixes that would widen or break the IAM scope", () => {
    for (const prefix of ["/", "redpanda/*", "a//b", "with space"]) {
      const result = withPrefix(prefix);
      expect(result.ok, prefix).toBe(false);
      if (!result.ok)
        expect(result.issues).toContainEqual(
          expect.objectContaining({
            key: "apphub-streaming:backup.prefix",
            message: expect.stringContaining("expected an S3 key prefix"),
          }),
        );
    }
  });
});
