// The life of a peer's long-running processes, shared by every peer (Kafka nodes, moto, etcd and
// the Kubernetes control plane): each runs detached, is found again through its pid file, is
// waited on until the peer answers (failing fast when it dies first), stopped with SIGTERM then
// SIGKILL, and reported in one status line.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PeerError, isAlive, readPid, sleep, tail, waitUntil } from "./proc";

/** What starting a peer did: started it, found it serving, or restarted some of its processes. */
export type StartOutcome = "started" | "already-running" | "repaired";

export interface PeerProcessSpec {
  /** How reports name it: `moto`, `node 2`, `etcd`. */
  label: string;
  pidFile: string;
  logFile: string;
  /** Text every command line of ours contains, so that a recycled pid is never taken for ours. */
  marker: string;
  /** The command line; asked for only at launch, when the install it names exists. */
  commandLine: () => { command: string; args: string[] };
  /** How long SIGTERM gets before SIGKILL. */
  stopGraceMs: number;
}

/** One process of a peer, launched detached and found again (by later launcher runs too) through its pid file. */
export class PeerProcess {
  constructor(private readonly spec: PeerProcessSpec) {}

  get label(): string {
    return this.spec.label;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  /** Its pid, if the pid file names a live process whose command line has the marker. */
  pid(): number | undefined {
    const pid = readPid(this.spec.pidFile);
    if (pid === undefined || !isAlive(pid)) return undefined;
    const cmdline = readCmdline(pid);
    return cmdline === undefined || cmdline.includes(this.spec.marker) ? pid : undefined;
  }

  /** Starts it detached, its output appended to its log, and records its pid. */
  launch(): number {
    const { command, args } = this.spec.commandLine();
    fs.mkdirSync(path.dirname(this.spec.logFile), { recursive: true });
    const log = fs.openSync(this.spec.logFile, "a");
    try {
      const child = spawn(command, args, { detached: true, stdio: ["ignore", log, log] });
      if (child.pid === undefined) throw new PeerError(`could not spawn ${command}`);
      child.unref();
      fs.mkdirSync(path.dirname(this.spec.pidFile), { recursive: true });
      fs.writeFileSync(this.spec.pidFile, `${child.pid}\n`);
      return child.pid;
    } finally {
      fs.closeSync(log);
    }
  }

  /** Stops it if it is ours: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<string> {
    const pid = this.pid();
    if (pid === undefined) return `${this.label}: not running`;
    return `${this.label} (pid ${pid}): ${await stopProcess(pid, this.spec.stopGraceMs)}`;
  }

  /** `<label> <state> (pid N | no process of ours), log <file>`: one line of `peers status`. */
  status(state: string): string {
    const pid = this.pid();
    const owner = pid === undefined ? "no process of ours" : `pid ${pid}`;
    return `${this.label} ${state} (${owner}), log ${this.logFile}`;
  }

  logTail(): string {
    return tail(this.logFile);
  }
}

function readCmdline(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return undefined;
  }
}

async function stopProcess(pid: number, graceMs: number): Promise<"terminated" | "killed"> {
  signal(pid, "SIGTERM");
  if (await waitUntil(() => !isAlive(pid), graceMs)) return "terminated";
  signal(pid, "SIGKILL");
  await waitUntil(() => !isAlive(pid), 5_000);
  return "killed";
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** A readiness wait for `waitReady`: polls check until it holds, or fails after timeoutMs naming what it waited for. */
export function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs: number,
  what: string,
): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    if (!(await waitUntil(check, timeoutMs, intervalMs, signal)))
      throw new PeerError(`timed out after ${timeoutMs} ms waiting for ${what}`);
  };
}

/**
 * Waits for ready(signal) while the processes run: fails fast when one of them exits, and
 * either way a failure names the peer and carries the processes' log tails. Whichever of the
 * wait and the exit watch loses is stopped through the signal, so no poller outlives the wait.
 */
export async function waitReady(
  peer: string,
  processes: readonly PeerProcess[],
  ready: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  const watchExit = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      await sleep(500);
      const exited = processes.find((process) => process.pid() === undefined);
      if (exited && !controller.signal.aborted)
        throw new PeerError(`${exited.label} exited during startup`);
    }
  };
  try {
    await Promise.race([ready(controller.signal), watchExit()]);
  } catch (error) {
    const logs = processes.map((process) => process.logTail()).join("\n");
    throw new PeerError(`${peer} did not come up: ${(error as Error).message}\n${logs}`);
  } finally {
    controller.abort();
  }
}

/** Launches the processes and waits until the peer is ready; a failed start stops what it launched. */
export async function launchAndWait(
  peer: string,
  processes: readonly PeerProcess[],
  ready: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  for (const process of processes) process.launch();
  try {
    await waitReady(peer, processes, ready);
  } catch (error) {
    await Promise.all(processes.map((process) => process.stop()));
    throw error;
  }
}

/**
 * Confirms that a peer found on its ports answers. Processes of ours may still be starting, so
 * they are waited on (and their logs shown if they fail); a stranger on the ports gets the hint.
 */
export async function confirmServing(
  peer: string,
  processes: readonly PeerProcess[],
  ready: (signal: AbortSignal) => Promise<void>,
  strangerHint: string,
): Promise<void> {
  const ours = processes.filter((process) => process.pid() !== undefined);
  if (ours.length > 0) return waitReady(peer, ours, ready);
  try {
    await ready(new AbortController().signal);
  } catch (error) {
    throw new PeerError(`${peer}: ${(error as Error).message}\n${strangerHint}`);
  }
}
