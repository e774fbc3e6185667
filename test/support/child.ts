/**
 * Runs a command in a child process and collects what it prints: the one way the process,
 * integration and e2e tiers (and the peer launcher) start a command and wait for it.
 *
 * Asynchronous on purpose. A vitest worker blocked in `spawnSync` for a minute (two renders on a
 * loaded machine) misses its own RPC replies and fails a green run with "Timeout calling
 * onTaskUpdate"; and a test that serves a socket in its own process (a proxy, a stand-in admin
 * API) must keep serving while the child talks to it.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

export interface ChildOptions {
  cwd?: string;
  /** The child's whole environment. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. Without it, stdin is /dev/null. */
  input?: string;
  /** SIGKILL the child after this long. Default: no limit. */
  timeoutMs?: number;
  /** SIGKILL the child when this aborts (a CI job cancelled mid-run). */
  signal?: AbortSignal;
}

export interface ChildResult {
  /** The exit code, or 128 + the signal's number when a signal ended the child (as a shell reports it). */
  code: number;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in the order they arrived, as a terminal shows them. */
  output: string;
}

/** Resolves once the child has exited, whatever its exit code; rejects only when it could not be started. */
export function runChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      output += chunk;
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    const kill = () => child.kill("SIGKILL");
    options.signal?.addEventListener("abort", kill, { once: true });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", kill);
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve({ code: exitCode, signal, stdout, stderr, output });
    });
  });
}
