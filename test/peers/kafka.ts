// Apache Kafka (KRaft, combined broker+controller) as a real test peer, from Maven Central.
//
// Broker version: 4.4.0, the newest org.apache.kafka:kafka_2.13 on Maven Central when chosen (2026-11).
// Tried 4.1.1 first, then 4.4.0; nothing broke, so no fallback to 3.9.x. KIP-896 (Kafka 4.0) removed
// old protocol versions, but none kafkajs 2.2.4 depends on: ApiVersions negotiation settles on versions
// 4.4.0 still serves (Produce v7, Fetch v11, ListOffsets v3, Metadata v6, OffsetCommit v5, OffsetFetch v4,
// JoinGroup v5, CreateTopics v3, DeleteTopics v1, DescribeConfigs v2, AlterConfigs v1, CreatePartitions v1,
// Alter/ListPartitionReassignments v0). Legacy AlterConfigs, which kafkajs alterConfigs sends, is still
// served and still resets overrides left out of the request. test/integration/peers.test.ts checks each
// operation the product uses; run it after changing KAFKA_VERSION. Kafka 4.x needs Java 17+.
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { quietKafkajsClockWarning } from "../../src/topics/kafka";
import { type StartOutcome, PeerProcess, confirmServing, launchAndWait } from "./lifecycle";
import {
  PeerError,
  cacheDir,
  installOnce,
  isPortOpen,
  repoRoot,
  requireCommand,
  run,
  waitUntil,
  withLock,
} from "./proc";

export const KAFKA_VERSION = "4.4.0";
export const SINGLE_BROKERS = ["127.0.0.1:19092"];
export const CLUSTER_BROKERS = ["127.0.0.1:29092", "127.0.0.1:29093", "127.0.0.1:29094"];
/**
 * The SASL peer: one broker whose client listener (39092) requires SASL/SCRAM (SHA-512 and
 * SHA-256), with one user created at format time (KRaft `--add-scram`). Brokers talk to each
 * other and to the controller on plaintext listeners of their own (39093, 39192), so only clients
 * authenticate. The password is a fixed test credential: it exists so tests can prove it never
 * shows up in plain text (Pulumi state, CLI output).
 */
export const SASL_BROKERS = ["127.0.0.1:39092"];
export const SASL_USERNAME = "apphub-bootstrap";
export const SASL_PASSWORD = "sasl-peer-Secret-4f1e9c";
export const SASL_MECHANISMS = ["SCRAM-SHA-512", "SCRAM-SHA-256"] as const;
/**
 * The ACL peer: like the SASL peer, but authorization is enforced (KRaft's StandardAuthorizer,
 * `allow.everyone.if.no.acl.found=false`): a user may do only what an ACL grants it. `admin` is
 * a superuser made at format time (both SCRAM mechanisms). `apphub-rotating-admin` is listed as
 * a superuser but has no credential until a test writes one (the superuser-rotation e2e owns
 * it). The plaintext internal and controller listeners (49093, 49192) are the broker's own:
 * their principal, User:ANONYMOUS, is a superuser so the node can register with its controller;
 * clients use only 49092.
 */
export const ACL_BROKERS = ["127.0.0.1:49092"];
export const ACL_SUPERUSER = "admin";
export const ACL_SUPERUSER_PASSWORD = "acl-peer-Admin-7c21d0";
export const ACL_ROTATING_SUPERUSER = "apphub-rotating-admin";

export type KafkaPeer = "single" | "cluster" | "sasl" | "acl";

interface KafkaNode {
  peer: KafkaPeer;
  id: number;
  brokerPort: number;
  controllerPort: number;
  /** SASL peer only: the plaintext listener brokers use among themselves. */
  internalPort?: number;
}

const HOST = "127.0.0.1";
const JVM_OPTIONS = [
  "-Xms128m",
  "-Xmx384m",
  "-XX:+ExitOnOutOfMemoryError",
  "-Djava.awt.headless=true",
];
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;

const NODES: Record<KafkaPeer, KafkaNode[]> = {
  single: [{ peer: "single", id: 1, brokerPort: 19092, controllerPort: 19192 }],
  cluster: [
    { peer: "cluster", id: 1, brokerPort: 29092, controllerPort: 29192 },
    { peer: "cluster", id: 2, brokerPort: 29093, controllerPort: 29193 },
    { peer: "cluster", id: 3, brokerPort: 29094, controllerPort: 29194 },
  ],
  sasl: [{ peer: "sasl", id: 1, brokerPort: 39092, controllerPort: 39192, internalPort: 39093 }],
  acl: [{ peer: "acl", id: 1, brokerPort: 49092, controllerPort: 49192, internalPort: 49093 }],
};

const BROKERS: Record<KafkaPeer, string[]> = {
  single: SINGLE_BROKERS,
  cluster: CLUSTER_BROKERS,
  sasl: SASL_BROKERS,
  acl: ACL_BROKERS,
};

export function brokersOf(peer: KafkaPeer): string[] {
  return BROKERS[peer];
}

/** Each SCRAM peer's user made at format time (both mechanisms). */
const FORMAT_TIME_USERS: Partial<Record<KafkaPeer, { username: string; password: string }>> = {
  sasl: { username: SASL_USERNAME, password: SASL_PASSWORD },
  acl: { username: ACL_SUPERUSER, password: ACL_SUPERUSER_PASSWORD },
};

/** kafkajs SASL options for a SCRAM peer's brokers; undefined for the plaintext peers. */
function saslFor(
  brokers: string[],
): { mechanism: "scram-sha-512"; username: string; password: string } | undefined {
  const peer = (["sasl", "acl"] as const).find((name) =>
    brokers.every((broker) => BROKERS[name].includes(broker)),
  );
  const user = peer && FORMAT_TIME_USERS[peer];
  return user ? { mechanism: "scram-sha-512", ...user } : undefined;
}

// ---------------------------------------------------------------- install

function pomFile(): string {
  return path.join(repoRoot(), "test", "peers", "pom.xml");
}

/** The install dir is keyed by the pom's content too, so editing the pom never reuses a stale classpath. */
export function kafkaHome(): string {
  const pomHash = createHash("sha256").update(fs.readFileSync(pomFile())).digest("hex").slice(0, 8);
  return path.join(cacheDir(), `kafka-${KAFKA_VERSION}-${pomHash}`);
}

function libsClasspath(): string {
  return path.join(kafkaHome(), "libs", "*");
}

/** Resolves the broker's classpath with Maven into the cache; a no-op once done. */
export async function installKafka(): Promise<boolean> {
  return installOnce(kafkaHome(), async (home) => {
    requireCommand(
      "mvn",
      ["-v"],
      "Install Maven (apt-get install maven) to fetch Kafka from Maven Central.",
    );
    await run(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        pomFile(),
        `-Dkafka.version=${KAFKA_VERSION}`,
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${path.join(home, "libs")}`,
      ],
      `resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} with Maven`,
    );
  });
}

function javaCommand(): string {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
}

function requireJava17(): void {
  const banner = requireCommand(
    javaCommand(),
    ["-version"],
    "Install a JDK 17+ (apt-get install openjdk-17-jre-headless) or set JAVA_HOME.",
  );
  const major = Number(/version "(\d+)/.exec(banner)?.[1] ?? 0);
  if (major < 17)
    throw new PeerError(
      `Kafka ${KAFKA_VERSION} needs Java 17+, but ${javaCommand()} is Java ${major}.`,
    );
}

// ---------------------------------------------------------------- files

function peerDir(peer: KafkaPeer): string {
  return path.join(cacheDir(), `kafka-${peer}`);
}

function nodeDir(node: KafkaNode): string {
  return path.join(peerDir(node.peer), `node-${node.id}`);
}

function propertiesFile(node: KafkaNode): string {
  return path.join(nodeDir(node), "server.properties");
}

function dataDir(node: KafkaNode): string {
  return path.join(nodeDir(node), "data");
}

function isFormatted(node: KafkaNode): boolean {
  return fs.existsSync(path.join(dataDir(node), "meta.properties"));
}

function serverProperties(node: KafkaNode): string {
  const nodes = NODES[node.peer];
  const replication = String(nodes.length);
  const settings: Record<string, string> = {
    "node.id": String(node.id),
    "process.roles": "broker,controller",
    listeners: `PLAINTEXT://${HOST}:${node.brokerPort},CONTROLLER://${HOST}:${node.controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${HOST}:${node.brokerPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "controller.quorum.voters": nodes.map((n) => `${n.id}@${HOST}:${n.controllerPort}`).join(","),
    "log.dirs": dataDir(node),
    "num.partitions": "1",
    "offsets.topic.replication.factor": replication,
    "offsets.topic.num.partitions": "10",
    "transaction.state.log.replication.factor": replication,
    "transaction.state.log.min.isr": "1",
    "share.coordinator.state.topic.replication.factor": replication,
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "false",
    "delete.topic.enable": "true",
    "num.network.threads": "2",
    "num.io.threads": "4",
    "log.segment.bytes": String(16 * 1024 * 1024),
    ...(node.internalPort === undefined ? {} : saslListeners(node, node.internalPort)),
    ...(node.peer === "acl" ? enforcedAcls() : {}),
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** Client listener SASL_PLAINTEXT (SCRAM), brokers among themselves on a plaintext INTERNAL listener. */
function saslListeners(node: KafkaNode, internalPort: number): Record<string, string> {
  const jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
  return {
    listeners: `SASL_PLAINTEXT://${HOST}:${node.brokerPort},INTERNAL://${HOST}:${internalPort},CONTROLLER://${HOST}:${node.controllerPort}`,
    "advertised.listeners": `SASL_PLAINTEXT://${HOST}:${node.brokerPort},INTERNAL://${HOST}:${internalPort}`,
    "listener.security.protocol.map":
      "SASL_PLAINTEXT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name": "INTERNAL",
    "sasl.enabled.mechanisms": SASL_MECHANISMS.join(","),
    ...Object.fromEntries(
      SASL_MECHANISMS.map((mechanism) => [
        `listener.name.sasl_plaintext.${mechanism.toLowerCase()}.sasl.jaas.config`,
        jaas,
      ]),
    ),
  };
}

/** The ACL peer: every request authorized by ACLs, superusers excepted (see ACL_BROKERS). */
function enforcedAcls(): Record<string, string> {
  return {
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "allow.everyone.if.no.acl.found": "false",
    "super.users": [ACL_SUPERUSER, ACL_ROTATING_SUPERUSER, "ANONYMOUS"]
      .map((name) => `User:${name}`)
      .join(";"),
  };
}

function log4jConfig(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="stdout"/></Root>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
  </Loggers>
</Configuration>
`;
}

function log4jConfigFile(): string {
  const file = path.join(cacheDir(), "kafka-log4j2.xml");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, log4jConfig());
  return file;
}

// ---------------------------------------------------------------- processes

function javaArgs(mainClass: string, args: string[]): string[] {
  return [
    ...JVM_OPTIONS,
    `-Dlog4j2.configurationFile=${log4jConfigFile()}`,
    "-cp",
    libsClasspath(),
    mainClass,
    ...args,
  ];
}

/** A Kafka cluster id: 16 random bytes, base64url, never starting with '-' (the CLI would read it as a flag). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function writeNodeConfig(node: KafkaNode): void {
  fs.mkdirSync(nodeDir(node), { recursive: true });
  fs.writeFileSync(propertiesFile(node), `${serverProperties(node)}\n`);
}

async function formatStorage(node: KafkaNode, clusterId: string): Promise<void> {
  await run(
    javaCommand(),
    javaArgs("kafka.tools.StorageTool", [
      "format",
      "-t",
      clusterId,
      "-c",
      propertiesFile(node),
      // A SCRAM peer's user exists from the first start (no broker round trip needed to create it).
      ...formatTimeScram(node.peer),
    ]),
    `formatting KRaft storage of kafka-${node.peer} node ${node.id}`,
  );
}

function formatTimeScram(peer: KafkaPeer): string[] {
  const user = FORMAT_TIME_USERS[peer];
  if (!user) return [];
  return SASL_MECHANISMS.flatMap((mechanism) => [
    "--add-scram",
    `${mechanism}=[name=${user.username},password=${user.password}]`,
  ]);
}

/** A node's JVM: its command line carries its own server.properties path, which no other process's does. */
function nodeProcess(node: KafkaNode): PeerProcess {
  return new PeerProcess({
    label: `node ${node.id}`,
    pidFile: path.join(nodeDir(node), "kafka.pid"),
    logFile: path.join(nodeDir(node), "server.log"),
    marker: propertiesFile(node),
    commandLine: () => ({
      command: javaCommand(),
      args: javaArgs("kafka.Kafka", [propertiesFile(node)]),
    }),
    stopGraceMs: STOP_GRACE_MS,
  });
}

// ---------------------------------------------------------------- metadata

function adminFor(brokers: string[]): ReturnType<Kafka["admin"]> {
  quietKafkajsClockWarning();
  const kafka = new Kafka({
    clientId: "apphub-peers",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
    ...(saslFor(brokers) ? { sasl: saslFor(brokers) } : {}),
  });
  return kafka.admin();
}

async function describeBrokers(
  brokers: string[],
): Promise<{ brokers: string[]; controller: number | null }> {
  const admin = adminFor(brokers);
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      brokers: cluster.brokers.map((b) => `${b.host}:${b.port}`),
      controller: cluster.controller,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Waits until each broker, asked on its own, lists every address in brokers and a controller. Asking each
 * one matters after a restart: the others keep listing a dead broker until its session times out.
 */
export async function waitForMetadata(
  brokers: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let lastProblem = "no answer yet";
  const ready = await waitUntil(
    async () => {
      for (const broker of brokers) {
        lastProblem = await metadataProblem(broker, brokers);
        if (lastProblem) return false;
      }
      return true;
    },
    timeoutMs,
    500,
    signal,
  );
  if (!ready)
    throw new PeerError(
      `timed out after ${timeoutMs} ms waiting for Kafka metadata from ${brokers.join(",")}: ${lastProblem}`,
    );
}

async function metadataProblem(broker: string, expected: string[]): Promise<string> {
  try {
    const seen = await describeBrokers([broker]);
    const missing = expected.filter((b) => !seen.brokers.includes(b));
    if (missing.length > 0) return `${broker} does not list ${missing.join(", ")}`;
    return seen.controller !== null && seen.controller >= 0 ? "" : `${broker} lists no controller`;
  } catch (error) {
    return `${broker}: ${(error as Error).message}`;
  }
}

// ---------------------------------------------------------------- lifecycle

interface NodeState {
  node: KafkaNode;
  process: PeerProcess;
  running: boolean;
  serving: boolean;
}

async function nodeStates(peer: KafkaPeer): Promise<NodeState[]> {
  return Promise.all(
    NODES[peer].map(async (node) => {
      const process = nodeProcess(node);
      return {
        node,
        process,
        running: process.pid() !== undefined,
        serving: await isPortOpen(HOST, node.brokerPort),
      };
    }),
  );
}

/** Starts the peer unless it already serves; a peer with some nodes down gets those nodes restarted on their data. */
export function startKafka(peer: KafkaPeer): Promise<StartOutcome> {
  return withLock(`${peerDir(peer)}.lock`, () => startKafkaUnlocked(peer));
}

async function startKafkaUnlocked(peer: KafkaPeer): Promise<StartOutcome> {
  const states = await nodeStates(peer);
  const down = states.filter((s) => !s.serving && !s.running);
  if (down.length === 0) {
    // Ours may still be starting; a stranger on the ports should answer at once.
    const ours = states.some((s) => s.running);
    await confirmServing(
      `kafka-${peer}`,
      states.map((s) => s.process),
      (signal) => waitForMetadata(brokersOf(peer), ours ? START_TIMEOUT_MS : 10_000, signal),
      `${brokersOf(peer).join(", ")}: taken by something that is not a healthy Kafka broker.`,
    );
    return "already-running";
  }
  requireJava17();
  await installKafka();
  if (down.length === states.length) {
    await startFresh(peer);
    return "started";
  }
  await restartNodes(
    peer,
    down.map((s) => s.node),
  );
  return "repaired";
}

async function startFresh(peer: KafkaPeer): Promise<void> {
  await requireFreeControllerPorts(peer);
  fs.rmSync(peerDir(peer), { recursive: true, force: true });
  const clusterId = newClusterId();
  for (const node of NODES[peer]) writeNodeConfig(node);
  await Promise.all(NODES[peer].map((node) => formatStorage(node, clusterId)));
  await launchNodes(peer, NODES[peer]);
}

async function restartNodes(peer: KafkaPeer, nodes: KafkaNode[]): Promise<void> {
  const unformatted = nodes.filter((node) => !isFormatted(node));
  if (unformatted.length > 0) {
    throw new PeerError(
      `kafka-${peer}: node(s) ${unformatted.map((n) => n.id).join(", ")} are down and have no data to rejoin with; ` +
        `run \`down ${peer}\` then \`up ${peer}\`.`,
    );
  }
  for (const node of nodes) writeNodeConfig(node);
  await launchNodes(peer, nodes);
}

function launchNodes(peer: KafkaPeer, nodes: KafkaNode[]): Promise<void> {
  return launchAndWait(`kafka-${peer}`, nodes.map(nodeProcess), (signal) =>
    waitForMetadata(brokersOf(peer), START_TIMEOUT_MS, signal),
  );
}

async function requireFreeControllerPorts(peer: KafkaPeer): Promise<void> {
  for (const node of NODES[peer]) {
    if (await isPortOpen(HOST, node.controllerPort)) {
      throw new PeerError(
        `kafka-${peer}: controller port ${HOST}:${node.controllerPort} is taken by another process.`,
      );
    }
  }
}

/** Stops the nodes this launcher started (found by pid file); a broker started some other way is left alone. */
export async function stopKafka(peer: KafkaPeer): Promise<string[]> {
  return Promise.all(NODES[peer].map((node) => nodeProcess(node).stop()));
}

export async function kafkaStatus(peer: KafkaPeer): Promise<string[]> {
  const states = await nodeStates(peer);
  return states.map(({ node, process, serving }) =>
    process.status(`${HOST}:${node.brokerPort} ${serving ? "serving" : "not serving"}`),
  );
}
