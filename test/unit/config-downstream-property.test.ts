/**
 * Every config the schema accepts is accepted downstream too: by the backup job's own settings
 * parser (reading the env the CronJob would carry), by the cluster's validation, by the topic
 * provider's `check`, and by core's reading of the streaming env. A bound written twice that
 * drifted apart (the backup job refusing `fullEveryHours: 9000` every hour, in the cluster)
 * fails here, not in production.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backupCronJob } from "../../src/backup/infra";
import { resolveSettings, SETTING_ENV } from "../../src/backup/settings";
import { CONTAINER_NAME, PATHS, STATEFULSET_NAME } from "../../src/cluster/constants";
import { clusterConfigIssues } from "../../src/cluster/validation";
import { PROFILES } from "../../src/config/profiles";
import { parseStackConfig, type StackConfig } from "../../src/config/schema";
import { streamingVariables } from "../../src/env/variables";
import { desiredFromSpec } from "../../src/topics/model";
import { validateTopicFields } from "../../src/topics/validate";
import { anyAcceptableConfig } from "../support/configArbitraries";
import { coreStreamingEnv } from "../support/coreRules";

/** The environment the backup container starts with, as the CronJob renders it. */
function backupJobEnv(config: StackConfig): NodeJS.ProcessEnv {
  const job = backupCronJob({
    namespace: config.namespace,
    backup: config.backup,
    brokerCount: config.brokerCount,
    podPrefix: STATEFULSET_NAME,
    brokerContainer: CONTAINER_NAME,
    dataDir: PATHS.data,
    serviceAccountName: "apphub-redpanda-backup",
  });
  // Plain data here: the pure builder returns no Outputs or promises.
  const spec = job.spec as {
    jobTemplate: {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
  };
  const container = spec.jobTemplate.spec.template.spec.containers[0]!;
  return Object.fromEntries(
    container.env.map((entry) => [
      entry.name,
      // The kubelet fills the namespace from the pod's own metadata.
      entry.name === SETTING_ENV.namespace ? config.namespace : entry.value,
    ]),
  );
}

describe("a config the schema accepts, downstream", () => {
  it("is accepted by the backup job, the cluster validation, the provider's check and core", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyAcceptableConfig, (raw) => {
        const result = parseStackConfig(raw);
        fc.pre(result.ok);
        if (!result.ok) return;
        accepted++;
        const config = result.config;
        const settings = resolveSettings({}, backupJobEnv(config));
        expect(settings.ok ? [] : settings.problems).toEqual([]);
        if (settings.ok)
          expect(settings.settings.fullEveryHours).toBe(config.backup.fullEveryHours);
        if (PROFILES[config.environment].platform === "kubernetes")
          expect(clusterConfigIssues(config.cluster)).toEqual([]);
        for (const topic of config.topics)
          expect(validateTopicFields({ ...desiredFromSpec(topic) })).toEqual([]);
        const env = Object.fromEntries(
          streamingVariables(config.streaming, config.topics).map((entry) => [
            entry.name,
            entry.value,
          ]),
        );
        expect(coreStreamingEnv.safeParse(env).success).toBe(true);
      }),
      { numRuns: 120 },
    );
    // The generator is built to be mostly acceptable; a property that checked nothing proves nothing.
    expect(accepted).toBeGreaterThan(40);
  });

  it("refuses at the schema what the backup job would refuse: fullEveryHours 9000", () => {
    const result = parseStackConfig({
      environment: "prod",
      kafka: { brokers: ["10.0.0.1:31092"] },
      backup: { bucketName: "apphub-snapshots", fullEveryHours: 9000, retentionDays: 400 },
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues).toContainEqual({
        key: "apphub-streaming:backup.fullEveryHours",
        message: "expected a whole number of hours between 1 and 8760 (a year), got 9000",
      });
  });
});
