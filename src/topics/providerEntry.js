/* global require, module */
/**
 * The stable entry the KafkaTopic provider shim stored in state (`provider.ts`) requires from the
 * checkout: `require("<root>/src/topics/providerEntry.js")(abi, form, root)` returns the
 * provider implementation (`providerRuntime`). Plain JavaScript, so it loads in the bare
 * provider process; it loads the compiled `dist/` file when `npm run build` compiled exactly
 * the sources on disk, else the TypeScript source through the project's own ts-node
 * (`freshBuild.js`). `form` (the form the declaring program ran as) is no longer consulted: a
 * refresh runs no program, and the build's freshness decides for every caller alike. Keep this
 * file's path and call signature: shims stored in state years ago call it. Node's module cache
 * makes the runtime, and its shared Kafka sessions, one per provider process.
 */
"use strict";
const { loadFresh } = require("../freshBuild.js");

module.exports = function loadKafkaTopicRuntime(abi, _form, root) {
  const { exports: runtime, file } = loadFresh(
    root,
    "src/topics/providerRuntime",
    "KafkaTopic provider runtime",
  );
  if (!runtime.SUPPORTED_ABIS.includes(abi)) {
    throw new Error(
      `this state's KafkaTopic provider speaks ABI ${abi}, but ${file} serves ABI ${runtime.SUPPORTED_ABIS.join(", ")}; ` +
        'run pulumi from a checkout of apphub-streaming that serves it (docs/topics.md, "What the state holds")',
    );
  }
  return runtime.provider;
};
