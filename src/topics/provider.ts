/**
 * The `pulumi-nodejs:dynamic/streaming:KafkaTopic` provider as Pulumi serializes it into every
 * topic's state: a shim of a few hundred bytes that, in the provider process, finds this
 * project's checkout and `require`s the real implementation (`providerRuntime.ts`) from it.
 *
 * Why not carry the engine by value (what `pulumi.dynamic` does by default): the closure held
 * the whole topic engine, ~111 KB per topic, stored twice per resource (inputs and outputs) and
 * rewritten after every step. It was never self-contained either: it already `require`d kafkajs
 * and @pulumi/pulumi from the project's node_modules at run time, so `pulumi destroy` or
 * `refresh` years later already needed the checkout with `npm ci`. Requiring the engine from the
 * same checkout adds no new dependency and means destroy and refresh run the checkout's engine,
 * with its fixes, not a frozen copy. The contract between the stored shim and the runtime is
 * `PROVIDER_ABI`; a runtime that no longer serves a shim's ABI fails with a message saying so.
 * docs/topics.md ("What the state holds") has the whole trade-off.
 *
 * Rules for this file (SPEC, "Pulumi facts"): the shim captures only a string and a number
 * (copied into local constants so no module object is captured by value), uses `require` only
 * inside the functions (the serializer leaves `require` to run time), no `this`, no classes,
 * no secrets. The checkout is found from the provider process's working directory upwards
 * (the engine starts it in the directory of the program's `main`), or `APPHUB_STREAMING_ROOT`. Its entry,
 * `src/topics/providerEntry.js`, is plain JavaScript so it loads without a TypeScript loader.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PROVIDER_ABI } from "./model";

export { diffTopic, liveOutputs } from "./providerLogic";

/** Copied so the closure captures a number, not the `model` module. */
const ABI: number = PROVIDER_ABI;
/** The form the declaring program ran as: `pulumi up` runs the TypeScript source, the render and serialization tests compiled JS. */
const FORM: "ts" | "js" = __filename.endsWith(".ts") ? "ts" : "js";

type Runtime = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "update" | "read" | "delete">
>;

/**
 * Loads the runtime through the checkout's plain-JS entry (`providerEntry.js`), found from the
 * provider's working directory upwards (the engine starts it in the directory of the program's
 * `main`, `src/`). Serialized by value: keep it small.
 */
function runtime(): Runtime {
  const fs = require("node:fs");
  const path = require("node:path");
  const entry = "src/topics/providerEntry.js";
  let root = process.env.APPHUB_STREAMING_ROOT || process.cwd();
  while (!fs.existsSync(path.join(root, entry)) && path.dirname(root) !== root)
    root = path.dirname(root);
  return require(path.join(root, entry))(ABI, FORM, root);
}

/** Each method forwards its arguments unchanged (rest parameters keep the serialized text short). */
export const kafkaTopicProvider: pulumi.dynamic.ResourceProvider = {
  check: (...args: Parameters<Runtime["check"]>) => runtime().check(...args),
  diff: (...args: Parameters<Runtime["diff"]>) => runtime().diff(...args),
  create: (...args: Parameters<Runtime["create"]>) => runtime().create(...args),
  update: (...args: Parameters<Runtime["update"]>) => runtime().update(...args),
  read: (...args: Parameters<Runtime["read"]>) => runtime().read(...args),
  delete: (...args: Parameters<Runtime["delete"]>) => runtime().delete(...args),
};
