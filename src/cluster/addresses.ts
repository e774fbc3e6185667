/** Every address a broker binds, advertises or is reached at, per pod ordinal. */
import { clientMechanism } from "../config/rules";
import type { ClusterConfig, KafkaClientConfig } from "../config/schema";
import { brokerFqdn, ORDINAL_PLACEHOLDER, ordinals, PORTS } from "./constants";

/**
 * The seed servers every broker is given: all pods' RPC addresses. With
 * `empty_seed_starts_cluster: false` these brokers together found the cluster on first start,
 * and later (or replaced) brokers join through them.
 */
export function seedServers(namespace: string, replicas: number, clusterDomain?: string): string[] {
  return ordinals(replicas).map(
    (ordinal) => `${brokerFqdn(namespace, ordinal, clusterDomain)}:${PORTS.rpc}`,
  );
}

/** In-cluster Kafka addresses of every broker (what clients learn from metadata). */
export function internalBrokers(
  namespace: string,
  replicas: number,
  clusterDomain?: string,
): string[] {
  return ordinals(replicas).map(
    (ordinal) => `${brokerFqdn(namespace, ordinal, clusterDomain)}:${PORTS.kafka}`,
  );
}

/** Replication factor new topics get by default: 3 with three or more brokers, else 1 (Redpanda wants an odd factor). */
export function defaultTopicReplications(replicas: number): number {
  return replicas >= 3 ? 3 : 1;
}

/** The port broker `ordinal` is reached on from outside: `basePort + ordinal`, for NodePort and LoadBalancer alike. */
export function externalPort(external: ClusterConfig["external"], ordinal: number): number {
  return external.basePort + ordinal;
}

export function externalHost(external: ClusterConfig["external"], ordinal: number): string {
  if (!external.advertisedHost)
    throw new Error(
      "cluster.external.advertisedHost is required when the external listener is enabled",
    );
  return external.advertisedHost.split(ORDINAL_PLACEHOLDER).join(String(ordinal));
}

/**
 * `host:port` each broker advertises on its external listener, in ordinal order; empty when the
 * listener is off. This is the list `pulumi up` (topic bootstrap) and CI use from outside.
 */
export function externalBrokers(cluster: Pick<ClusterConfig, "external" | "replicas">): string[] {
  if (!cluster.external.enabled) return [];
  return ordinals(cluster.replicas).map(
    (ordinal) =>
      `${externalHost(cluster.external, ordinal)}:${externalPort(cluster.external, ordinal)}`,
  );
}

/**
 * How `pulumi up` (topic bootstrap) connects: through the external listener, with its TLS and
 * SCRAM superuser, unless the stack names other brokers in `kafka.brokers` (then `kafka` as
 * given). An explicit `kafka.sasl` wins over the superuser.
 */
export function bootstrapClientSettings(
  kafka: KafkaClientConfig,
  cluster: ClusterConfig,
): { kafka: KafkaClientConfig; usesSuperuser: boolean } {
  if (kafka.brokers || !cluster.external.enabled) return { kafka, usesSuperuser: false };
  const tls = cluster.external.tls.enabled ? { ...kafka.tls, enabled: true } : kafka.tls;
  const superuser = cluster.external.sasl.enabled && !kafka.sasl;
  const sasl = superuser
    ? {
        mechanism: clientMechanism(cluster.external.sasl.mechanism),
        username: cluster.external.sasl.username,
      }
    : kafka.sasl;
  return { kafka: { ...kafka, tls, ...(sasl ? { sasl } : {}) }, usesSuperuser: superuser };
}
