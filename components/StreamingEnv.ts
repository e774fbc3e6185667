import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StreamingConfig, TopicSpec } from "../src/config/schema";
import { DEFAULT_NAMESPACE } from "../src/config/schema";
import { declareEnvPatch } from "../src/env/declare";
import { deploymentPatchPlans } from "../src/env/kubernetes";

/** Arguments of {@link StreamingEnv}. */
export interface StreamingEnvArgs {
  /** Namespace of the core and timestore deployments. Default: `apphub-system`. */
  namespace?: string;
  /** Flags, publisher controls, target deployments and the sequencer Secret (`apphub-streaming:streaming`). Defaults: see docs/streaming-env.md. */
  streaming: StreamingConfig;
  /** The topic catalog, from which the `APPHUB_STREAM_TOPIC_*` names are taken by role. */
  topics: TopicSpec[];
  /** Everything that must be ready before streaming is switched on: the broker StatefulSet and every topic resource. Default: none. */
  gates?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Server-side-apply patches that add the streaming env vars to every AppHub container of the
 * core and timestore deployments, without taking the deployments over.
 *
 * Deleting a patch (`pulumi destroy`, or dropping a target) relinquishes the fields it owns:
 * the entries disappear and the ConfigMap's values apply again; the Deployment itself stays.
 * So no `retainOnDelete`: keeping `APPHUB_STREAMING_ENABLED=1` behind after the brokers are
 * gone would be the wrong thing to leave.
 */
export class StreamingEnv extends pulumi.ComponentResource {
  /** Deployment name → the patch that owns its streaming entries. */
  public readonly patches: Record<string, k8s.apps.v1.DeploymentPatch>;

  constructor(name: string, args: StreamingEnvArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:StreamingEnv", name, {}, opts);
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    this.patches = {};
    for (const plan of deploymentPatchPlans(args.streaming, args.topics)) {
      this.patches[plan.deployment] = declareEnvPatch(
        { name, parent: this },
        namespace,
        plan,
        args.gates ?? [],
      );
    }
    this.registerOutputs({ patchedDeployments: Object.keys(this.patches) });
  }
}
