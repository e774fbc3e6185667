/* global require, module */
/**
 * The stable entry the serialized KafkaUser and GeneratedPassword shims (`provider.ts`) require
 * from the checkout: `require("<root>/src/users/providerEntry.js")(abi, form, root, kind)`
 * returns the provider of that kind from `providerRuntime`. Plain JavaScript, so it loads in the
 * bare provider process; the TypeScript source goes through the project's own ts-node
 * (transpile only), else the compiled `dist/` file is used, preferring the form the declaring
 * program ran as. Keep this path and signature: shims stored in state call it.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const FORMS = {
  ts: ["src/users/providerRuntime.ts", "dist/src/users/providerRuntime.js"],
  js: ["dist/src/users/providerRuntime.js", "src/users/providerRuntime.ts"],
};

function registerTypeScript(root) {
  if (require.extensions[".ts"]) return;
  let tsNode;
  try {
    tsNode = require(require.resolve("ts-node", { paths: [root] }));
  } catch (error) {
    throw new Error(
      `the KafkaUser provider runtime is TypeScript and needs the project's ts-node: run npm ci in ${root} (${error.message})`,
    );
  }
  tsNode.register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
}

module.exports = function loadKafkaUserRuntime(abi, form, root, kind) {
  const candidates = FORMS[form === "js" ? "js" : "ts"];
  const file = candidates.map((relative) => path.join(root, relative)).find(fs.existsSync);
  if (file === undefined)
    throw new Error(
      `the KafkaUser provider runtime is missing: none of ${candidates.join(", ")} under ${root}`,
    );
  if (file.endsWith(".ts")) registerTypeScript(root);
  const runtime = require(file);
  if (!runtime.SUPPORTED_ABIS.includes(abi))
    throw new Error(
      `this state's KafkaUser provider speaks ABI ${abi}, but ${file} serves ABI ${runtime.SUPPORTED_ABIS.join(", ")}; ` +
        "run pulumi from a checkout of apphub-streaming that serves it (docs/security.md)",
    );
  const provider = runtime.providers[kind];
  if (!provider) throw new Error(`the KafkaUser provider runtime has no provider of kind ${kind}`);
  return provider;
};
