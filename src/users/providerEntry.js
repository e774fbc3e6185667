/* global require, module */
/**
 * The stable entry the serialized KafkaUser and GeneratedPassword shims (`provider.ts`) require
 * from the checkout: `require("<root>/src/users/providerEntry.js")(abi, form, root, kind)`
 * returns the provider of that kind from `providerRuntime`. Plain JavaScript, so it loads in the
 * bare provider process; it runs the compiled `dist/` file when `npm run build` compiled exactly
 * the sources on disk, else the TypeScript source through the project's own ts-node
 * (`freshBuild.js`; `form` is no longer consulted). Keep this path and signature: shims stored
 * in state call it.
 */
"use strict";
const { loadFresh } = require("../freshBuild.js");

module.exports = function loadKafkaUserRuntime(abi, _form, root, kind) {
  const { exports: runtime, file } = loadFresh(
    root,
    "src/users/providerRuntime",
    "KafkaUser provider runtime",
  );
  if (!runtime.SUPPORTED_ABIS.includes(abi))
    throw new Error(
      `this state's KafkaUser provider speaks ABI ${abi}, but ${file} serves ABI ${runtime.SUPPORTED_ABIS.join(", ")}; ` +
        "run pulumi from a checkout of apphub-streaming that serves it (docs/security.md)",
    );
  const provider = runtime.providers[kind];
  if (!provider) throw new Error(`the KafkaUser provider runtime has no provider of kind ${kind}`);
  return provider;
};
