/**
 * What `pulumi up` runs (through `src/index.ts`) and what the offline render runs under mocks:
 * validates the whole stack config from the Pulumi runtime, before declaring anything, then
 * declares the components for the stack's environment and returns the stack outputs.
 */
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { rawFromPulumiConfig, runtimeSecretKeys } from "./config/load";
import { isRecord } from "./config/values";
import { CONFIG_NAMESPACE, formatIssues, parseStackConfig } from "./config/schema";
import { declareStreamingBackbone, type StackOutputs } from "./program";
import * as pulumi from "./pulumi";

export async function runStack(): Promise<StackOutputs> {
  const raw = rawFromPulumiConfig(pulumi.allConfig());
  // `isConfigSecret` is public in the SDK's JavaScript but left out of its typings.
  const { isConfigSecret } = runtimeConfig as unknown as {
    isConfigSecret: (key: string) => boolean;
  };
  const secretKeys = runtimeSecretKeys(Object.keys(raw), isConfigSecret);
  const result = parseStackConfig(raw, process.env, { secretKeys, stack: pulumi.getStack() });
  if (!result.ok) {
    // A RunError is reported by the CLI as its message alone, without a stack trace.
    throw new pulumi.RunError(formatIssues(result.issues));
  }
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const kafkaSaslPassword = config.getSecret("kafkaSaslPassword");
  const backupSecretAccessKey = config.getSecret("backupSecretAccessKey");
  const sequencerDbPassword = config.getSecret("sequencerDbPassword");
  const kafkaUserPasswords = userPasswords(raw.kafkaUserPasswords, config);
  return declareStreamingBackbone(result.config, {
    ...(kafkaSaslPassword ? { kafkaSaslPassword } : {}),
    ...(kafkaUserPasswords ? { kafkaUserPasswords } : {}),
    ...(backupSecretAccessKey ? { backupSecretAccessKey } : {}),
    ...(sequencerDbPassword ? { sequencerDbPassword } : {}),
  });
}

/**
 * `kafkaUserPasswords` as one secret per user. Which users have one is read from the raw
 * config (the names are not secret); each value stays inside the secret output.
 */
function userPasswords(
  raw: unknown,
  config: pulumi.Config,
): Record<string, pulumi.Output<string>> | undefined {
  const all = config.getSecretObject<Record<string, string>>("kafkaUserPasswords");
  if (!all || !isRecord(raw)) return undefined;
  return Object.fromEntries(
    Object.keys(raw).map((name) => [name, all.apply((passwords) => String(passwords[name]))]),
  );
}
