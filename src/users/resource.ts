/**
 * The user and password resource classes (`pulumi.dynamic.Resource` is abstract in the SDK's
 * typings): type tokens `pulumi-nodejs:dynamic/streaming:KafkaUser` and
 * `pulumi-nodejs:dynamic/streaming:GeneratedPassword`, with the outputs the component reads.
 * Never referenced by the providers, so never serialized into state.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ScramMechanism } from "../config/rules";
import type { ProgramConnection } from "../topics/resource";
import type { AclGrant } from "./model";
import { generatedPasswordProvider, kafkaUserProvider } from "./provider";

/** Inputs of one user resource; see `KafkaUserInputs` in `model.ts` for the resolved shape. */
export interface KafkaUserArgs {
  name: string;
  mechanism?: ScramMechanism;
  password?: pulumi.Input<string>;
  rotate: number;
  acls: AclGrant[] | null;
  self: boolean;
  providerVersion: string;
  connection: pulumi.Input<ProgramConnection>;
  saslPassword?: pulumi.Input<string>;
  adminUrls: string[];
}

export class KafkaUser extends pulumi.dynamic.Resource {
  // `declare`: the engine fills these in; a class field initializer would overwrite them.
  declare public readonly mechanism: pulumi.Output<ScramMechanism | undefined>;
  declare public readonly password: pulumi.Output<string | undefined>;
  declare public readonly acls: pulumi.Output<AclGrant[] | null>;

  constructor(name: string, args: KafkaUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(kafkaUserProvider, name, { ...args }, opts, "streaming", "KafkaUser");
  }
}

export interface GeneratedPasswordArgs {
  /** Characters of URL-safe base64. */
  length: number;
  /** A new value replaces the password. */
  rotate: number;
  providerVersion: string;
}

export class GeneratedPassword extends pulumi.dynamic.Resource {
  declare public readonly result: pulumi.Output<string>;

  constructor(name: string, args: GeneratedPasswordArgs, opts?: pulumi.CustomResourceOptions) {
    // `result` is output-only: named (as undefined) so the SDK creates its Output.
    super(
      generatedPasswordProvider,
      name,
      { ...args, result: undefined },
      opts,
      "streaming",
      "GeneratedPassword",
    );
  }
}
