/**
 * Broker sizing: Kubernetes resources and the Seastar flags derived from them, after Redpanda's
 * guidance as its official chart (redpanda-5.9.18, appVersion v24.3.2) states and applies it:
 * at least 2 GiB per core for Redpanda itself, 80% of the container's memory given to it, so
 * at least 2.5 GiB of container memory per core (`values.yaml:388-445`); `--memory` = 80% and
 * `--reserve-memory` = 0.2% + 200 MiB of the container (`memory.go:16-81`). Seastar subtracts
 * the reserve (and the kernel's min_free_kbytes) from the cgroup limit and refuses to start if
 * `--memory` does not fit (seastar `src/core/resource.cc:241-270`); the rest is for what is not
 * Seastar's heap (rpk, the hooks, kernel buffers charged to the cgroup).
 *
 * `--smp` is the whole number of cores (`cluster.cpu`). Seastar pins one thread per core unless
 * `--overprovisioned`; a pinned thread only owns its core when the kubelet gives the container
 * exclusive CPUs, which its static CPU manager does only for a Guaranteed pod with integer CPU
 * requests (k8s v1.33 `pkg/kubelet/cm/cpumanager/policy_static.go:464-489`). Nothing in the API
 * objects tells whether the nodes run that policy, so the stack says so
 * (`cluster.cpuManagerPolicy: static`); otherwise the brokers run `--overprovisioned` (no
 * pinning, no busy polling), as the chart recommends "unless the container has CPU affinity".
 */
import type { ClusterConfig } from "../config/schema";

const MIB = 1024 * 1024;
/** Container memory per core Redpanda's guidance asks for (2 GiB for Redpanda at 80%). */
export const MIN_MEMORY_PER_CORE_MIB = 2560;
/** Share of the container's memory given to Seastar (`--memory`). */
export const REDPANDA_MEMORY_FRACTION = 0.8;
/** `--reserve-memory` = this share of the container + RESERVE_MEMORY_BASE_MIB. */
export const RESERVE_MEMORY_FRACTION = 0.002;
export const RESERVE_MEMORY_BASE_MIB = 200;
/** CPU each overprovisioned broker requests per core of limit: minikube's CPUs are shared. */
export const OVERPROVISIONED_CPU_REQUEST_MILLIS = 250;

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** Bytes in a Kubernetes memory quantity such as `2Gi`, `1500M` or `1073741824`. */
export function quantityToBytes(quantity: string): number {
  const match = QUANTITY.exec(quantity);
  if (!match)
    throw new Error(
      `expected a Kubernetes quantity such as "4Gi", got ${JSON.stringify(quantity)}`,
    );
  const suffix = match[2] ?? "";
  const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix] ?? 1;
  return Number(match[1]) * factor;
}

export interface BrokerSizing {
  /** `--smp`: one Seastar shard per core. */
  smp: number;
  /** `--memory`, in MiB. */
  memoryMiB: number;
  /** The exact flag values. */
  memoryFlag: string;
  reserveMemoryFlag: string;
  /** Seastar threads pinned to cores: Guaranteed QoS and the kubelet's static CPU manager. */
  pinned: boolean;
  /** `--overprovisioned` unless pinned; `--check=false` on shared CPUs (rpk's tuning checks fail there). */
  cpuFlags: string[];
  resources: {
    limits: { cpu: string; memory: string };
    requests: { cpu: string; memory: string };
  };
}

export function containerMemoryMiB(memoryLimit: string): number {
  return Math.floor(quantityToBytes(memoryLimit) / MIB);
}

/** `--memory` for a container memory limit, in MiB. */
export function redpandaMemoryMiB(memoryLimit: string): number {
  return Math.floor(containerMemoryMiB(memoryLimit) * REDPANDA_MEMORY_FRACTION);
}

/** `--reserve-memory` for a container memory limit, in MiB. */
export function reserveMemoryMiB(memoryLimit: string): number {
  return (
    Math.floor(containerMemoryMiB(memoryLimit) * RESERVE_MEMORY_FRACTION) + RESERVE_MEMORY_BASE_MIB
  );
}

/**
 * Memory requests equal limits (Seastar allocates its whole heap at start, a burstable pod
 * would be the first OOM victim). CPU requests equal limits (Guaranteed QoS) unless the CPUs are
 * shared (`overprovisioned`: a quarter core per core).
 */
export function brokerSizing(
  cluster: Pick<ClusterConfig, "cpu" | "memory" | "overprovisioned" | "cpuManagerPolicy">,
): BrokerSizing {
  const memoryMiB = redpandaMemoryMiB(cluster.memory);
  const cpuRequest = cluster.overprovisioned
    ? `${cluster.cpu * OVERPROVISIONED_CPU_REQUEST_MILLIS}m`
    : String(cluster.cpu);
  const pinned = cluster.cpuManagerPolicy === "static" && !cluster.overprovisioned;
  return {
    smp: cluster.cpu,
    memoryMiB,
    memoryFlag: `${memoryMiB}M`,
    reserveMemoryFlag: `${reserveMemoryMiB(cluster.memory)}M`,
    pinned,
    cpuFlags: [
      ...(pinned ? [] : ["--overprovisioned"]),
      ...(cluster.overprovisioned ? ["--check=false"] : []),
    ],
    resources: {
      limits: { cpu: String(cluster.cpu), memory: cluster.memory },
      requests: { cpu: cpuRequest, memory: cluster.memory },
    },
  };
}

/** Redpanda's default `storage_min_free_bytes` (src/v/config/configuration.cc:3194-3200 @ v24.3.2). */
export const REDPANDA_MIN_FREE_BYTES = 5 * 2 ** 30;
/** Share of a small volume kept free before Redpanda refuses writes. */
export const MIN_FREE_FRACTION = 0.1;

/**
 * `storage_min_free_bytes` for a data volume of `storageSize`: Redpanda's 5 GiB, or a tenth of a
 * smaller volume (10Gi → 1Gi). With the default a 10Gi volume refuses producers when half full.
 */
export function storageMinFreeBytes(storageSize: string): number {
  const tenth = Math.floor((quantityToBytes(storageSize) * MIN_FREE_FRACTION) / MIB) * MIB;
  return Math.max(Math.min(REDPANDA_MIN_FREE_BYTES, tenth), 10 * MIB);
}
