/* global require, module, __dirname */
/**
 * The program as `pulumi preview` and `pulumi up` start it (`package.json`'s `main`; Pulumi.yaml
 * sets `typescript: false`, so the Node host registers no TypeScript loader of its own): the
 * compiled `dist/src/index.js` when `npm run build` compiled exactly the sources on disk, else
 * `src/index.ts` through the project's ts-node, transpile only (`freshBuild.js`). Either way
 * the type check is CI's `npm run typecheck`.
 */
"use strict";
const path = require("node:path");
const { loadFresh } = require("./freshBuild.js");

module.exports = loadFresh(path.resolve(__dirname, ".."), "src/index", "program").exports;
