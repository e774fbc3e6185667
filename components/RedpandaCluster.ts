import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { externalBrokers } from "../src/cluster/addresses";
import {
  CLIENT_SERVICE_NAME,
  clientServiceFqdn,
  EXTERNAL_TLS_SECRET_NAME,
  PORTS,
  SUPERUSER_SECRET_NAME,
} from "../src/cluster/constants";
import { REPLICA_GUARD_VERSION, ReplicaGuard } from "../src/cluster/replicaGuard";
import {
  buildClusterManifests,
  externalTlsNames,
  saslEnabled,
  tlsEnabled,
  type Meta,
} from "../src/cluster/manifests";
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
    const manifests = buildClusterManifests(namespace, args.cluster);
    const child = { parent: this };

    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      { metadata: manifests.scripts.metadata, data: manifests.scripts.data },
      child,
    );
    const topology = new k8s.core.v1.ConfigMap(
      `${name}-topology`,
      { metadata: manifests.topology.metadata, data: manifests.topology.data },
      child,
    );
    const headless = new k8s.core.v1.Service(
      `${name}-headless`,
      pick(manifests.headlessService),
      child,
    );
    new k8s.core.v1.Service(`${name}-client`, pick(manifests.clientService), child);
    new k8s.core.v1.Service(`${name}-public-metrics`, pick(manifests.publicMetricsService), child);

    // Objects the pods mount or read by name: the StatefulSet must come after them.
    const podInputs: pulumi.Resource[] = [scripts, topology, headless];
    let externalCaCertificate: pulumi.Output<string | undefined> = pulumi.output(undefined);
    let superuserPassword: pulumi.Output<string> | undefined;
    const secretMeta = (secretName: string): Meta => ({
      ...manifests.scripts.metadata,
      name: secretName,
    });
    if (manifests.certificate) {
      podInputs.push(
        new k8s.apiextensions.CustomResource(
          `${name}-external-certificate`,
          { ...manifests.certificate },
          child,
        ),
      );
    } else if (tlsEnabled(args.cluster)) {
      const tlsMaterial = selfSignedListenerCertificate(name, args.cluster, this);
      externalCaCertificate = tlsMaterial.caCertPem;
      podInputs.push(
        new k8s.core.v1.Secret(
          `${name}-external-tls`,
          {
            metadata: secretMeta(EXTERNAL_TLS_SECRET_NAME),
            type: "kubernetes.io/tls",
            stringData: {
              "tls.crt": tlsMaterial.certPem,
              "tls.key": tlsMaterial.keyPem,
              "ca.crt": tlsMaterial.caCertPem,
            },
          },
          child,
        ),
      );
    }
    if (saslEnabled(args.cluster)) {
      const { username, mechanism } = args.cluster.external.sasl;
      // Without a configured password one is generated (no ':' in it: Redpanda splits on ':').
      const generated = () =>
        new (require("@pulumi/random") as typeof import("@pulumi/random")).RandomPassword(
          `${name}-superuser-password`,
          { length: 32, special: false },
          child,
        ).result;
      const password = pulumi.secret(args.superuserPassword ?? generated());
      superuserPassword = password;
      podInputs.push(
        new k8s.core.v1.Secret(
          `${name}-superuser`,
          {
            metadata: secretMeta(SUPERUSER_SECRET_NAME),
            type: "Opaque",
            stringData: {
              // Redpanda splits on ':' (user:password:mechanism), so a password must not contain one.
              RP_BOOTSTRAP_USER: pulumi.interpolate`${username}:${password}:${mechanism}`,
              username,
              password,
              mechanism,
            },
          },
          child,
        ),
      );
    }

    // Its check refuses a lower broker count (before the StatefulSet changes) unless acknowledged.
    const replicaGuard = new ReplicaGuard(
      `${name}-replicas`,
      {
        replicas: args.cluster.replicas,
        decreaseDecommissioned: args.cluster.replicasDecreaseDecommissioned,
        guardVersion: REPLICA_GUARD_VERSION,
      },
      child,
    );
    const statefulSet = new k8s.apps.v1.StatefulSet(
      `${name}-brokers`,
      pick(manifests.statefulSet),
      {
        ...child,
        // The ConfigMaps, Secrets and Service are referenced by name, not by output: order them explicitly.
        dependsOn: [...podInputs, replicaGuard],
        protect: args.protect ?? false,
      },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      pick(manifests.podDisruptionBudget),
      child,
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-network-policy`,
      pick(manifests.networkPolicy),
      child,
    );
    const external = manifests.externalServices.map(
      (service, ordinal) =>
        new k8s.core.v1.Service(`${name}-external-${ordinal}`, pick(service), child),
    );
    if (manifests.prometheusRule) {
      new k8s.apiextensions.CustomResource(
        `${name}-alerts`,
        { ...manifests.prometheusRule },
        child,
      );
    }

    this.bootstrapServers = pulumi.output(`${CLIENT_SERVICE_NAME}:${PORTS.kafka}`);
    this.externalBrokers = pulumi.output(externalBrokers(args.cluster));
    this.adminUrl = pulumi.output(
      `http://${clientServiceFqdn(namespace, args.cluster.clusterDomain)}:${PORTS.admin}`,
    );
    this.readyResources = [statefulSet, ...external];
    this.externalCaCertificate = externalCaCertificate;
    if (superuserPassword) this.superuserPassword = superuserPassword;
    this.registerOutputs({
      bootstrapServers: this.bootstrapServers,
      externalBrokers: this.externalBrokers,
      adminUrl: this.adminUrl,
      externalCaCertificate: this.externalCaCertificate,
    });
  }
}

/**
 * A CA and a server certificate for the external listener, made with @pulumi/tls when no
 * cert-manager issuer is configured. Keys live in the (encrypted) Pulumi state and the
 * Kubernetes Secret only. `pulumi up` renews the server certificate within 30 days of expiry.
 */
function selfSignedListenerCertificate(
  name: string,
  cluster: ClusterConfig,
  parent: pulumi.Resource,
) {
  // Loaded here so stacks without TLS (minikube) never load the tls provider.
  const tls = require("@pulumi/tls") as typeof import("@pulumi/tls");
  const child = { parent };
  const caKey = new tls.PrivateKey(
    `${name}-external-ca-key`,
    { algorithm: "ECDSA", ecdsaCurve: "P256" },
    child,
  );
  const ca = new tls.SelfSignedCert(
    `${name}-external-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: 10 * 365 * 24,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      subject: { commonName: "apphub-redpanda external listener CA", organization: "AppHub" },
    },
    child,
  );
  const serverKey = new tls.PrivateKey(
    `${name}-external-key`,
    { algorithm: "ECDSA", ecdsaCurve: "P256" },
    child,
  );
  const names = externalTlsNames(cluster);
  const request = new tls.CertRequest(
    `${name}-external-csr`,
    {
      privateKeyPem: serverKey.privateKeyPem,
      dnsNames: names.dnsNames,
      ipAddresses: names.ipAddresses,
      subject: {
        commonName: names.dnsNames[0] ?? names.ipAddresses[0] ?? "apphub-redpanda",
        organization: "AppHub",
      },
    },
    child,
  );
  const cert = new tls.LocallySignedCert(
    `${name}-external-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: 365 * 24,
      earlyRenewalHours: 30 * 24,
      allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
    },
    child,
  );
  return {
    caCertPem: ca.certPem,
    certPem: cert.certPem,
    keyPem: pulumi.secret(serverKey.privateKeyPem),
  };
}

function pick<Spec>(manifest: { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: Spec }) {
  return { metadata: manifest.metadata, spec: manifest.spec };
}
