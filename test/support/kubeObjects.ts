/**
 * The Kubernetes object types of the tests, one set for what the render writes and what the kube
 * peer answers, taken from the kubernetes-models dev dependency (the API's own schemas).
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";

export type { IDeploymentSpec as DeploymentSpec } from "kubernetes-models/apps/v1/DeploymentSpec";
export type { IStatefulSetSpec as StatefulSetSpec } from "kubernetes-models/apps/v1/StatefulSetSpec";
export type { IContainer as Container } from "kubernetes-models/v1/Container";
export type { IEnvVar as EnvVar } from "kubernetes-models/v1/EnvVar";
export type { IPodSpec as PodSpec } from "kubernetes-models/v1/PodSpec";
export type { IPodStatus as PodStatus } from "kubernetes-models/v1/PodStatus";

/** Every object's metadata (the models export no standalone ObjectMeta type). */
export type ObjectMeta = NonNullable<IDeployment["metadata"]>;

/** Any Kubernetes object: named, with typed metadata; the rest is read per kind. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** The containers of a workload's pod template (Deployment, StatefulSet, DaemonSet, Job). */
export function templateContainers(object: KubeObject): IContainer[] {
  return (object.spec as { template: { spec: IPodSpec } }).template.spec.containers;
}
