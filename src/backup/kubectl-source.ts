/**
 * A broker's data directory read through `kubectl exec` into its pod: the CronJob's source.
 * It needs nothing in the broker image beyond what Redpanda's image already has (GNU find,
 * dd, stat, sha256sum, sh) and no `rpk`. Every command is a fixed script; paths and numbers
 * travel as positional arguments, never spliced into shell text.
 */
import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import type { SourceEntry } from "./plan";
import {
  FileVanishedError,
  LOST_AND_FOUND,
  type ByteRange,
  type RangeDigest,
  type SnapshotSource,
  type SourceListing,
} from "./source";
import { PATHS } from "../cluster/constants";

export interface KubectlSourceOptions {
  namespace: string;
  pod: string;
  /** Container holding the data volume. Default: `redpanda`. */
  container?: string;
  /** Default: `/var/lib/redpanda/data`. */
  dataDir?: string;
  /** The kubectl binary. Default: `$KUBECTL` or `kubectl` on PATH. */
  kubectl?: string;
}

const READ_SCRIPT =
  'exec dd if="$1/$2" bs=1048576 iflag=skip_bytes,count_bytes skip="$3" count="$4" status=none';
const DIGEST_SCRIPT = [
  'f="$1/$2"; shift 2',
  '[ -f "$f" ] || exit 44',
  'size=$(stat -c %s -- "$f") || exit 44',
  'echo "size $size"',
  'while [ $# -ge 2 ]; do dd if="$f" bs=1048576 iflag=skip_bytes,count_bytes skip="$1" count="$2" status=none | sha256sum; shift 2; done',
].join("\n");
const VANISHED_EXIT = 44;

/** `1700000000.123456789` (find's `%T@`) → `"1700000000123456789"`. */
export function findTimeToNs(value: string): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new Error(`unexpected modification time from find: "${value}"`);
  const fraction = (match[2] ?? "").padEnd(9, "0").slice(0, 9);
  return (BigInt(match[1]!) * 1_000_000_000n + BigInt(fraction)).toString();
}

/** Parses `find -printf 'f\t%s\t%T@\t%P\0'` / `'d\t0\t0\t%P\0'` output. */
export function parseFindOutput(output: string): SourceListing {
  const files: SourceEntry[] = [];
  const directories: string[] = [];
  for (const record of output.split("\0")) {
    if (record === "") continue;
    const [type, size, mtime, ...rest] = record.split("\t");
    const relative = rest.join("\t");
    if (type === "d") directories.push(relative);
    else if (type === "f")
      files.push({ path: relative, size: Number(size), mtimeNs: findTimeToNs(mtime ?? "") });
    else throw new Error(`unexpected find output record: ${JSON.stringify(record.slice(0, 80))}`);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  directories.sort();
  return { files, directories };
}

interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class KubectlExecSource implements SnapshotSource {
  readonly description: string;
  private readonly container: string;
  private readonly dataDir: string;
  private readonly kubectl: string;

  constructor(private readonly options: KubectlSourceOptions) {
    this.container = options.container ?? "redpanda";
    this.dataDir = (options.dataDir ?? PATHS.data).replace(/\/+$/, "");
    this.kubectl = options.kubectl ?? process.env.KUBECTL ?? "kubectl";
    this.description = `kubectl://${options.namespace}/${options.pod}:${this.container}${this.dataDir}`;
  }

  async list(): Promise<SourceListing> {
    const result = await this.capture([
      "find",
      this.dataDir,
      "-mindepth",
      "1",
      // A volume's root-owned lost+found is unreadable to the broker's user and not Redpanda's.
      "(",
      "-path",
      `${this.dataDir}/${LOST_AND_FOUND}`,
      "-prune",
      ")",
      "-o",
      "(",
      "-type",
      "f",
      "-printf",
      "f\\t%s\\t%T@\\t%P\\0",
      ")",
      "-o",
      "(",
      "-type",
      "d",
      "-printf",
      "d\\t0\\t0\\t%P\\0",
      ")",
    ]);
    // find exits 1 when a file disappears under it mid-walk: that file is simply not listed.
    const onlyVanished = result.stderr
      .split("\n")
      .every((line) => line.trim() === "" || /No such file or directory/.test(line));
    if (result.code !== 0 && !(result.code === 1 && onlyVanished)) {
      throw new Error(
        `listing ${this.description} failed (exit ${result.code}): ${result.stderr.trim()}`,
      );
    }
    return parseFindOutput(result.stdout);
  }

  read(relativePath: string, start: number, length: number): Readable {
    const out = new PassThrough();
    if (length === 0) {
      out.end();
      return out;
    }
    const child = spawn(
      this.kubectl,
      this.execArgs([
        "sh",
        "-c",
        READ_SCRIPT,
        "sh",
        this.dataDir,
        relativePath,
        String(start),
        String(length),
      ]),
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.pipe(out, { end: false });
    child.once("error", (error) => out.destroy(error));
    child.once("close", (code) => {
      if (code === 0) out.end();
      else if (/No such file or directory/.test(stderr))
        out.destroy(new FileVanishedError(relativePath));
      else
        out.destroy(
          new Error(
            `reading ${relativePath} from ${this.description} failed (exit ${code}): ${stderr.trim()}`,
          ),
        );
    });
    // A consumer that gives up (an aborted upload) must not leave kubectl streaming.
    out.once("close", () => {
      if (child.exitCode === null) child.kill("SIGTERM");
    });
    return out;
  }

  async digest(relativePath: string, ranges: readonly ByteRange[]): Promise<RangeDigest[]> {
    const args = ranges.flatMap((range) => [String(range.start), String(range.length)]);
    const result = await this.capture([
      "sh",
      "-c",
      DIGEST_SCRIPT,
      "sh",
      this.dataDir,
      relativePath,
      ...args,
    ]);
    if (result.code === VANISHED_EXIT) throw new FileVanishedError(relativePath);
    if (result.code !== 0)
      throw new Error(
        `hashing ${relativePath} in ${this.description} failed (exit ${result.code}): ${result.stderr.trim()}`,
      );
    const lines = result.stdout.trim().split("\n");
    const size = Number(/^size (\d+)$/.exec(lines[0] ?? "")?.[1] ?? Number.NaN);
    const digests = lines.slice(1).map((line) => /^([0-9a-f]{64})\b/.exec(line)?.[1]);
    if (
      Number.isNaN(size) ||
      digests.length !== ranges.length ||
      digests.some((digest) => digest === undefined)
    ) {
      throw new Error(
        `unexpected output hashing ${relativePath} in ${this.description}: ${result.stdout.slice(0, 300)}`,
      );
    }
    return ranges.map((range, index) => ({
      length: Math.max(0, Math.min(range.start + range.length, size) - range.start),
      sha256: digests[index]!,
    }));
  }

  private execArgs(command: string[]): string[] {
    return [
      "exec",
      "--namespace",
      this.options.namespace,
      this.options.pod,
      "--container",
      this.container,
      "--",
      ...command,
    ];
  }

  private capture(command: string[]): Promise<Captured> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.kubectl, this.execArgs(command), {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const stdout: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) =>
        resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr }),
      );
    });
  }
}
