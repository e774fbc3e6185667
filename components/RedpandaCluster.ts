import * as pulumi from "@pulumi/pulumi";
import { externalBrokers } from "../src/cluster/addresses";
import { CLIENT_SERVICE_NAME, clientServiceFqdn, PORTS } from "../src/cluster/constants";
import {
  declareBrokerConfiguration,
  declareBrokerPolicies,
  declareBrokers,
  declareExternalServices,
  declareMonitoring,
  declareSuperuser,
} from "../src/cluster/declare";
import { buildClusterManifests, saslEnabled } from "../src/cluster/manifests";
import { declareTls } from "../src/cluster/tls";
import type { ClusterConfig } from "../src/config/schema";
import { DEFAULT_NAMESPACE } from "../src/config/schema";
import { planFor } from "../src/declare";

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
  /**
   * Password of the external listener's SCRAM superuser (`cluster.external.sasl.username`), a
   * Pulumi secret (stack config `kafkaSaslPassword`). Default: a generated one (@pulumi/random),
   * exported as the secret output `superuserPassword`.
   */
  superuserPassword?: pulumi.Input<string>;
}

/**
 * Redpanda on Kubernetes: the `apphub-redpanda` StatefulSet (one cluster founded by the full
 * seed list, drained on every restart), its client and headless Services, a PodDisruptionBudget,
 * a NetworkPolicy, per-broker external Services when enabled, the seed's alert rules and a
 * ServiceMonitor (when the Prometheus Operator runs there). Uses
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
  /**
   * PEM of the CA that signed the external listener's certificate when this component made it
   * (no cert-manager issuer configured); undefined otherwise. Clients outside the cluster trust it.
   */
  public readonly externalCaCertificate: pulumi.Output<string | undefined>;
  /** The SCRAM superuser's password (a secret) when `cluster.external.sasl.enabled`. */
  public readonly superuserPassword?: pulumi.Output<string>;

  constructor(name: string, args: RedpandaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:RedpandaCluster", name, {}, opts);
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    const cluster = args.cluster;
    const manifests = planFor(this, () => buildClusterManifests(namespace, cluster));
    const scope = { name, parent: this, manifests };

    const configuration = declareBrokerConfiguration(scope);
    const tls = declareTls(scope, cluster);
    const superuser = saslEnabled(cluster)
      ? declareSuperuser(scope, cluster.external.sasl, args.superuserPassword)
      : undefined;
    const statefulSet = declareBrokers(
      scope,
      cluster,
      [...configuration, ...tls.podInputs, ...(superuser ? [superuser.secret] : [])],
      args.protect ?? false,
    );
    declareBrokerPolicies(scope);
    const external = declareExternalServices(scope);
    declareMonitoring(scope);

    this.bootstrapServers = pulumi.output(`${CLIENT_SERVICE_NAME}:${PORTS.kafka}`);
    this.externalBrokers = pulumi.output(planFor(this, () => externalBrokers(cluster)));
    this.adminUrl = pulumi.output(
      `http://${clientServiceFqdn(namespace, cluster.clusterDomain)}:${PORTS.admin}`,
    );
    this.readyResources = [statefulSet, ...external];
    this.externalCaCertificate = tls.caCertPem;
    if (superuser) this.superuserPassword = superuser.password;
    this.registerOutputs({
      bootstrapServers: this.bootstrapServers,
      externalBrokers: this.externalBrokers,
      adminUrl: this.adminUrl,
      externalCaCertificate: this.externalCaCertificate,
    });
  }
}
