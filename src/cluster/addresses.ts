/** Every address a broker binds, advertises or is reached at, per pod ordinal. */
import type { ClusterConfig } from "../config/schema";
import { brokerFqdn, ORDINAL_PLACEHOLDER, ordinals, PORTS } from "./constants";

/**
 * The seed servers every broker is given: all pods' RPC addresses. With
 * `empty_seed_starts_cluster: false` these brokers together found the cluster on first start,
 * and later (or replaced) brokers join through them.
 */
export function seedServers(namespace: string, replicas: number): string[] {
  return ordinals(replicas).map((ordinal) => `${brokerFqdn(namespace, ordinal)}:${PORTS.rpc}`);
}

/** In-cluster Kafka addresses of every broker (what clients learn from metadata). */
export function internalBrokers(namespace: string, replicas: number): string[] {
  return ordinals(replicas).map((ordinal) => `${brokerFqdn(namespace, ordinal)}:${PORTS.kafka}`);
}

/** The port broker `ordinal` is reached on from outside: `basePort + ordinal`, for NodePort and LoadBalancer alike. */
export function externalPort(external: ClusterConfig["external"], ordinal: number): number {
  return external.basePort + ordinal;
}

export function externalHost(external: ClusterConfig["external"], ordinal: number): string {
  if (!external.advertisedHost) throw new Error("cluster.external.advertisedHost is required when the external listener is enabled");
  return external.advertisedHost.split(ORDINAL_PLACEHOLDER).join(String(ordinal));
}

/**
 * `host:port` each broker advertises on its external listener, in ordinal order; empty when the
 * listener is off. This is the list `pulumi up` (topic bootstrap) and CI use from outside.
 */
export function externalBrokers(cluster: Pick<ClusterConfig, "external" | "replicas">): string[] {
  if (!cluster.external.enabled) return [];
  return ordinals(cluster.replicas).map((ordinal) => `${externalHost(cluster.external, ordinal)}:${externalPort(cluster.external, ordinal)}`);
}
