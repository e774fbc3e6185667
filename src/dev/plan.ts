/**
 * The local Docker stack as plain data: what each container runs, publishes, mounts and how
 * its health is judged. `components/DevStack.ts` only turns this into @pulumi/docker
 * resources, so every decision here is unit-tested without a Docker engine.
 *
 * It reproduces `docker/demo-stack.compose.yml` (SPEC, "Facts") and fixes what that file left
 * to chance: two Kafka listeners so both containers (`redpanda:9092`) and host processes
 * (`127.0.0.1:<dev.kafkaPort>`) get an address they can reach, every port on loopback, a data
 * directory Redpanda can actually write, and topic creation only once the broker is healthy.
 */
import { dialableHost } from "../config/rules";
import * as path from "node:path";
import type { DevConfig, TopicSpec } from "../config/schema";
import { PATHS, PORTS, REDPANDA_GID, REDPANDA_UID } from "../cluster/constants";

export const REDPANDA_ALIAS = "redpanda";
export const CONSOLE_ALIAS = "redpanda-console";
export const SEQUENCER_ALIAS = "sequencer-db";

/**
 * Ports inside the containers; only the host side comes from config. Redpanda's own listeners
 * are the ones the cluster uses too; the compose file adds the external pair.
 */
export const CONTAINER_PORTS = {
  kafkaInternal: PORTS.kafka,
  kafkaExternal: 19092,
  admin: PORTS.admin,
  rpc: PORTS.rpc,
  proxyInternal: PORTS.httpProxy,
  proxyExternal: 18082,
  console: 8080,
  postgres: 5432,
} as const;

/** Where the Redpanda image keeps its data: the same path in the dev container as in the StatefulSet. */
export const REDPANDA_DATA_DIR = PATHS.data;
/** The user the Redpanda image runs as; the bind-mounted data directory must belong to it. */
export const REDPANDA_USER = `${REDPANDA_UID}:${REDPANDA_GID}`;

/**
 * The compose file's broker size: one core (`--smp`), a fixed 1G, nothing reserved. A laptop's
 * CPUs are shared, so the broker also runs `--overprovisioned`.
 */
export const DEV_BROKER_SIZE = { cores: 1, memory: "1G", reserveMemory: "0M" } as const;

export const SEQUENCER_DATABASE = "apphub_sequences";
export const SEQUENCER_USER = "apphub";
export const SEQUENCER_DATA_DIR = "/var/lib/postgresql/data";
/** The password reaches Postgres as a file, so it is not in `docker inspect`'s environment. */
export const SEQUENCER_PASSWORD_FILE = "/run/secrets/sequencer-db-password";

/** Seconds `pulumi up` waits for a container's health check before failing. */
export const REDPANDA_WAIT_TIMEOUT_SECONDS = 120;
export const SEQUENCER_WAIT_TIMEOUT_SECONDS = 60;

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";
/** Comes back after a crash or a Docker restart, but stays down once the developer stops it. */
export const RESTART_POLICY: RestartPolicy = "unless-stopped";

export interface PortBinding {
  internal: number;
  external: number;
  ip: string;
  protocol: "tcp";
}

export interface BindMount {
  hostPath: string;
  containerPath: string;
}

export interface HealthCheck {
  tests: string[];
  interval: string;
  timeout: string;
  startPeriod: string;
  retries: number;
}

/** The host address clients dial (the wildcard → loopback mapping is `dialableHost`'s). */
export const advertisedHost = dialableHost;

export function hostDataPath(dataRoot: string, service: "redpanda" | "sequencer"): string {
  return path.posix.join(dataRoot, service);
}

/** `redpanda start` with the compose file's dev flags plus the listeners it lacked. */
export function redpandaCommand(dev: DevConfig): string[] {
  const host = advertisedHost(dev.bindAddress);
  const p = CONTAINER_PORTS;
  return [
    "redpanda",
    "start",
    // Shared CPUs on a laptop: no thread pinning, one core, a fixed 1G, nothing reserved.
    "--overprovisioned",
    "--smp",
    String(DEV_BROKER_SIZE.cores),
    "--memory",
    DEV_BROKER_SIZE.memory,
    "--reserve-memory",
    DEV_BROKER_SIZE.reserveMemory,
    "--check=false",
    "--kafka-addr",
    `internal://0.0.0.0:${p.kafkaInternal},external://0.0.0.0:${p.kafkaExternal}`,
    "--advertise-kafka-addr",
    `internal://${REDPANDA_ALIAS}:${p.kafkaInternal},external://${host}:${dev.kafkaPort}`,
    "--pandaproxy-addr",
    `internal://0.0.0.0:${p.proxyInternal},external://0.0.0.0:${p.proxyExternal}`,
    "--advertise-pandaproxy-addr",
    `internal://${REDPANDA_ALIAS}:${p.proxyInternal},external://${host}:${dev.httpProxyPort}`,
    "--rpc-addr",
    `0.0.0.0:${p.rpc}`,
    "--advertise-rpc-addr",
    `${REDPANDA_ALIAS}:${p.rpc}`,
  ];
}

export function redpandaPorts(dev: DevConfig): PortBinding[] {
  const ip = dev.bindAddress;
  return [
    { internal: CONTAINER_PORTS.kafkaExternal, external: dev.kafkaPort, ip, protocol: "tcp" },
    { internal: CONTAINER_PORTS.admin, external: dev.adminPort, ip, protocol: "tcp" },
    { internal: CONTAINER_PORTS.proxyExternal, external: dev.httpProxyPort, ip, protocol: "tcp" },
  ];
}

export function redpandaMounts(dev: DevConfig): BindMount[] {
  return [{ hostPath: hostDataPath(dev.dataRoot, "redpanda"), containerPath: REDPANDA_DATA_DIR }];
}

/**
 * The compose file's `rpk cluster info`, pinned to the internal listener so it does not depend
 * on what rpk guesses from redpanda.yaml. It succeeds once the Kafka API answers metadata,
 * which is what the topic bootstrap needs.
 */
export function redpandaHealthcheck(): HealthCheck {
  return {
    tests: [
      "CMD",
      "rpk",
      "cluster",
      "info",
      "-X",
      `brokers=127.0.0.1:${CONTAINER_PORTS.kafkaInternal}`,
    ],
    interval: "5s",
    timeout: "5s",
    startPeriod: "10s",
    retries: 12,
  };
}

/**
 * Docker creates a missing bind-mount source owned by root, and Redpanda (uid 101) then fails
 * with "Permission denied". A one-shot container hands the top directory to uid 101; it is
 * not recursive, so an existing data directory costs nothing.
 */
export function dataOwnerCommand(): { user: string; entrypoint: string[]; command: string[] } {
  return { user: "0:0", entrypoint: ["chown"], command: [REDPANDA_USER, REDPANDA_DATA_DIR] };
}

/** Redpanda Console reads its settings from the environment (`kafka.brokers` → `KAFKA_BROKERS`). */
export function consoleEnv(): string[] {
  return [
    `KAFKA_BROKERS=${REDPANDA_ALIAS}:${CONTAINER_PORTS.kafkaInternal}`,
    "REDPANDA_ADMINAPI_ENABLED=true",
    `REDPANDA_ADMINAPI_URLS=http://${REDPANDA_ALIAS}:${CONTAINER_PORTS.admin}`,
  ];
}

export function consolePorts(dev: DevConfig): PortBinding[] {
  return [
    {
      internal: CONTAINER_PORTS.console,
      external: dev.console.port,
      ip: dev.bindAddress,
      protocol: "tcp",
    },
  ];
}

export function sequencerEnv(): string[] {
  return [
    `POSTGRES_DB=${SEQUENCER_DATABASE}`,
    `POSTGRES_USER=${SEQUENCER_USER}`,
    `POSTGRES_PASSWORD_FILE=${SEQUENCER_PASSWORD_FILE}`,
  ];
}

export function sequencerPorts(dev: DevConfig): PortBinding[] {
  return [
    {
      internal: CONTAINER_PORTS.postgres,
      external: dev.sequencer.port,
      ip: dev.bindAddress,
      protocol: "tcp",
    },
  ];
}

export function sequencerMounts(dev: DevConfig): BindMount[] {
  return [{ hostPath: hostDataPath(dev.dataRoot, "sequencer"), containerPath: SEQUENCER_DATA_DIR }];
}

export function sequencerHealthcheck(): HealthCheck {
  return {
    tests: ["CMD", "pg_isready", "-U", SEQUENCER_USER, "-d", SEQUENCER_DATABASE],
    interval: "5s",
    timeout: "5s",
    startPeriod: "10s",
    retries: 12,
  };
}

/**
 * `encodeURIComponent` leaves `!'()*` alone; they are legal in a URL but not in every
 * consumer's parser or in an unquoted dotenv value, so they are escaped too.
 */
export function encodeUrlComponent(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function sequencerDatabaseUrl(host: string, port: number, password: string): string {
  return `postgres://${SEQUENCER_USER}:${encodeUrlComponent(password)}@${host}:${port}/${SEQUENCER_DATABASE}`;
}

export interface DevEndpoints {
  /** For processes on the host (core, timestore, `npm run topics`). */
  hostBrokers: string;
  /** For containers on the stack's network. */
  containerBrokers: string;
  adminUrl: string;
  httpProxyUrl: string;
  consoleUrl?: string;
  /** host:port of the sequencer Postgres, when it is enabled. */
  sequencerAddress?: { host: string; port: number };
}

export function devEndpoints(dev: DevConfig): DevEndpoints {
  const host = advertisedHost(dev.bindAddress);
  return {
    hostBrokers: `${host}:${dev.kafkaPort}`,
    containerBrokers: `${REDPANDA_ALIAS}:${CONTAINER_PORTS.kafkaInternal}`,
    adminUrl: `http://${host}:${dev.adminPort}`,
    httpProxyUrl: `http://${host}:${dev.httpProxyPort}`,
    ...(dev.console.enabled ? { consoleUrl: `http://${host}:${dev.console.port}` } : {}),
    ...(dev.sequencer.enabled ? { sequencerAddress: { host, port: dev.sequencer.port } } : {}),
  };
}

/** One broker: every topic gets replication 1, whatever the catalog says. */
export function devTopics(topics: readonly TopicSpec[]): TopicSpec[] {
  return topics.map((topic) => ({ ...topic, replicationFactor: 1 }));
}
