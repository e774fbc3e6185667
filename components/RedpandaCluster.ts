import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { externalBrokers } from "../src/cluster/addresses";
import { CLIENT_SERVICE_NAME, clientServiceFqdn, PORTS } from "../src/cluster/constants";
import { buildClusterManifests } from "../src/cluster/manifests";
import type { ClusterConfig } from "../src/config/schema";
import { DEFAULT_NAMESPACE } from "../src/config/schema";

/** Arguments of {@link RedpandaCluster}. */
export interface RedpandaClusterArgs {
  /** Namespace of every object; it must exist. Default: `apphub-system`. */
  namespace?: string;
  /**
   * Broker count, image, sizing, storage, spreading, security, monitoring and external
   * listener settings: the resolved `cluster` section of the stack config (every default
   * applied, see docs/kubernetes.md).
   */
  cluster: ClusterConfig;
  /**
   * Protect the StatefulSet from deletion and replacement (a replacement restarts every broker
   * at once). Broker volumes are retained either way. Default: `false`.
   */
  protect?: boolean;
}

/**
 * Redpanda on Kubernetes: the `apphub-redpanda` StatefulSet (one cluster founded by the full
 * seed list, drained on every restart), its client and headless Services, a PodDisruptionBudget,
 * a NetworkPolicy, per-broker external Services when enabled and the seed's alert rules. Uses
 * the ambient Kubernetes provider (stack config `kubernetes:context`).
 */
export class RedpandaCluster extends pulumi.ComponentResource {
  /** In-cluster bootstrap address, `apphub-redpanda:9092`. */
  public readonly bootstrapServers: pulumi.Output<string>;
  /** Brokers reachable from where `pulumi up` runs (external listener), `[]` when disabled. */
  public readonly externalBrokers: pulumi.Output<string[]>;
  /** Admin API URL of the client Service. */
  public readonly adminUrl: pulumi.Output<string>;
  /**
   * Resources that are ready only when every broker is: the StatefulSet (the provider awaits
   * all replicas ready and updated) and the external Services. Topics and env patches depend on them.
   */
  public readonly readyResources: pulumi.Resource[];

  constructor(name: string, args: RedpandaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:RedpandaCluster", name, {}, opts);
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    const manifests = buildClusterManifests(namespace, args.cluster);
    const child = { parent: this };

    const scripts = new k8s.core.v1.ConfigMap(`${name}-scripts`, { metadata: manifests.scripts.metadata, data: manifests.scripts.data }, child);
    const headless = new k8s.core.v1.Service(`${name}-headless`, pick(manifests.headlessService), child);
    new k8s.core.v1.Service(`${name}-client`, pick(manifests.clientService), child);
    const statefulSet = new k8s.apps.v1.StatefulSet(`${name}-brokers`, pick(manifests.statefulSet), {
      ...child,
      // The ConfigMap and Service are referenced by name, not by output: order them explicitly.
      dependsOn: [scripts, headless],
      protect: args.protect ?? false,
    });
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, pick(manifests.podDisruptionBudget), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, pick(manifests.networkPolicy), child);
    const external = manifests.externalServices.map(
      (service, ordinal) => new k8s.core.v1.Service(`${name}-external-${ordinal}`, pick(service), child),
    );
    if (manifests.prometheusRule) {
      new k8s.apiextensions.CustomResource(`${name}-alerts`, { ...manifests.prometheusRule }, child);
    }

    this.bootstrapServers = pulumi.output(`${CLIENT_SERVICE_NAME}:${PORTS.kafka}`);
    this.externalBrokers = pulumi.output(externalBrokers(args.cluster));
    this.adminUrl = pulumi.output(`http://${clientServiceFqdn(namespace)}:${PORTS.admin}`);
    this.readyResources = [statefulSet, ...external];
    this.registerOutputs({ bootstrapServers: this.bootstrapServers, externalBrokers: this.externalBrokers, adminUrl: this.adminUrl });
  }
}

function pick<Spec>(manifest: { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: Spec }) {
  return { metadata: manifest.metadata, spec: manifest.spec };
}
