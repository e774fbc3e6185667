/**
 * Plain-Node helper (run compiled: `node dist/test/serialization/serialize-provider.js <out.json>`).
 *
 * Declares a real `TopicBootstrap` (with a SASL password secret) under Pulumi's mock runtime,
 * through the same capture the render command uses, and records what the engine would receive
 * for each topic: the provider text (`__provider`, the shim of src/topics/provider.ts) and the
 * other inputs with secrets masked. A child process, as the program runs: compiled JS under
 * plain Node (vitest's module transform also breaks Pulumi's serialization, SPEC "Pulumi facts").
 *
 * Writes `{ text, containsSecrets, declared: [{ name, provider, inputs, options }] }`; `text` is
 * the first topic's provider text, `containsSecrets` whether any declared provider text holds a
 * secret (the password).
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { TopicBootstrap } from "../../components/TopicBootstrap";
import { captureProgram } from "../../src/render/capture";

const SASL_PASSWORD = process.env.SERIALIZATION_SASL_PASSWORD ?? "s3rialization-test-password";

async function main(outFile: string): Promise<void> {
  const capture = await captureProgram("serialization", { environment: "dev" }, [], () => {
    new TopicBootstrap("serialization", {
      topics: [
        {
          name: "serialization.example",
          partitions: 3,
          replicationFactor: 1,
          retentionMs: 604800000,
          config: {},
          deletionPolicy: "retain",
        },
      ],
      brokers: ["127.0.0.1:19092"],
      kafka: {
        clientId: "serialization",
        connectTimeoutMs: 1000,
        requestTimeoutMs: 5000,
        tls: { enabled: false, rejectUnauthorized: true },
        sasl: { mechanism: "scram-sha-512", username: "bootstrap" },
      },
      saslPassword: pulumi.secret(SASL_PASSWORD),
    });
    return {};
  });
  const declared = capture.resources
    .filter((resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic")
    .map(({ name, inputs, options }) => {
      const { __provider: provider, ...rest } = inputs;
      return { name, provider: String(provider), inputs: rest, options };
    });
  fs.writeFileSync(
    outFile,
    JSON.stringify({
      text: declared[0]?.provider ?? "",
      containsSecrets: declared.some(({ provider }) => provider.includes(SASL_PASSWORD)),
      declared,
    }),
  );
}

main(process.argv[2] ?? "provider.json").then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
