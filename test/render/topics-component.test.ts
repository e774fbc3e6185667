// TopicBootstrap as the engine receives it: the real program rendered under Pulumi's mocks,
// in-process. One dynamic KafkaTopic resource per catalog topic, named after it, with the
// inputs `npm run diff` and the provider read.
import { describe, expect, it } from "vitest";
import type { RenderedResource } from "../../src/render/write";
import { PROVIDER_VERSION } from "../../src/topics/model";
import { SEED_TOPICS } from "../../src/topics/catalog";
import {
  renderRepoStack,
  renderStackYaml,
  resourcesOfType,
  type RenderResult,
} from "../support/render";

const KAFKA_TOPIC = "pulumi-nodejs:dynamic/streaming:KafkaTopic";

function topicsOf(result: RenderResult): RenderedResource[] {
  if (result.status !== 0) throw new Error(`render failed (${result.status}): ${result.stderr}`);
  return resourcesOfType(result, KAFKA_TOPIC);
}

function topic(result: RenderResult, name: string): RenderedResource {
  const found = topicsOf(result).find((resource) => resource.name === name);
  if (!found) throw new Error(`no KafkaTopic ${name}`);
  return found;
}

const MINIKUBE = (extra: string) => `config:
  apphub-streaming:environment: minikube
  apphub-streaming:backup:
    enabled: false
  apphub-streaming:kafka:
    brokers: ["10.0.0.1:31092"]
${extra}`;

describe("TopicBootstrap in the prod stack", () => {
  const prod = renderRepoStack("prod");

  it("declares one KafkaTopic per seed topic, named after it, under the component", () => {
    const topics = topicsOf(prod);
    expect(topics.map((resource) => resource.name).sort()).toEqual(
      SEED_TOPICS.map((seed) => seed.name).sort(),
    );
    const bootstrap = prod.resources.filter(
      (resource) => resource.type === "apphub:streaming:TopicBootstrap",
    );
    expect(bootstrap).toHaveLength(1);
    for (const resource of topics) expect(resource.parent).toBe(bootstrap[0]?.name);
  });

  it("gives each topic the inputs the provider and npm run diff read, retention as a config string", () => {
    const telemetry = topic(prod, "apphub.ingestion.telemetry");
    expect(telemetry.inputs).toMatchObject({
      name: "apphub.ingestion.telemetry",
      partitions: 6,
      replicationFactor: 3,
      config: { "retention.ms": "259200000" },
      deletionPolicy: "retain",
      providerVersion: PROVIDER_VERSION,
      // Through prod's secured external listener: TLS and the SCRAM superuser (issue 12).
      connection: {
        clientId: "apphub-streaming-bootstrap",
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30000,
        tls: { enabled: true, rejectUnauthorized: true },
        sasl: { mechanism: "scram-sha-256", username: "apphub-admin" },
      },
    });
    expect(telemetry.inputs.__provider).toMatch(/^\[serialized provider: \d+ characters\]$/);
    expect(topic(prod, "apphub.core.events").inputs.config).toEqual({
      "retention.ms": "604800000",
    });
  });

  it("protects and retains prod topics, waits for the brokers, and keeps the SASL password output secret", () => {
    for (const resource of topicsOf(prod)) {
      expect(resource.options.protect).toBe(true);
      expect(resource.options.retainOnDelete).toBe(true);
      expect(resource.options.additionalSecretOutputs).toEqual(["saslPassword"]);
      expect(resource.dependsOn.length).toBeGreaterThan(0);
    }
  });
});

describe("TopicBootstrap from stack config", () => {
  it("carries a retention edit and extra configs into that topic's config only", async () => {
    const result = await renderStackYaml(
      "minikube",
      MINIKUBE(`  apphub-streaming:topics:
    apphub.jobs.runs:
      retentionMs: 172800000
      config:
        cleanup.policy: compact
        min.insync.replicas: 2
`),
    );
    expect(topic(result, "apphub.jobs.runs").inputs.config).toEqual({
      "cleanup.policy": "compact",
      "min.insync.replicas": "2",
      "retention.ms": "172800000",
    });
    expect(topic(result, "apphub.workflows.runs").inputs.config).toEqual({
      "retention.ms": "604800000",
    });
    expect(topic(result, "apphub.jobs.runs").inputs.connection).toMatchObject({
      brokers: ["10.0.0.1:31092"],
    });
  });

  it("lets the engine delete only topics whose deletionPolicy is delete, and does not protect minikube topics", async () => {
    const result = await renderStackYaml(
      "minikube",
      MINIKUBE(`  apphub-streaming:topics:
    apphub.streaming.input:
      deletionPolicy: delete
`),
    );
    expect(topic(result, "apphub.streaming.input").options.retainOnDelete).toBe(false);
    expect(topic(result, "apphub.streaming.input").inputs.deletionPolicy).toBe("delete");
    expect(topic(result, "apphub.core.events").options.retainOnDelete).toBe(true);
    expect(topic(result, "apphub.core.events").options.protect).toBe(false);
  });

  // The offline render replaces stack secrets with "[secret]" before the program sees them;
  // test/integration/provider.test.ts proves with a real value that the input stays masked.
  it("passes the SASL user in the connection and the password as its own input", async () => {
    const result = await renderStackYaml(
      "minikube",
      MINIKUBE(`    sasl:
      mechanism: scram-sha-512
      username: bootstrap
  apphub-streaming:kafkaSaslPassword:
    secure: v1:AAAAAAAAAAAAAAAA
`),
    );
    const core = topic(result, "apphub.core.events");
    expect(core.inputs.saslPassword).toBe("[secret]");
    expect(core.inputs.connection).toMatchObject({
      sasl: { mechanism: "scram-sha-512", username: "bootstrap" },
    });
  });

  it("refuses a SASL user without a password before declaring any topic", async () => {
    const result = await renderStackYaml(
      "minikube",
      MINIKUBE(`    sasl:
      mechanism: plain
      username: bootstrap
`),
    );
    // The stack config's own rule refuses it (exit 2, one report), before the component runs.
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "apphub-streaming:kafkaSaslPassword: expected the SASL password (apphub-streaming:kafkaSaslPassword, a Pulumi secret) because kafka.sasl is set: run pulumi config set --secret apphub-streaming:kafkaSaslPassword <value> --stack minikube",
    );
    expect(resourcesOfType(result, KAFKA_TOPIC)).toEqual([]);
  });
});
