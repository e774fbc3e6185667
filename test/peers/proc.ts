// Command, port, file and lock helpers shared by the test-peer launchers (the life of their
// processes is in lifecycle.ts).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { runChild } from "../support/child";

export class PeerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PeerError";
  }
}

export function repoRoot(): string {
  // Walks up so the same code works from test/peers (vitest) and dist/test/peers (tsc).
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new PeerError(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

export function cacheDir(): string {
  return process.env.APPHUB_PEERS_CACHE ?? path.join(repoRoot(), ".cache", "peers");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function requireCommand(command: string, args: string[], hint: string): string {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new PeerError(
      `\`${command}\` is not usable (${result.error?.message ?? result.stderr.trim()}). ${hint}`,
    );
  }
  return `${result.stdout}${result.stderr}`;
}

/** Runs a setup command (an install, a storage format) to completion; fails with its last lines of output. */
export async function run(command: string, args: string[], what: string): Promise<void> {
  const result = await runChild(command, args).catch((error: Error) => {
    throw new PeerError(`${what} failed (${error.message})`);
  });
  if (result.code !== 0) {
    const lastLines = result.output.trim().split("\n").slice(-30).join("\n");
    throw new PeerError(`${what} failed (exit ${result.code}):\n${lastLines}`);
  }
}

/** The pid a pid file records, if it holds one. */
export function readPid(pidFile: string): number | undefined {
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(fs.readFileSync(pidFile, "utf8").trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether pid is a running process (a zombie is not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Polls condition until it holds (true), the timeout passes or signal aborts (false). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return false;
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

export function tail(file: string, lines = 40): string {
  if (!fs.existsSync(file)) return `(no log at ${file})`;
  const text = fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  return `--- last ${lines} lines of ${file} ---\n${text}`;
}

const installs = new Map<string, Promise<boolean>>();

/**
 * Runs fill(dir) once: a dir without the marker (an interrupted install) is wiped and filled again.
 * Concurrent callers share one install, in this process through a promise and across processes through a lock dir.
 */
export function installOnce(dir: string, fill: (dir: string) => Promise<void>): Promise<boolean> {
  let install = installs.get(dir);
  if (!install) {
    install = withLock(`${dir}.lock`, () => installUnlocked(dir, fill));
    installs.set(dir, install);
    install.catch(() => installs.delete(dir));
  }
  return install;
}

async function installUnlocked(
  dir: string,
  fill: (dir: string) => Promise<void>,
): Promise<boolean> {
  const marker = path.join(dir, ".installed");
  if (fs.existsSync(marker)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await fill(dir);
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  return true;
}

/** Runs action while holding lockDir (mkdir is atomic), so concurrent launchers take turns. */
export async function withLock<T>(lockDir: string, action: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  while (!tryLock(lockDir)) await sleep(500);
  try {
    return await action();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function tryLock(lockDir: string): boolean {
  try {
    fs.mkdirSync(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (isStaleLock(lockDir)) fs.rmSync(lockDir, { recursive: true, force: true });
    return false;
  }
  fs.writeFileSync(path.join(lockDir, "pid"), `${process.pid}\n`);
  return true;
}

const LOCK_MAX_AGE_MS = 15 * 60_000;

/** A lock whose holder died (say, an interrupted `up`) would otherwise block every later launcher. */
function isStaleLock(lockDir: string): boolean {
  const lock = fs.statSync(lockDir, { throwIfNoEntry: false });
  if (!lock) return false;
  if (Date.now() - lock.mtimeMs > LOCK_MAX_AGE_MS) return true;
  const holder = readPid(path.join(lockDir, "pid"));
  if (holder !== undefined) return !isAlive(holder);
  // No pid yet: either its holder is between mkdir and writing the pid, or it died right there.
  return Date.now() - lock.mtimeMs > 10_000;
}
