/**
 * Interrupted uploads against the real S3 API: the compiled CLI killed with SIGKILL half-way
 * through an upload, and S3 connections reset mid-request. The S3 server is real (moto on
 * loopback); a TCP proxy in front of it holds or cuts the connections after a byte budget,
 * which is what a dying node or network does to an upload. Needs `npx tsc -p .` first.
 */
import {
  ListMultipartUploadsCommand,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup, type BackupResult } from "../../src/backup/engine";
import { listSnapshots, restoreSnapshot } from "../../src/backup/restore";
import { LocalDirectorySource } from "../../src/backup/source";
import { SnapshotStore } from "../../src/backup/store";
import {
  createSyntheticDataDir,
  evolveSyntheticDataDir,
  pseudoRandomBytes,
  treeDigest,
} from "../../src/backup/synthetic";
import { type ChildResult, runChild } from "../support/child";
import { REPO_ROOT } from "../support/render";
import { S3_ENDPOINT, S3_REGION, s3Client } from "../peers/s3";

const CLI = path.join(REPO_ROOT, "dist/src/cli/backup.js");
const client = s3Client();
const bucket = `backup-interrupt-${Date.now()}`;
const store = new SnapshotStore(client, { bucket, prefix: "redpanda" });
const SHAPE = {
  partitions: 2,
  closedSegments: 2,
  segmentBytes: 512 * 1024,
  openSegmentBytes: 128 * 1024,
};
const CREDENTIALS = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
let work: string;

/**
 * Forwards TCP to the S3 server until `budget` bytes of requests went through, then either
 * holds every connection open without forwarding another byte ("stall": the client blocks
 * mid-upload) or resets them all and refuses new ones ("reset").
 */
class FaultyProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private forwarded = 0;
  private tripped = false;
  private onTrip: (() => void) | undefined;
  readonly trippedPromise: Promise<void>;

  constructor(
    private readonly target: URL,
    private readonly budget: number,
    private readonly mode: "stall" | "reset",
  ) {
    this.trippedPromise = new Promise((resolve) => (this.onTrip = resolve));
    this.server = net.createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    if (this.tripped) {
      if (this.mode === "reset") socket.resetAndDestroy();
      else this.sockets.add(socket.pause());
      return;
    }
    const upstream = net.connect(Number(this.target.port), this.target.hostname);
    this.sockets.add(socket).add(upstream);
    upstream.on("data", (chunk) => socket.write(chunk));
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
    socket.on("data", (chunk: Buffer) => {
      if (this.tripped || this.forwarded + chunk.length > this.budget) {
        this.trip();
        return;
      }
      this.forwarded += chunk.length;
      upstream.write(chunk);
    });
  }

  private trip(): void {
    if (!this.tripped) {
      this.tripped = true;
      this.onTrip?.();
    }
    for (const socket of this.sockets) {
      if (this.mode === "reset") socket.resetAndDestroy();
      else socket.pause();
    }
  }
}

function clientVia(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 2,
  });
}

/** The backup CLI against the test bucket, in a child process. */
function cli(args: string[], endpoint = S3_ENDPOINT): Promise<ChildResult> {
  return runChild(process.execPath, [CLI, ...args, "--bucket", bucket, "--endpoint", endpoint], {
    env: { ...process.env, ...CREDENTIALS },
    timeoutMs: 120_000,
  });
}

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

let dataDir: string;
let before: BackupResult;
let stateBefore: Map<string, string>;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npx tsc -p . first`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), "backup-interrupt-"));
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: "Enabled" },
    }),
  );
  dataDir = path.join(work, "data");
  await createSyntheticDataDir(dataDir, SHAPE);
  before = await runBackup({
    store,
    source: new LocalDirectorySource(dataDir),
    broker: 0,
    fullEveryHours: 24,
  });
  stateBefore = await treeDigest(dataDir);
  // An hour of traffic plus a large new segment: far more to upload than the proxies let through.
  await evolveSyntheticDataDir(dataDir, SHAPE, { appendBytes: 256 * 1024 });
  fs.writeFileSync(
    path.join(dataDir, "kafka/apphub.core.events/1_10/9000-1-v1.log"),
    pseudoRandomBytes(20 * 1024 * 1024, 3),
  );
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  client.destroy();
});

async function expectBeforeStillLatestAndRestorable(into: string): Promise<void> {
  expect((await store.readLatest(0))?.snapshotId).toBe(before.snapshotId);
  expect((await listSnapshots(store, 0)).map((snapshot) => snapshot.snapshotId)).toEqual([
    before.snapshotId,
  ]);
  await restoreSnapshot({ store, broker: 0, snapshot: "latest", into: path.join(work, into) });
  expect(await treeDigest(path.join(work, into))).toEqual(stateBefore);
}

describe("an interrupted backup", () => {
  it("killed with SIGKILL half-way through its uploads leaves the previous snapshot latest and restorable", async () => {
    const proxy = new FaultyProxy(new URL(S3_ENDPOINT), 3 * 1024 * 1024, "stall");
    const endpoint = await proxy.listen();
    const child = spawn(
      process.execPath,
      [
        CLI,
        "backup",
        "--broker",
        "0",
        "--dir",
        dataDir,
        "--bucket",
        bucket,
        "--endpoint",
        endpoint,
        "--verbose",
      ],
      {
        env: { ...process.env, ...CREDENTIALS },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exit = exited(child);
    const outcome = await Promise.race([
      proxy.trippedPromise.then(() => "stalled" as const),
      exit.then(() => "exited" as const),
    ]);
    expect(outcome, `the backup finished before its uploads were held: ${output}`).toBe("stalled");
    // Held mid-upload: uploads already done, the rest blocked on the wire.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.exitCode).toBeNull();
    child.kill("SIGKILL");
    expect(await exit).toEqual({ code: null, signal: "SIGKILL" });
    await proxy.close();

    const uploadedBeforeKill = output
      .split("\n")
      .filter((line) => line.includes('"event":"uploaded"')).length;
    expect(uploadedBeforeKill).toBeGreaterThan(0);
    expect(output).not.toContain('"event":"snapshot"');
    // Half-way for real: the killed run's objects are in the bucket, but no manifest refers to them.
    const objects = await store.listChainObjects(0, before.chainId);
    const orphans = objects.filter(
      (object) =>
        object.key.includes("/data/") && !object.key.includes(`/data/${before.snapshotId}/`),
    );
    expect(orphans.length).toBeGreaterThan(0);
    const multipart = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "redpanda/" }),
    );
    console.log(
      `killed mid-upload: ${uploadedBeforeKill} files uploaded before the kill, ${orphans.length} orphaned objects, ${multipart.Uploads?.length ?? 0} incomplete multipart uploads (the lifecycle rule aborts them after a day)`,
    );
    await expectBeforeStillLatestAndRestorable("restore-after-kill");
  });

  it("cut off by connection resets at the S3 edge fails, and changes nothing visible", async () => {
    const proxy = new FaultyProxy(new URL(S3_ENDPOINT), 2 * 1024 * 1024, "reset");
    const endpoint = await proxy.listen();
    const faulty = clientVia(endpoint);
    try {
      const failing = runBackup({
        store: new SnapshotStore(faulty, { bucket, prefix: "redpanda" }),
        source: new LocalDirectorySource(dataDir),
        broker: 0,
        fullEveryHours: 24,
      });
      await expect(failing).rejects.toThrow(/ECONNRESET|socket hang up|ECONNREFUSED|EPIPE/);
    } finally {
      faulty.destroy();
      await proxy.close();
    }
    await expectBeforeStillLatestAndRestorable("restore-after-reset");
  });

  it("is completed by the next run, which restores byte for byte", async () => {
    const run = await cli(["backup", "--broker", "0", "--dir", dataDir]);
    expect(run.code, run.stderr).toBe(0);
    const snapshotLine = run.stdout.split("\n").find((line) => line.includes('"event":"snapshot"'));
    const result = JSON.parse(snapshotLine!) as BackupResult;
    expect(result.snapshotId > before.snapshotId).toBe(true);
    expect((await store.readLatest(0))?.snapshotId).toBe(result.snapshotId);
    await restoreSnapshot({
      store,
      broker: 0,
      snapshot: "latest",
      into: path.join(work, "restore-after-retry"),
    });
    expect(await treeDigest(path.join(work, "restore-after-retry"))).toEqual(
      await treeDigest(dataDir),
    );
  });
});

describe("the backup CLI", () => {
  it("lists snapshots with the latest marked", async () => {
    const run = await cli(["list", "--broker", "0"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`broker 0: 2 snapshot\\(s\\)`));
    expect(run.stdout).toMatch(new RegExp(`   ${before.snapshotId.replace(".", "\\.")}  full`));
    expect(run.stdout).toMatch(/ \* \d{8}T\d{6}\.\d{3}Z {2}(full|incremental)/);
  });

  it("restores a named snapshot, verifies the volume, and flags a tampered file", async () => {
    const into = path.join(work, "cli-restore");
    const restore = await cli([
      "restore",
      "--broker",
      "0",
      "--snapshot",
      before.snapshotId,
      "--into",
      into,
    ]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(
      new RegExp(
        `restored broker 0 snapshot ${before.snapshotId.replace(".", "\\.")} into .*: \\d+ files`,
      ),
    );
    const verify = await cli([
      "verify",
      "--broker",
      "0",
      "--snapshot",
      before.snapshotId,
      "--dir",
      into,
    ]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/: OK \(\d+ files/);
    fs.appendFileSync(path.join(into, "startup_log"), "x");
    const tampered = await cli([
      "verify",
      "--broker",
      "0",
      "--snapshot",
      before.snapshotId,
      "--dir",
      into,
    ]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/startup_log: size \d+, manifest says \d+/);
    const again = await cli(["restore", "--broker", "0", "--snapshot", "latest", "--into", into]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refusing to restore into .*: it is not empty/);
  });

  it("checks the bucket's copy of a snapshot by sha256", async () => {
    const deep = await cli(["verify", "--broker", "0", "--snapshot", "latest", "--deep"]);
    expect(deep.code, deep.stderr).toBe(0);
    expect(deep.stdout).toMatch(/objects of snapshot .* \(sha256\): OK/);
  });

  it("rejects bad usage with the flag and variable named, exit 2", async () => {
    const missing = await runChild(process.execPath, [CLI, "list"], {
      env: { ...process.env, BACKUP_BUCKET: "" },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--bucket (or BACKUP_BUCKET): is required");
    const noBroker = await cli(["restore", "--snapshot", "latest", "--into", "/tmp/x"]);
    expect(noBroker.code).toBe(2);
    expect(noBroker.stderr).toContain("expected --broker to be a broker ordinal");
  });
});
