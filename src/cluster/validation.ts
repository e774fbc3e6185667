/**
 * Cross-field rules of the `cluster` section, on the resolved config (every default applied by
 * the schema). Each issue names its key path below `apphub-streaming:`; the schema adds the
 * prefix, and the issues land in the same report as every other problem.
 */
import {
  MIN_TERMINATION_GRACE_SECONDS,
  NODE_PORT_RANGE,
  ORDINAL_PLACEHOLDER,
  SHUTDOWN_MARGIN_SECONDS,
} from "./constants";
import type { ClusterConfig } from "../config/schema";
import {
  containerMemoryMiB,
  MIN_MEMORY_PER_CORE_MIB,
  quantityToBytes,
  redpandaMemoryMiB,
} from "./sizing";

export interface ClusterIssue {
  path: string[];
  message: string;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;

function parsesAsQuantity(value: string): boolean {
  try {
    quantityToBytes(value);
    return true;
  } catch {
    return false;
  }
}

export function clusterConfigIssues(cluster: ClusterConfig): ClusterIssue[] {
  const issues: ClusterIssue[] = [];
  const { cpu, memory, replicas: brokerCount } = cluster;
  if (parsesAsQuantity(memory)) {
    const containerMiB = containerMemoryMiB(memory);
    if (containerMiB < MIN_MEMORY_PER_CORE_MIB * cpu) {
      issues.push({
        path: ["cluster", "memory"],
        message: `expected at least ${MIN_MEMORY_PER_CORE_MIB * cpu}Mi (${MIN_MEMORY_PER_CORE_MIB / 1024}Gi per core) for cluster.cpu=${cpu}: Redpanda wants 2Gi per core and gets 80% of the container (--memory), got ${JSON.stringify(memory)} (${redpandaMemoryMiB(memory)}Mi for Redpanda)`,
      });
    }
  }
  if (cluster.storageClassProvisioner && !cluster.storageClass) {
    issues.push({
      path: ["cluster", "storageClass"],
      message: `expected the name of the StorageClass to declare with cluster.storageClassProvisioner ${JSON.stringify(cluster.storageClassProvisioner)}, got none`,
    });
  }
  if (cluster.cpuManagerPolicy === "static" && cluster.overprovisioned) {
    issues.push({
      path: ["cluster", "cpuManagerPolicy"],
      message: `expected "none" with cluster.overprovisioned: true: the static CPU manager gives exclusive cores only to Guaranteed pods, and overprovisioned brokers request a fraction of a core (Burstable), got "static"`,
    });
  }

  const grace = cluster.terminationGracePeriodSeconds;
  if (grace < MIN_TERMINATION_GRACE_SECONDS) {
    issues.push({
      path: ["cluster", "terminationGracePeriodSeconds"],
      message: `expected at least ${MIN_TERMINATION_GRACE_SECONDS}: the preStop drain gets the grace period minus ${SHUTDOWN_MARGIN_SECONDS}s kept for Redpanda's shutdown, got ${grace}`,
    });
  }

  const external = cluster.external;
  if (external.enabled) {
    const { type, advertisedHost: host } = external;
    if (host === undefined) {
      issues.push({
        path: ["cluster", "external", "advertisedHost"],
        message: `is required when cluster.external.enabled is true: expected the host clients outside the cluster reach the brokers at (for NodePort a node address such as the output of 'minikube ip'; for LoadBalancer a DNS name containing ${ORDINAL_PLACEHOLDER})`,
      });
    } else if (!HOSTNAME.test(host.split(ORDINAL_PLACEHOLDER).join("0"))) {
      issues.push({
        path: ["cluster", "external", "advertisedHost"],
        message: `expected a DNS name or IPv4 address, optionally with ${ORDINAL_PLACEHOLDER} for the pod ordinal, got ${JSON.stringify(host)}`,
      });
    } else if (type === "LoadBalancer" && brokerCount > 1 && !host.includes(ORDINAL_PLACEHOLDER)) {
      issues.push({
        path: ["cluster", "external", "advertisedHost"],
        message: `expected a name containing ${ORDINAL_PLACEHOLDER} with type LoadBalancer: every broker gets its own load balancer and so its own address, got ${JSON.stringify(host)}`,
      });
    }
    // A load balancer puts the brokers on a network address outside the cluster: without TLS and
    // SASL anyone who reaches it can read, write and delete topics.
    if (type === "LoadBalancer" && !external.allowPlaintext) {
      for (const layer of ["tls", "sasl"] as const) {
        if (!external[layer].enabled) {
          issues.push({
            path: ["cluster", "external", layer, "enabled"],
            message: `expected true for a LoadBalancer listener (${layer === "tls" ? "TLS" : "SASL/SCRAM"} protects brokers reachable from outside the cluster), or set apphub-streaming:cluster.external.allowPlaintext: true to accept a plaintext, unauthenticated listener; got false`,
          });
        }
      }
    }
    const lastPort = external.basePort + brokerCount - 1;
    if (
      type === "NodePort" &&
      (external.basePort < NODE_PORT_RANGE.min || lastPort > NODE_PORT_RANGE.max)
    ) {
      issues.push({
        path: ["cluster", "external", "basePort"],
        message: `expected basePort..basePort+${brokerCount - 1} (one port per broker) inside the NodePort range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}, got ${external.basePort}..${lastPort}`,
      });
    } else if (lastPort > 65535) {
      issues.push({
        path: ["cluster", "external", "basePort"],
        message: `expected basePort+${brokerCount - 1} (one port per broker) to stay a TCP port (at most 65535), got ${lastPort}`,
      });
    }
  }
  return issues;
}
