/**
 * What `pulumi up` runs (through `src/index.ts`) and what the offline render runs under mocks:
 * validates the whole stack config from the Pulumi runtime, before declaring anything, then
 * declares the components for the stack's environment and returns the stack outputs.
 */
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { rawFromPulumiConfig, runtimeSecretKeys } from "./config/load";
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
  return declareStreamingBackbone(result.config, {
    ...(kafkaSaslPassword ? { kafkaSaslPassword } : {}),
    ...(backupSecretAccessKey ? { backupSecretAccessKey } : {}),
    ...(sequencerDbPassword ? { sequencerDbPassword } : {}),
  });
}
