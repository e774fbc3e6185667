// moto server (PyPI) as a real S3 API test peer, in a venv in the peers cache.
import * as fs from "node:fs";
import * as path from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import {
  type StartOutcome,
  PeerProcess,
  confirmServing,
  launchAndWait,
  pollUntil,
} from "./lifecycle";
import { cacheDir, installOnce, isPortOpen, requireCommand, run, withLock } from "./proc";

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

/** The moto server: its command line carries the venv's moto_server, which no other process's does. */
function moto(): PeerProcess {
  return new PeerProcess({
    label: "moto",
    pidFile: path.join(runDir(), "moto.pid"),
    logFile: path.join(runDir(), "moto.log"),
    marker: motoServerBin(),
    commandLine: () => ({ command: motoServerBin(), args: ["-H", HOST, "-p", String(PORT)] }),
    stopGraceMs: STOP_GRACE_MS,
  });
}

/** Ready once the server answers ListBuckets. */
function answersWithin(timeoutMs: number): (signal: AbortSignal) => Promise<void> {
  return pollUntil(answersS3, timeoutMs, 250, `ListBuckets at ${S3_ENDPOINT}`);
}

export function startS3(): Promise<StartOutcome> {
  return withLock(`${runDir()}.lock`, startS3Unlocked);
}

async function startS3Unlocked(): Promise<StartOutcome> {
  if (moto().pid() !== undefined || (await isPortOpen(HOST, PORT))) {
    await confirmServing(
      "s3 (moto)",
      [moto()],
      answersWithin(15_000),
      `${HOST}:${PORT} is taken by something that does not answer S3 ListBuckets.`,
    );
    return "already-running";
  }
  await installMoto();
  fs.rmSync(moto().logFile, { force: true });
  await launchAndWait("s3 (moto)", [moto()], answersWithin(START_TIMEOUT_MS));
  return "started";
}

/** Stops the moto server this launcher started (found by pid file). */
export async function stopS3(): Promise<string[]> {
  return [await moto().stop()];
}

export async function s3Status(): Promise<string[]> {
  const serving = await isPortOpen(HOST, PORT);
  return [moto().status(`${S3_ENDPOINT} ${serving ? "serving" : "not serving"}`)];
}
