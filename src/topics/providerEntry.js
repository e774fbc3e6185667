/* global require, module */
/**
 * The stable entry the KafkaTopic provider shim stored in state (`provider.ts`) requires from the
 * checkout: `require("<root>/src/topics/providerEntry.js")(abi, form, root)` returns the
 * provider implementation (`providerRuntime`). Plain JavaScript, so it loads in the bare
 * provider process; it loads the TypeScript source through the project's own ts-node
 * (transpile only, registered once) or the compiled `dist/` file, preferring the form the
 * declaring program ran as. Keep this file's path and call signature: shims stored in state
 * years ago call it. Node's module cache makes the runtime, and its shared Kafka sessions,
 * one per provider process.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const SOURCE = "src/topics/providerRuntime.ts";
const COMPILED = "dist/src/topics/providerRuntime.js";

module.exports = function loadKafkaTopicRuntime(abi, form, root) {
  const candidates = form === "js" ? [COMPILED, SOURCE] : [SOURCE, COMPILED];
  const file = candidates
    .map((relative) => path.join(root, relative))
    .find((candidate) => fs.existsSync(candidate));
  if (file === undefined) {
    throw new Error(
      `the KafkaTopic provider runtime is missing: neither ${candidates.join(" nor ")} exists under ${root}`,
    );
  }
  if (file.endsWith(".ts") && !require.extensions[".ts"]) {
    let tsNode;
    try {
      tsNode = require(require.resolve("ts-node", { paths: [root] }));
    } catch (error) {
      throw new Error(
        `the KafkaTopic provider runtime is TypeScript and needs the project's ts-node: run npm ci in ${root} (${error.message})`,
      );
    }
    tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  }
  const runtime = require(file);
  if (!runtime.SUPPORTED_ABIS.includes(abi)) {
    throw new Error(
      `this state's KafkaTopic provider speaks ABI ${abi}, but ${file} serves ABI ${runtime.SUPPORTED_ABIS.join(", ")}; ` +
        'run pulumi from a checkout of apphub-streaming that serves it (docs/topics.md, "What the state holds")',
    );
  }
  return runtime.provider;
};
