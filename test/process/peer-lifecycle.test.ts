/**
 * The lifecycle every test peer shares (test/peers/lifecycle.ts), on real detached processes:
 * small Node servers on free loopback ports, so the shared Kafka, S3 and kube peers are left
 * alone. A process is found again through its pid file only while its command line carries
 * the marker; a start that fails says why, shows the log, and leaves nothing running.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  PeerProcess,
  confirmServing,
  launchAndWait,
  pollUntil,
  type PeerProcessSpec,
} from "../peers/lifecycle";
import { isAlive, isPortOpen } from "../peers/proc";

const HOST = "127.0.0.1";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-lifecycle-"));
const launched: PeerProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A peer process running `node -e script`; its own folder is on its command line, as the marker. */
function nodeProcess(
  label: string,
  script: string,
  overrides: Partial<PeerProcessSpec> = {},
): PeerProcess {
  const dir = fs.mkdtempSync(path.join(work, `${label}-`));
  const peerProcess = new PeerProcess({
    label,
    pidFile: path.join(dir, `${label}.pid`),
    logFile: path.join(dir, `${label}.log`),
    marker: dir,
    commandLine: () => ({ command: process.execPath, args: ["-e", script, dir] }),
    stopGraceMs: 5_000,
    ...overrides,
  });
  launched.push(peerProcess);
  return peerProcess;
}

const serverOn = (port: number) =>
  `require("node:http").createServer((_, res) => res.end("ok")).listen(${port}, "${HOST}"); console.log("listening on ${port}");`;

const listening = (port: number, timeoutMs = 15_000) =>
  pollUntil(() => isPortOpen(HOST, port), timeoutMs, 100, `${HOST}:${port}`);

afterAll(async () => {
  await Promise.all(launched.map((peerProcess) => peerProcess.stop()));
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a peer process", () => {
  it("is launched detached, found again through its pid file, reported, and stopped with SIGTERM", async () => {
    const port = await freePort();
    const server = nodeProcess("server", serverOn(port));
    await launchAndWait("test peer", [server], listening(port));

    const pid = server.pid();
    expect(pid).toBeDefined();
    expect(await isPortOpen(HOST, port)).toBe(true);
    expect(server.status(`${HOST}:${port} serving`)).toBe(
      `server ${HOST}:${port} serving (pid ${pid}), log ${server.logFile}`,
    );
    expect(fs.readFileSync(server.logFile, "utf8")).toContain(`listening on ${port}`);

    expect(await server.stop()).toBe(`server (pid ${pid}): terminated`);
    expect(isAlive(pid!)).toBe(false);
    expect(server.pid()).toBeUndefined();
    expect(server.status("not serving")).toBe(
      `server not serving (no process of ours), log ${server.logFile}`,
    );
    expect(await server.stop()).toBe("server: not running");
  });

  it("is not taken for ours when its pid now belongs to a process without the marker", async () => {
    const stranger = nodeProcess("stranger", "setInterval(() => {}, 1000)");
    // This test's own process: alive, but its command line does not carry the marker.
    fs.writeFileSync(path.join(path.dirname(stranger.logFile), "stranger.pid"), `${process.pid}\n`);
    expect(stranger.pid()).toBeUndefined();
    expect(await stranger.stop()).toBe("stranger: not running");
    expect(isAlive(process.pid)).toBe(true);
  });

  it("gets SIGKILL when it ignores SIGTERM past its grace period", async () => {
    const stubborn = nodeProcess(
      "stubborn",
      'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000); console.log("up");',
      { stopGraceMs: 500 },
    );
    const pid = stubborn.launch();
    await pollUntil(
      async () => fs.readFileSync(stubborn.logFile, "utf8").includes("up"),
      15_000,
      100,
      "the handler",
    )(new AbortController().signal);
    expect(await stubborn.stop()).toBe(`stubborn (pid ${pid}): killed`);
    expect(isAlive(pid)).toBe(false);
  });
});

describe("starting a peer", () => {
  it("fails fast when a process exits during startup, naming it and showing its log", async () => {
    const port = await freePort();
    const crashing = nodeProcess("crashing", 'console.error("no config file"); process.exit(3);');
    const started = Date.now();
    await expect(launchAndWait("test peer", [crashing], listening(port, 60_000))).rejects.toThrow(
      /^test peer did not come up: crashing exited during startup\n--- last 40 lines of .*crashing\.log ---\nno config file/,
    );
    // The exit is noticed within a poll or two, not after the minute the readiness wait allows.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("stops what it launched when the peer never becomes ready", async () => {
    const port = await freePort();
    const silent = nodeProcess("silent", "setInterval(() => {}, 1000)");
    await expect(launchAndWait("test peer", [silent], listening(port, 1_500))).rejects.toThrow(
      `test peer did not come up: timed out after 1500 ms waiting for ${HOST}:${port}`,
    );
    expect(silent.pid()).toBeUndefined();
  });

  it("confirms a peer found on its ports, and names a stranger that does not answer", async () => {
    const port = await freePort();
    const stranger = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => stranger.listen(port, HOST, resolve));
    const notOurs = nodeProcess("server", serverOn(port));
    try {
      await confirmServing("test peer", [notOurs], listening(port), "unused hint");
      await expect(
        confirmServing(
          "test peer",
          [notOurs],
          pollUntil(async () => false, 300, 100, "an answer"),
          `${HOST}:${port} is taken by something else.`,
        ),
      ).rejects.toThrow(
        `test peer: timed out after 300 ms waiting for an answer\n${HOST}:${port} is taken by something else.`,
      );
    } finally {
      await new Promise((resolve) => stranger.close(resolve));
    }
  });
});
