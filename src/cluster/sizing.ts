/**
 * Broker sizing: Kubernetes resources and the Seastar flags derived from them.
 *
 * `--smp` is the whole number of CPU cores (`cluster.cpu`). `--memory` leaves headroom below
 * the container limit for what is not Seastar's heap (rpk, the lifecycle hooks, kernel-side
 * buffers charged to the cgroup): 20 % of the limit, and never less than 512 MiB. The official
 * chart gives Redpanda 80-90 %; the floor matters for the small minikube brokers.
 * `--reserve-memory 0M` because the container limit already is the reservation.
 */
const MIB = 1024 * 1024;
export const HEADROOM_FRACTION = 0.2;
export const MIN_HEADROOM_MIB = 512;
/** Below this per shard Redpanda starts, but cannot hold its per-partition memory; refuse it up front. */
export const MIN_MEMORY_PER_SHARD_MIB = 1024;
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
  reserveMemoryFlag: "0M";
  resources: {
    limits: { cpu: string; memory: string };
    requests: { cpu: string; memory: string };
  };
}

export function redpandaMemoryMiB(memoryLimit: string): number {
  const limitMiB = Math.floor(quantityToBytes(memoryLimit) / MIB);
  const headroom = Math.max(Math.ceil(limitMiB * HEADROOM_FRACTION), MIN_HEADROOM_MIB);
  return Math.max(limitMiB - headroom, 0);
}

/**
 * Memory requests equal limits (Seastar allocates its whole heap at start, a burstable pod
 * would be the first OOM victim). CPU requests equal limits on dedicated CPUs (Guaranteed QoS,
 * so a static CPU manager can pin cores) and are a quarter core per core when overprovisioned.
 */
export function brokerSizing(cluster: {
  cpu: number;
  memory: string;
  overprovisioned: boolean;
}): BrokerSizing {
  const memoryMiB = redpandaMemoryMiB(cluster.memory);
  const cpuRequest = cluster.overprovisioned
    ? `${cluster.cpu * OVERPROVISIONED_CPU_REQUEST_MILLIS}m`
    : String(cluster.cpu);
  return {
    smp: cluster.cpu,
    memoryMiB,
    memoryFlag: `${memoryMiB}M`,
    reserveMemoryFlag: "0M",
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
