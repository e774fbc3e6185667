/**
 * Builder of the StreamingEnv component (`components/StreamingEnv.ts`): one server-side-apply
 * patch per target Deployment, from the plans of `kubernetes.ts`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Scope } from "../declare";
import { PATCH_ANNOTATIONS, type DeploymentPatchPlan } from "./kubernetes";

/**
 * The patch that owns the streaming entries of one Deployment's containers, applied once
 * every `gates` resource is ready.
 */
export function declareEnvPatch(
  { name, parent }: Scope,
  namespace: string,
  plan: DeploymentPatchPlan,
  gates: pulumi.Input<pulumi.Resource>[],
): k8s.apps.v1.DeploymentPatch {
  return new k8s.apps.v1.DeploymentPatch(
    `${name}-${plan.deployment}`,
    {
      metadata: { name: plan.deployment, namespace, annotations: { ...PATCH_ANNOTATIONS } },
      // The env lives in the pod template: any change of value rolls the deployment's pods.
      spec: { template: { spec: { containers: plan.containers } } },
    },
    { parent, dependsOn: gates },
  );
}
