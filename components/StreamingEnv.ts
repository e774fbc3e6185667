import * as pulumi from "@pulumi/pulumi";
import type { StreamingConfig, TopicSpec } from "../src/config/schema";

/** Arguments of {@link StreamingEnv}. */
export interface StreamingEnvArgs {
  /** Namespace of the core and timestore deployments. Default: `apphub-system`. */
  namespace?: string;
  /** Flags, publisher controls and target deployments. */
  streaming: StreamingConfig;
  /** The topic catalog, from which the `APPHUB_STREAM_TOPIC_*` names are taken. */
  topics: TopicSpec[];
  /** Everything that must be ready before streaming is switched on: brokers and every topic. */
  gates?: pulumi.Input<pulumi.Resource>[];
}

/** Server-side-apply patches that inject the streaming env vars into core and timestore. */
export class StreamingEnv extends pulumi.ComponentResource {
  constructor(name: string, args: StreamingEnvArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:StreamingEnv", name, {}, opts);
    void args;
    this.registerOutputs({});
  }
}
