/**
 * The kubectl-exec source runs fixed scripts in the broker container (find, dd, stat,
 * sha256sum). No API server here, so a stand-in `kubectl` checks the exec arguments and
 * runs the command locally: the scripts, their parsing and error mapping are the real ones.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buffer } from "node:stream/consumers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubectlExecSource } from "../../src/backup/kubectl-source";
import { FileVanishedError, LocalDirectorySource } from "../../src/backup/source";
import { createSyntheticDataDir } from "../../src/backup/synthetic";

let work: string;
let dataDir: string;
let execLog: string;
let source: KubectlExecSource;

const FAKE_KUBECTL = `#!/bin/sh
# Stand-in for "kubectl exec --namespace NS POD --container C -- CMD...": logs the target, runs CMD here.
[ "$1" = exec ] || { echo "fake kubectl: only exec is supported" >&2; exit 2; }
shift
target=""
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do target="$target $1"; shift; done
shift
echo "$target" >> "$FAKE_KUBECTL_LOG"
exec "$@"
`;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-kubectl-"));
  dataDir = path.join(work, "data");
  execLog = path.join(work, "exec.log");
  await createSyntheticDataDir(dataDir, {
    partitions: 1,
    segmentBytes: 300_000,
    openSegmentBytes: 70_000,
  });
  fs.writeFileSync(path.join(dataDir, "kafka", "odd name\twith tab.log"), "odd");
  fs.writeFileSync(path.join(dataDir, "kafka", "$(touch PWNED)"), "quoted");
  // A fresh ext4 volume's lost+found: root-owned, mode 0700, unreadable to the broker's user.
  fs.mkdirSync(path.join(dataDir, "lost+found", "#12345"), { recursive: true });
  fs.writeFileSync(path.join(dataDir, "lost+found", "#12345", "orphan"), "not ours");
  fs.chmodSync(path.join(dataDir, "lost+found"), 0o700);
  const kubectl = path.join(work, "kubectl");
  fs.writeFileSync(kubectl, FAKE_KUBECTL, { mode: 0o755 });
  process.env.FAKE_KUBECTL_LOG = execLog;
  source = new KubectlExecSource({
    namespace: "apphub-system",
    pod: "apphub-redpanda-1",
    container: "redpanda",
    dataDir,
    kubectl,
  });
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe("KubectlExecSource", () => {
  it("execs into the named pod and container only", async () => {
    await source.list();
    const targets = fs
      .readFileSync(execLog, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.trim());
    expect(new Set(targets)).toEqual(
      new Set(["--namespace apphub-system apphub-redpanda-1 --container redpanda"]),
    );
    expect(source.description).toBe(`kubectl://apphub-system/apphub-redpanda-1:redpanda${dataDir}`);
  });

  it("lists the same files, sizes, nanosecond mtimes and directories as the local filesystem", async () => {
    const local = await new LocalDirectorySource(dataDir).list();
    const remote = await source.list();
    expect(remote).toEqual(local);
    expect(remote.files.length).toBeGreaterThan(10);
    expect(remote.directories).toContain("cloud_storage_cache");
    expect(
      [...remote.directories, ...remote.files.map((file) => file.path)].filter((entry) =>
        entry.startsWith("lost+found"),
      ),
    ).toEqual([]);
  });

  it("streams exactly the requested byte range", async () => {
    const file = "kafka/apphub.core.events/0_10/0-1-v1.log";
    const bytes = fs.readFileSync(path.join(dataDir, file));
    // Buffer.equals: vitest's deep equality walks large buffers byte by byte.
    expect((await buffer(source.read(file, 0, bytes.length))).equals(bytes)).toBe(true);
    expect(
      (await buffer(source.read(file, 123_457, 100_000))).equals(bytes.subarray(123_457, 223_457)),
    ).toBe(true);
    // Past the end: what exists, no error (a file may shrink under a live broker).
    expect(await buffer(source.read(file, bytes.length - 10, 1000))).toEqual(
      bytes.subarray(bytes.length - 10),
    );
  });

  it("hashes ranges in the pod exactly as the local source does", async () => {
    const file = "kafka/apphub.core.events/0_10/2000-1-v1.log";
    const size = fs.statSync(path.join(dataDir, file)).size;
    const ranges = [
      { start: 0, length: 1000 },
      { start: 0, length: size },
      { start: 1000, length: size - 1000 },
      { start: 0, length: size + 500 },
    ];
    const remote = await source.digest(file, ranges);
    expect(remote).toEqual(await new LocalDirectorySource(dataDir).digest(file, ranges));
    expect(remote[3]!.length).toBe(size);
  });

  it("passes file names as data, never as shell text", async () => {
    expect((await buffer(source.read("kafka/$(touch PWNED)", 0, 6))).toString()).toBe("quoted");
    expect((await buffer(source.read("kafka/odd name\twith tab.log", 0, 3))).toString()).toBe(
      "odd",
    );
    await source.digest("kafka/$(touch PWNED)", [{ start: 0, length: 6 }]);
    expect(fs.readdirSync(work).concat(fs.readdirSync(process.cwd())).includes("PWNED")).toBe(
      false,
    );
  });

  it("reports a file deleted under it as vanished, for reads and hashes", async () => {
    await expect(buffer(source.read("kafka/no-such-segment.log", 0, 10))).rejects.toBeInstanceOf(
      FileVanishedError,
    );
    await expect(
      source.digest("kafka/no-such-segment.log", [{ start: 0, length: 10 }]),
    ).rejects.toBeInstanceOf(FileVanishedError);
  });

  it("fails loudly when the pod cannot be reached", async () => {
    const broken = new KubectlExecSource({
      namespace: "x",
      pod: "y",
      dataDir,
      kubectl: path.join(work, "no-such-kubectl"),
    });
    await expect(broken.list()).rejects.toThrow(/ENOENT/);
    await expect(buffer(broken.read("startup_log", 0, 10))).rejects.toThrow(/ENOENT/);
  });
});
