/**
 * The provider of `pulumi-nodejs:dynamic/streaming:KafkaTopic` as it is stored in every topic's
 * state (`__provider`): a one-line shim that, in the provider process, `require`s the real
 * implementation (`providerRuntime.ts`) from this project's checkout.
 *
 * The Node dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) loads `__provider` with
 * `require-from-string` and calls its `handler()` for the provider object; it needs nothing
 * else. `pulumi.dynamic.Resource` would produce that text by serializing a provider closure
 * (`serializeFunction`); the shim is written out here instead, because:
 * - size: the serialized closure of even a six-method forwarder was 2.4 KB, stored twice per
 *   topic (inputs and outputs) and rewritten with the whole state after every step; this text
 *   is ~130 bytes;
 * - start-up: serializing loads the SDK's closure serializer (@npmcli/arborist and the
 *   TypeScript compiler's function parser), ~1 s of every `pulumi preview` before the first
 *   topic is registered.
 *
 * The text is plain JavaScript for any Node the host runs (no TypeScript loader, no `this`, no
 * secrets, nothing captured). The checkout is the provider process's working directory: the
 * engine starts providers in the directory of the program's `main`, which is the project root
 * (Pulumi.yaml sets no `main:`, see there), or `APPHUB_STREAMING_ROOT` when set. The contract
 * between a stored shim and the checkout is the path and signature of `providerEntry.js` and
 * `PROVIDER_ABI` (docs/topics.md, "What the state holds"). The type token, and so the engine's
 * handling of the resource, is exactly `pulumi.dynamic.Resource`'s (`resource.ts`).
 */
import { PROVIDER_ABI } from "./model";

/** Where the shim finds the runtime, relative to the checkout. Shims in state name it: never move it. */
export const PROVIDER_ENTRY = "src/topics/providerEntry.js";

/** The form the declaring program ran as: `pulumi up` runs the TypeScript source, the render and serialization tests compiled JS. */
const FORM: "ts" | "js" = __filename.endsWith(".ts") ? "ts" : "js";

/** The `__provider` text of every topic resource: one line, no module but the checkout's entry. */
export function providerShim(abi: number = PROVIDER_ABI, form: "ts" | "js" = FORM): string {
  return (
    "exports.handler=()=>{const r=process.env.APPHUB_STREAMING_ROOT||process.cwd();" +
    `return require(r+${JSON.stringify(`/${PROVIDER_ENTRY}`)})(${abi},${JSON.stringify(form)},r)}`
  );
}
