/**
 * Pulumi entry point. Validates the whole stack config before declaring anything, then
 * composes the components for the stack's environment and exports the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { rawFromPulumiConfig } from "./config/load";
import { CONFIG_NAMESPACE, formatIssues, parseStackConfig } from "./config/schema";
import { declareStreamingBackbone, type StackOutputs } from "./program";

function run(): StackOutputs {
  const result = parseStackConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()), process.env);
  if (!result.ok) {
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

export = run();
