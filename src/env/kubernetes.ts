/**
 * What the streaming env patches write into core's and timestore's Deployments. Pure: the
 * component only turns these plans into `DeploymentPatch` resources.
 *
 * Only `env` is ever written, never `envFrom`: under server-side apply `env` is a map keyed by
 * `name` (our entries merge beside AppHub's own), while `envFrom` is an atomic list that the
 * patch would replace whole, dropping the `apphub-core-config` ConfigMap. Entries in `env`
 * take precedence over `envFrom`, which is what lets `APPHUB_STREAMING_ENABLED=1` here win over
 * the ConfigMap's `"false"`.
 */
import type { StreamingConfig, TopicSpec } from "../config/schema";
import { SEQUENCE_DATABASE_URL, streamingVariables } from "./variables";

/** The SSA field manager of every patch: a fixed name, so ownership survives a project rename. */
export const FIELD_MANAGER = "apphub-streaming";

export const PATCH_ANNOTATIONS: Readonly<Record<string, string>> = {
  // AppHub's own manifests may already own some of these fields; take them over.
  "pulumi.com/patchForce": "true",
  "pulumi.com/patchFieldManager": FIELD_MANAGER,
};

export type KubeEnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

export interface ContainerEnvPlan {
  name: string;
  env: KubeEnvVar[];
}

export interface DeploymentPatchPlan {
  deployment: string;
  containers: ContainerEnvPlan[];
}

/**
 * The env list for one AppHub container. The sequencer database URL is a credential, so it is
 * only ever a reference to a Secret; it is left out while streaming is off, so that a stack
 * that does not stream never makes pods wait for a Secret it does not need.
 */
export function containerEnv(
  streaming: StreamingConfig,
  topics: readonly TopicSpec[],
): KubeEnvVar[] {
  const env: KubeEnvVar[] = streamingVariables(streaming, topics).map(({ name, value }) => ({
    name,
    value,
  }));
  if (streaming.enabled) {
    env.push({
      name: SEQUENCE_DATABASE_URL,
      valueFrom: {
        secretKeyRef: { name: streaming.sequencerSecret.name, key: streaming.sequencerSecret.key },
      },
    });
  }
  return env;
}

/** One plan per target deployment, every listed container getting the same env list. */
export function deploymentPatchPlans(
  streaming: StreamingConfig,
  topics: readonly TopicSpec[],
): DeploymentPatchPlan[] {
  const env = containerEnv(streaming, topics);
  return Object.entries(streaming.targets).map(([deployment, containers]) => ({
    deployment,
    containers: [...new Set(containers)].map((name) => ({
      name,
      env: env.map((entry) => structuredClone(entry)),
    })),
  }));
}
