/**
 * Stack config fixtures for tests: parse wrappers that fail loudly when the config is not what
 * the test expects, and the basics a Kubernetes stack (minikube, prod) needs to be accepted,
 * as raw config and as stack YAML.
 */
import { parseStackConfig, type ConfigIssue, type StackConfig } from "../../src/config/schema";
import { SEED_TOPICS } from "../../src/topics/catalog";

/**
 * `apphub-streaming:topics` entries that switch every seed topic off (`null`), so a stack
 * declares only the topics a test or bench adds beside them.
 */
export function seedTopicsOff(): Record<string, null> {
  return Object.fromEntries(SEED_TOPICS.map((seed) => [seed.name, null]));
}

/** Parses raw stack config the test expects to be accepted. */
export function validConfig(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
): StackConfig {
  const result = parseStackConfig(raw, env);
  if (!result.ok) throw new Error(`expected valid config, got ${JSON.stringify(result.issues)}`);
  return result.config;
}

/** Parses raw stack config the test expects to be refused, and returns what was wrong with it. */
export function configIssues(raw: Record<string, unknown>): ConfigIssue[] {
  const result = parseStackConfig(raw);
  if (result.ok) throw new Error("expected the config to be refused");
  return result.issues;
}

/**
 * Kubernetes stack basics: a bucket for the default-on backups, and where `pulumi up` reaches
 * the brokers (required on Kubernetes stacks unless the external listener is on).
 */
export const KUBE_BASICS = {
  backup: { bucketName: "apphub-snapshots" },
  kafka: { brokers: ["10.0.0.1:31092", "10.0.0.1:31093", "10.0.0.1:31094"] },
};

/**
 * `cluster.external` of a prod LoadBalancer listener, one port per broker from 9094, with
 * `extra` (TLS, SASL, allowPlaintext, another advertised host...) merged in.
 */
export function loadBalancerListener(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    type: "LoadBalancer",
    basePort: 9094,
    advertisedHost: "redpanda-{ordinal}.kafka.example.com",
    ...extra,
  };
}

/** The same listener secured as prod requires: TLS and SASL on. */
export const SECURED = { tls: { enabled: true }, sasl: { enabled: true } };

/**
 * Stack YAML for a Kubernetes stack: the config header, the environment and KUBE_BASICS, then
 * `extraLines` (indented as in a stack file: `  apphub-streaming:<key>:` for a top-level key).
 */
export function kubeStackYaml(environment: "minikube" | "prod", extraLines: string[] = []): string {
  return [
    "config:",
    `  apphub-streaming:environment: ${environment}`,
    "  apphub-streaming:backup:",
    `    bucketName: ${KUBE_BASICS.backup.bucketName}`,
    "  apphub-streaming:kafka:",
    `    brokers: [${KUBE_BASICS.kafka.brokers.map((broker) => `'${broker}'`).join(", ")}]`,
    ...extraLines,
    "",
  ].join("\n");
}
