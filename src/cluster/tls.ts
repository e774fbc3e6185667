/**
 * The external listener's TLS for the RedpandaCluster component: a cert-manager Certificate
 * when an issuer is configured, else a CA and server certificate made with @pulumi/tls and
 * stored in the listener's Secret. Keys live in the (encrypted) Pulumi state and the
 * Kubernetes Secret only.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/schema";
import type { Scope } from "../declare";
import { EXTERNAL_TLS_SECRET_NAME, STATEFULSET_NAME } from "./constants";
import { secretMeta, type ClusterScope } from "./declare";
import { externalTlsNames, tlsEnabled } from "./manifests";

/** What the brokers' pods need for the listener's TLS, and the CA clients outside trust. */
export interface ListenerTls {
  /** The Certificate or Secret the pods mount by name: the StatefulSet must come after them. */
  podInputs: pulumi.Resource[];
  /** PEM of the CA made here; undefined with cert-manager or without TLS. */
  caCertPem: pulumi.Output<string | undefined>;
}

/** The listener's certificate, by cert-manager or self-signed; nothing when TLS is off. */
export function declareTls(scope: ClusterScope, cluster: ClusterConfig): ListenerTls {
  const { name, parent, manifests } = scope;
  if (manifests.certificate) {
    const certificate = new k8s.apiextensions.CustomResource(
      `${name}-external-certificate`,
      { ...manifests.certificate },
      { parent },
    );
    return { podInputs: [certificate], caCertPem: pulumi.output(undefined) };
  }
  if (!tlsEnabled(cluster)) return { podInputs: [], caCertPem: pulumi.output(undefined) };
  const material = declareSelfSignedCertificate(scope, cluster);
  const secret = new k8s.core.v1.Secret(
    `${name}-external-tls`,
    {
      metadata: secretMeta(manifests, EXTERNAL_TLS_SECRET_NAME),
      type: "kubernetes.io/tls",
      stringData: {
        "tls.crt": material.certPem,
        "tls.key": material.keyPem,
        "ca.crt": material.caCertPem,
      },
    },
    { parent },
  );
  return { podInputs: [secret], caCertPem: material.caCertPem };
}

interface CertificateMaterial {
  caCertPem: pulumi.Output<string>;
  certPem: pulumi.Output<string>;
  /** A Pulumi secret. */
  keyPem: pulumi.Output<string>;
}

/** The subject organization of the listener's certificates. */
const ORGANIZATION = "AppHub";

// Loaded on use, so stacks without TLS (minikube) never load the tls provider.
const tlsProvider = () => require("@pulumi/tls") as typeof import("@pulumi/tls");

/**
 * A CA and a server certificate for the listener's names. `pulumi up` renews the server
 * certificate within 30 days of expiry.
 */
function declareSelfSignedCertificate(scope: Scope, cluster: ClusterConfig): CertificateMaterial {
  const { name, parent } = scope;
  const tls = tlsProvider();
  const ca = declareListenerCa(scope);
  const serverKey = new tls.PrivateKey(
    `${name}-external-key`,
    { algorithm: "ECDSA", ecdsaCurve: "P256" },
    { parent },
  );
  const names = externalTlsNames(cluster);
  const request = new tls.CertRequest(
    `${name}-external-csr`,
    {
      privateKeyPem: serverKey.privateKeyPem,
      dnsNames: names.dnsNames,
      ipAddresses: names.ipAddresses,
      subject: {
        commonName: names.dnsNames[0] ?? names.ipAddresses[0] ?? STATEFULSET_NAME,
        organization: ORGANIZATION,
      },
    },
    { parent },
  );
  const cert = new tls.LocallySignedCert(
    `${name}-external-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: 365 * 24,
      earlyRenewalHours: 30 * 24,
      allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
    },
    { parent },
  );
  return {
    caCertPem: ca.certPem,
    certPem: cert.certPem,
    keyPem: pulumi.secret(serverKey.privateKeyPem),
  };
}

/** The listener's own CA: an ECDSA key and a ten-year self-signed certificate. */
function declareListenerCa({ name, parent }: Scope) {
  const tls = tlsProvider();
  const key = new tls.PrivateKey(
    `${name}-external-ca-key`,
    { algorithm: "ECDSA", ecdsaCurve: "P256" },
    { parent },
  );
  const cert = new tls.SelfSignedCert(
    `${name}-external-ca`,
    {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: 10 * 365 * 24,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      subject: {
        commonName: `${STATEFULSET_NAME} external listener CA`,
        organization: ORGANIZATION,
      },
    },
    { parent },
  );
  return { keyPem: key.privateKeyPem, certPem: cert.certPem };
}
