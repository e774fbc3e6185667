// moto server (PyPI) as a real S3 API test peer, in a venv in the peers cache.
import * as fs from "node:fs";
import * as path from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import {
  PeerError,
  type StartOutcome,
  cacheDir,
  installOnce,
  isPortOpen,
  livePid,
  requireCommand,
  run,
  startDetached,
  stopProcess,
  tail,
  waitUntil,
  waitWhileRunning,
  withLock,
} from "./proc";

export const MOTO_VERSION = "5.2.5";
export const S3_ENDPOINT = "http://127.0.0.1:19900";
export const S3_REGION = "us-east-1";

const HOST = "127.0.0.1";
const PORT = 19900;
const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** A client for the moto peer; moto accepts any credentials, so these are placeholders. */
export function s3Client(): S3Client {
  return new S3Client({
    endpoint: S3_ENDPOINT,
    region: S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

function venvDir(): string {
  return path.join(cacheDir(), `moto-${MOTO_VERSION}`);
}

function motoServerBin(): string {
  return path.join(venvDir(), "bin", "moto_server");
}

function runDir(): string {
  return path.join(cacheDir(), "s3");
}

function logFile(): string {
  return path.join(runDir(), "moto.log");
}

function pidFile(): string {
  return path.join(runDir(), "moto.pid");
}

function python(): string {
  return process.env.APPHUB_PEERS_PYTHON ?? "python3";
}

/** Creates the venv and installs moto[server] into it; a no-op once done. */
export async function installMoto(): Promise<boolean> {
  return installOnce(venvDir(), async (venv) => {
    requireCommand(
      python(),
      ["-c", "import venv, ensurepip"],
      "Install Python 3 with venv support (apt-get install python3-venv).",
    );
    await run(python(), ["-m", "venv", venv], `creating a venv in ${venv}`);
    const pip = path.join(venv, "bin", "pip");
    await run(
      pip,
      ["install", "--quiet", "--disable-pip-version-check", `moto[server]==${MOTO_VERSION}`],
      `pip install moto[server]==${MOTO_VERSION}`,
    );
  });
}

async function answersS3(): Promise<boolean> {
  const client = s3Client();
  try {
    await client.send(new ListBucketsCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

export async function waitForS3(timeoutMs: number, signal?: AbortSignal): Promise<void> {
  if (!(await waitUntil(answersS3, timeoutMs, 250, signal))) {
    throw new PeerError(
      `timed out after ${timeoutMs} ms waiting for ListBuckets at ${S3_ENDPOINT}`,
    );
  }
}

function motoPid(): number | undefined {
  return livePid(pidFile(), motoServerBin());
}

export function startS3(): Promise<StartOutcome> {
  return withLock(`${runDir()}.lock`, startS3Unlocked);
}

async function startS3Unlocked(): Promise<StartOutcome> {
  if (motoPid() !== undefined || (await isPortOpen(HOST, PORT))) {
    await confirmS3OnPort();
    return "already-running";
  }
  await installMoto();
  fs.mkdirSync(runDir(), { recursive: true });
  fs.rmSync(logFile(), { force: true });
  startDetached({
    command: motoServerBin(),
    args: ["-H", HOST, "-p", String(PORT)],
    logFile: logFile(),
    pidFile: pidFile(),
  });
  try {
    await waitWhileRunning(
      (signal) => waitForS3(START_TIMEOUT_MS, signal),
      () => (motoPid() === undefined ? "moto_server exited during startup" : undefined),
    );
  } catch (error) {
    const log = tail(logFile());
    await stopS3();
    throw new PeerError(`s3 (moto) did not come up: ${(error as Error).message}\n${log}`);
  }
  return "started";
}

async function confirmS3OnPort(): Promise<void> {
  try {
    await waitForS3(15_000);
  } catch (error) {
    const hint =
      motoPid() !== undefined
        ? tail(logFile())
        : `${HOST}:${PORT} is taken by something that does not answer S3 ListBuckets.`;
    throw new PeerError(`s3: ${(error as Error).message}\n${hint}`);
  }
}

/** Stops the moto server this launcher started (found by pid file). */
export async function stopS3(): Promise<string[]> {
  const pid = motoPid();
  if (pid === undefined) return ["moto: not running"];
  return [`moto (pid ${pid}): ${await stopProcess(pid, STOP_GRACE_MS)}`];
}

export async function s3Status(): Promise<string[]> {
  const pid = motoPid();
  const serving = await isPortOpen(HOST, PORT);
  const process = pid === undefined ? "no process of ours" : `pid ${pid}`;
  return [
    `moto ${S3_ENDPOINT} ${serving ? "serving" : "not serving"} (${process}), log ${logFile()}`,
  ];
}
