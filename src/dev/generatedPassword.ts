/**
 * A password generated once, at `pulumi up`, and kept in state as a secret: what
 * `@pulumi/random`'s RandomPassword does, without adding that package. It is generated inside
 * the provider's `create` (never in the program), so a preview generates nothing and every
 * later `pulumi up` reuses the stored value.
 *
 * Hex only: it goes into a URL and a dotenv file unescaped.
 */
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "node:crypto";

/** Bumped when the provider code changes in a way state must notice (SPEC, "Pulumi facts"). */
export const GENERATED_PASSWORD_PROVIDER_VERSION = "1";

interface PasswordInputs {
  length: number;
  providerVersion: string;
}

interface PasswordOutputs extends PasswordInputs {
  value: string;
}

export const generatedPasswordProvider: pulumi.dynamic.ResourceProvider<PasswordInputs, PasswordOutputs> = {
  async create(inputs) {
    const value = randomBytes(Math.ceil(inputs.length / 2))
      .toString("hex")
      .slice(0, inputs.length);
    return { id: randomBytes(8).toString("hex"), outs: { ...inputs, value } };
  },
  async diff(_id, olds, news) {
    const replaces = olds.length === news.length ? [] : ["length"];
    return { changes: replaces.length > 0 || olds.providerVersion !== news.providerVersion, replaces };
  },
  // Only the provider version can change in place; the password itself is kept.
  async update(_id, olds, news) {
    return { outs: { ...news, value: olds.value } };
  },
};

export interface GeneratedPasswordArgs {
  /** Number of hex characters. Default: 32 (128 bits). */
  length?: number;
}

export class GeneratedPassword extends pulumi.dynamic.Resource {
  /** The password, a Pulumi secret. */
  declare public readonly value: pulumi.Output<string>;

  constructor(name: string, args: GeneratedPasswordArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const length = args.length ?? 32;
    if (!Number.isInteger(length) || length < 16) throw new Error(`${name}: expected a password length of at least 16, got ${length}`);
    super(
      generatedPasswordProvider,
      name,
      { length, providerVersion: GENERATED_PASSWORD_PROVIDER_VERSION, value: undefined },
      { ...opts, additionalSecretOutputs: ["value"] },
      "apphub",
      "GeneratedPassword",
    );
  }
}
