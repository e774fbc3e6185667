/**
 * Builders of the RedpandaCluster component (`components/RedpandaCluster.ts`): the objects of
 * `buildClusterManifests` declared under the component, in the order the brokers need them.
 * The listener's TLS is in `tls.ts`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/schema";
import type { Scope } from "../declare";
import { SUPERUSER_SECRET_NAME } from "./constants";
import type { ClusterManifests, Meta } from "./manifests";
import { REPLICA_GUARD_VERSION, ReplicaGuard } from "./replicaGuard";

/** The manifests of one cluster, and where to declare them. */
export interface ClusterScope extends Scope {
  manifests: ClusterManifests;
}

/** A Secret's metadata: the cluster's labels and namespace under `secretName`. */
export function secretMeta(manifests: ClusterManifests, secretName: string): Meta {
  return { ...manifests.scripts.metadata, name: secretName };
}

/**
 * The scripts and topology ConfigMaps, the headless, client and public-metrics Services and,
 * when declared, the volumes' StorageClass. Returns what the pods need by name (the ConfigMaps,
 * the headless Service, the StorageClass).
 */
export function declareBrokerConfiguration({ name, parent, manifests }: ClusterScope) {
  const scripts = new k8s.core.v1.ConfigMap(
    `${name}-scripts`,
    { metadata: manifests.scripts.metadata, data: manifests.scripts.data },
    { parent },
  );
  const topology = new k8s.core.v1.ConfigMap(
    `${name}-topology`,
    { metadata: manifests.topology.metadata, data: manifests.topology.data },
    { parent },
  );
  const headless = new k8s.core.v1.Service(`${name}-headless`, pick(manifests.headlessService), {
    parent,
  });
  new k8s.core.v1.Service(`${name}-client`, pick(manifests.clientService), { parent });
  new k8s.core.v1.Service(`${name}-public-metrics`, pick(manifests.publicMetricsService), {
    parent,
  });
  // Kept when the stack goes: volumes outlive it, and other claims may use the class.
  const storageClass = manifests.storageClass
    ? [
        new k8s.storage.v1.StorageClass(`${name}-storage-class`, manifests.storageClass, {
          parent,
          retainOnDelete: true,
        }),
      ]
    : [];
  return [scripts, topology, headless, ...storageClass];
}

/** The external listener's SCRAM superuser: its password (a secret) and the Secret the pods read. */
export interface Superuser {
  password: pulumi.Output<string>;
  secret: k8s.core.v1.Secret;
}

/**
 * The bootstrap superuser's Secret, with `password` or, without one, a generated password
 * (no ':' in it: Redpanda splits `user:password:mechanism` on ':').
 */
export function declareSuperuser(
  { name, parent, manifests }: ClusterScope,
  sasl: ClusterConfig["external"]["sasl"],
  password: pulumi.Input<string> | undefined,
): Superuser {
  const { username, mechanism } = sasl;
  const generated = () =>
    new (require("@pulumi/random") as typeof import("@pulumi/random")).RandomPassword(
      `${name}-superuser-password`,
      { length: 32, special: false },
      { parent },
    ).result;
  const secretPassword = pulumi.secret(password ?? generated());
  const secret = new k8s.core.v1.Secret(
    `${name}-superuser`,
    {
      metadata: secretMeta(manifests, SUPERUSER_SECRET_NAME),
      type: "Opaque",
      stringData: {
        // Redpanda splits on ':' (user:password:mechanism), so a password must not contain one.
        RP_BOOTSTRAP_USER: pulumi.interpolate`${username}:${secretPassword}:${mechanism}`,
        username,
        password: secretPassword,
        mechanism,
      },
    },
    { parent },
  );
  return { password: secretPassword, secret };
}

/**
 * The brokers' StatefulSet, after everything its pods read by name and after the replica
 * guard, whose check refuses a lower broker count (before the StatefulSet changes) unless
 * acknowledged.
 */
export function declareBrokers(
  { name, parent, manifests }: ClusterScope,
  cluster: ClusterConfig,
  podInputs: pulumi.Resource[],
  protect: boolean,
): k8s.apps.v1.StatefulSet {
  const replicaGuard = new ReplicaGuard(
    `${name}-replicas`,
    {
      replicas: cluster.replicas,
      decreaseDecommissioned: cluster.replicasDecreaseDecommissioned,
      guardVersion: REPLICA_GUARD_VERSION,
    },
    { parent },
  );
  return new k8s.apps.v1.StatefulSet(`${name}-brokers`, pick(manifests.statefulSet), {
    parent,
    // The ConfigMaps, Secrets and Service are referenced by name, not by output: order them explicitly.
    dependsOn: [...podInputs, replicaGuard],
    protect,
  });
}

/** The PodDisruptionBudget and the NetworkPolicy of the brokers. */
export function declareBrokerPolicies({ name, parent, manifests }: ClusterScope): void {
  new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, pick(manifests.podDisruptionBudget), {
    parent,
  });
  new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, pick(manifests.networkPolicy), {
    parent,
  });
}

/** One Service per broker for the external listener, in ordinal order; none when it is off. */
export function declareExternalServices({
  name,
  parent,
  manifests,
}: ClusterScope): k8s.core.v1.Service[] {
  return manifests.externalServices.map(
    (service, ordinal) =>
      new k8s.core.v1.Service(`${name}-external-${ordinal}`, pick(service), { parent }),
  );
}

/**
 * The seed's alert rules as a PrometheusRule and the ServiceMonitor that scrapes the brokers,
 * each when `cluster.monitoring` asks for it.
 */
export function declareMonitoring({ name, parent, manifests }: ClusterScope): void {
  if (manifests.prometheusRule)
    new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      { ...manifests.prometheusRule },
      { parent },
    );
  if (manifests.serviceMonitor)
    new k8s.apiextensions.CustomResource(
      `${name}-service-monitor`,
      { ...manifests.serviceMonitor },
      { parent },
    );
}

function pick<Spec>(manifest: { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: Spec }) {
  return { metadata: manifest.metadata, spec: manifest.spec };
}
