/**
 * The `KafkaUser` and `GeneratedPassword` providers as Pulumi serializes them into state: small
 * shims that, in the provider process, find this project's checkout and `require` the real
 * implementation (`providerRuntime.ts`) from it, exactly as the topic provider does
 * (`src/topics/provider.ts` explains the trade-off and the rules: capture only strings and
 * numbers, `require` inside the functions, no `this`, no classes, no secrets).
 */
import type * as pulumi from "@pulumi/pulumi";
import { USER_PROVIDER_ABI } from "./model";

/** Copied so the closures capture a number, not the `model` module. */
const ABI: number = USER_PROVIDER_ABI;
/** The form the declaring program ran as: `pulumi up` runs the TypeScript source, the render and serialization tests compiled JS. */
const FORM: "ts" | "js" = __filename.endsWith(".ts") ? "ts" : "js";

type Provider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "update" | "read" | "delete">
>;

/** Serialized by value into each shim: keep it small. */
function runtime(kind: "user" | "password"): Provider {
  const fs = require("node:fs");
  const path = require("node:path");
  const entry = "src/users/providerEntry.js";
  let root = process.env.APPHUB_STREAMING_ROOT || process.cwd();
  while (!fs.existsSync(path.join(root, entry)) && path.dirname(root) !== root)
    root = path.dirname(root);
  return require(path.join(root, entry))(ABI, FORM, root, kind);
}

export const kafkaUserProvider: pulumi.dynamic.ResourceProvider = {
  check: (...args: Parameters<Provider["check"]>) => runtime("user").check(...args),
  diff: (...args: Parameters<Provider["diff"]>) => runtime("user").diff(...args),
  create: (...args: Parameters<Provider["create"]>) => runtime("user").create(...args),
  update: (...args: Parameters<Provider["update"]>) => runtime("user").update(...args),
  read: (...args: Parameters<Provider["read"]>) => runtime("user").read(...args),
  delete: (...args: Parameters<Provider["delete"]>) => runtime("user").delete(...args),
};

export const generatedPasswordProvider: pulumi.dynamic.ResourceProvider = {
  check: (...args: Parameters<Provider["check"]>) => runtime("password").check(...args),
  diff: (...args: Parameters<Provider["diff"]>) => runtime("password").diff(...args),
  create: (...args: Parameters<Provider["create"]>) => runtime("password").create(...args),
  update: (...args: Parameters<Provider["update"]>) => runtime("password").update(...args),
  read: (...args: Parameters<Provider["read"]>) => runtime("password").read(...args),
  delete: (...args: Parameters<Provider["delete"]>) => runtime("password").delete(...args),
};
