/**
 * The topic resource class: `pulumi.dynamic.Resource` is abstract in the SDK's typings, so
 * this is the minimal concrete subclass. It passes the module and type through unchanged, so
 * the type token is `pulumi-nodejs:dynamic/streaming:KafkaTopic`, and it declares the echoed
 * outputs the component reads. It is never referenced by the provider, so it is not
 * serialized into state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionSettingsOf, DeletionPolicy } from "./model";
import { kafkaTopicProvider } from "./provider";
import type { AdoptionNote } from "./providerLogic";

/** Connection settings as the program holds them: brokers and CA may be other resources' outputs. */
export type ProgramConnection = ConnectionSettingsOf<pulumi.Input<string[]>, pulumi.Input<string>>;

/** Inputs of one topic resource; see `KafkaTopicInputs` in `model.ts` for the resolved shape. */
export interface KafkaTopicArgs {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
  deletionPolicy: DeletionPolicy;
  providerVersion: string;
  connection: pulumi.Input<ProgramConnection>;
  saslPassword?: pulumi.Input<string>;
  /** true for a topic the stack adopts (`apphub-streaming:topics.<name>.adopt`); absent otherwise. */
  adopt?: boolean;
}

export class KafkaTopic extends pulumi.dynamic.Resource {
  // `declare`: the engine fills these in; a class field initializer would overwrite them.
  declare public readonly partitions: pulumi.Output<number>;
  /** Partitions on the broker at the last create, update or refresh (absent in state written by provider version 1). */
  declare public readonly livePartitions: pulumi.Output<number | undefined>;
  declare public readonly replicationFactor: pulumi.Output<number>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly deletionPolicy: pulumi.Output<DeletionPolicy>;
  /**
   * Set only while a create of an `adopt` topic is previewed: what `check` found on the broker
   * (`ADOPTION_NOTE` in `providerLogic.ts`); undefined otherwise.
   */
  declare public readonly __adoption: pulumi.Output<AdoptionNote | undefined>;

  constructor(topicName: string, args: KafkaTopicArgs, opts?: pulumi.CustomResourceOptions) {
    // An output-only property must be named (as undefined, which is not sent as an input) for
    // the SDK to create its Output on this object.
    super(
      kafkaTopicProvider,
      topicName,
      { ...args, livePartitions: undefined, __adoption: undefined },
      opts,
      "streaming",
      "KafkaTopic",
    );
  }
}
