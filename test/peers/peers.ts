// The test peers by name, so the CLI and the vitest globalSetup drive them the same way.
import {
  ensureKubectl,
  ensureKubernetesPlugin,
  ensurePromtool,
  ensurePulumiEngine,
  isBuilt,
} from "./engines";
import {
  ACL_BROKERS,
  CLUSTER_BROKERS,
  SASL_BROKERS,
  SINGLE_BROKERS,
  kafkaStatus,
  startKafka,
  stopKafka,
} from "./kafka";
import { KUBE_API_SERVER, kubeStatus, startKube, stopKube } from "./kube";
import type { StartOutcome } from "./lifecycle";
import { S3_ENDPOINT, s3Status, startS3, stopS3 } from "./s3";

export const PEER_NAMES = [
  "single",
  "cluster",
  "sasl",
  "acl",
  "s3",
  "kube",
  "pulumi",
  "promtool",
] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/** The peers each test tier needs; its global setup starts (or finds) exactly these. */
export const TIER_PEERS: Record<"integration" | "e2e", readonly PeerName[]> = {
  integration: ["single", "cluster", "sasl", "acl", "s3", "promtool"],
  e2e: ["single", "cluster", "sasl", "acl", "s3", "kube", "pulumi"],
};

interface Peer {
  address: string;
  start(): Promise<StartOutcome>;
  stop(): Promise<string[]>;
  status(): Promise<string[]>;
}

const PEERS: Record<PeerName, Peer> = {
  single: {
    address: SINGLE_BROKERS.join(","),
    start: () => startKafka("single"),
    stop: () => stopKafka("single"),
    status: () => kafkaStatus("single"),
  },
  cluster: {
    address: CLUSTER_BROKERS.join(","),
    start: () => startKafka("cluster"),
    stop: () => stopKafka("cluster"),
    status: () => kafkaStatus("cluster"),
  },
  sasl: {
    address: SASL_BROKERS.join(","),
    start: () => startKafka("sasl"),
    stop: () => stopKafka("sasl"),
    status: () => kafkaStatus("sasl"),
  },
  acl: {
    address: ACL_BROKERS.join(","),
    start: () => startKafka("acl"),
    stop: () => stopKafka("acl"),
    status: () => kafkaStatus("acl"),
  },
  s3: { address: S3_ENDPOINT, start: startS3, stop: stopS3, status: s3Status },
  kube: {
    address: KUBE_API_SERVER,
    start: async () => {
      await ensureKubectl();
      return startKube();
    },
    stop: stopKube,
    status: kubeStatus,
  },
  // Engines are built, not run: "up" builds (or finds) them, "down" leaves the cache alone.
  pulumi: {
    address: "pulumi CLI + Node.js language host + kubernetes plugin",
    start: async () => {
      const cached =
        isBuilt("pulumi") && isBuilt("language-host") && isBuilt("kubernetes-provider");
      // First, so that ensurePulumiEngine puts the plugin on the engine's PATH.
      const plugin = await ensureKubernetesPlugin();
      const engine = await ensurePulumiEngine();
      console.log(
        `pulumi: ${engine.version} (${engine.source === "path" ? `from PATH, ${engine.bin}` : engine.bin}); kubernetes plugin ${plugin}`,
      );
      return cached || engine.source === "path" ? "already-running" : "started";
    },
    stop: async () => ["engine builds stay cached"],
    status: async () => [
      `pulumi ${isBuilt("pulumi") ? "built" : "not built"}`,
      `kubernetes plugin ${isBuilt("kubernetes-provider") ? "built" : "not built"}`,
    ],
  },
  promtool: {
    address: "promtool",
    start: async () => {
      const cached = isBuilt("promtool");
      console.log(`promtool: ${await ensurePromtool()}`);
      return cached ? "already-running" : "started";
    },
    stop: async () => ["engine builds stay cached"],
    status: async () => [isBuilt("promtool") ? "built" : "not built"],
  },
};

export function isPeerName(name: string): name is PeerName {
  return (PEER_NAMES as readonly string[]).includes(name);
}

export function peerAddress(name: PeerName): string {
  return PEERS[name].address;
}

export function startPeer(name: PeerName): Promise<StartOutcome> {
  return PEERS[name].start();
}

export function stopPeer(name: PeerName): Promise<string[]> {
  return PEERS[name].stop();
}

export function peerStatus(name: PeerName): Promise<string[]> {
  return PEERS[name].status();
}

export interface StartReport {
  name: PeerName;
  outcome?: StartOutcome;
  error?: Error;
  ms: number;
}

/** Starts the named peers concurrently and reports each; never throws. */
export async function startPeers(names: readonly PeerName[]): Promise<StartReport[]> {
  return Promise.all(
    names.map(async (name) => {
      const began = Date.now();
      try {
        return { name, outcome: await startPeer(name), ms: Date.now() - began };
      } catch (error) {
        return { name, error: error as Error, ms: Date.now() - began };
      }
    }),
  );
}
