// @ts-check
/* global require, module, __dirname, process */
/**
 * Runs the compiled program only when it is the compiled form of the sources on disk.
 *
 * `pulumi preview` and `pulumi up` start the program and each provider process from
 * `package.json`'s `main` (`src/programEntry.js`) and the providers' entries. Loading the
 * TypeScript through ts-node costs each of those processes the TypeScript compiler (about a second
 * of CPU and 100 MiB here, docs/topics.md "Where the time goes"), so they run `dist/` instead,
 * but only when `dist/` was built from exactly these sources: `npm run build` records a SHA-256 of
 * every source file it compiled (`dist/.source-digest`), and a loader compares it with the files
 * on disk (about 5 ms). An edit, a `git pull` or a checkout without a build, or a build that
 * failed, makes it differ, and the loader runs the sources through ts-node (transpile only)
 * instead: a stale `dist/` never runs, whatever the file times say.
 *
 * Plain JavaScript, so it loads before any TypeScript loader. Also the build command:
 * `node src/freshBuild.js build [tsc options]` (what `npm run build` runs).
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** What the compiled program is made of: every TypeScript file under these, and the compiler options. */
const SOURCE_DIRS = ["src", "components"];
const COMPILER_CONFIG = "tsconfig.json";
const DIGEST_FILE = "dist/.source-digest";

/** @param {string} root @param {string} dir @returns {string[]} paths relative to root */
function typeScriptFilesUnder(root, dir) {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return [];
  return fs
    .readdirSync(absolute, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => path.posix.join(dir, file.split(path.sep).join("/")));
}

/**
 * SHA-256 over the sorted relative paths and contents of the program's sources.
 * @param {string} root
 */
function sourceDigest(root) {
  const files = SOURCE_DIRS.flatMap((dir) => typeScriptFilesUnder(root, dir)).sort();
  files.push(COMPILER_CONFIG);
  const hash = crypto.createHash("sha256");
  for (const file of files) {
    const absolute = path.join(root, file);
    hash.update(`${file}\0`);
    hash.update(fs.existsSync(absolute) ? fs.readFileSync(absolute) : "(missing)");
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** @param {string} root @returns {string | undefined} */
function recordedDigest(root) {
  try {
    return fs.readFileSync(path.join(root, DIGEST_FILE), "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `dist/` holds the compiled form of the sources on disk, and if not, why.
 * @param {string} root
 * @returns {{ fresh: boolean, reason: string }}
 */
function compiledState(root) {
  const recorded = recordedDigest(root);
  if (recorded === undefined)
    return { fresh: false, reason: `${DIGEST_FILE} is missing (run npm run build)` };
  if (recorded !== sourceDigest(root))
    return { fresh: false, reason: "the sources changed since the last npm run build" };
  return { fresh: true, reason: "built from these sources" };
}

/** @param {string} root @param {string} what */
function registerTypeScript(root, what) {
  if (require.extensions[".ts"]) return;
  let tsNode;
  try {
    tsNode = require(require.resolve("ts-node", { paths: [root] }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the ${what} is TypeScript and needs the project's ts-node: run npm ci in ${root} (${message})`,
    );
  }
  tsNode.register({ transpileOnly: true, project: path.join(root, COMPILER_CONFIG) });
}

/**
 * Loads `<module>` (a path under the root without extension, e.g. `src/index`): the compiled
 * `dist/<module>.js` when `dist/` is fresh (or when the sources are absent altogether), else
 * `<module>.ts` through the project's ts-node. `APPHUB_DEBUG=1` says which, and why, on stderr.
 * @param {string} root the checkout
 * @param {string} module
 * @param {string} what named in errors ("program", "KafkaTopic provider runtime")
 * @returns {{ exports: any, file: string }}
 */
function loadFresh(root, module, what) {
  const source = path.join(root, `${module}.ts`);
  const compiled = path.join(root, "dist", `${module}.js`);
  const state = compiledState(root);
  const haveSource = fs.existsSync(source);
  const haveCompiled = fs.existsSync(compiled);
  const useCompiled = haveCompiled && (state.fresh || !haveSource);
  if (!useCompiled && !haveSource)
    throw new Error(`the ${what} is missing: neither ${source} nor ${compiled} exists`);
  if (process.env.APPHUB_DEBUG === "1")
    process.stderr.write(
      `apphub-streaming: ${what} from ${useCompiled ? compiled : `${source} through ts-node`} (dist/: ${state.reason})\n`,
    );
  if (!useCompiled) registerTypeScript(root, what);
  const file = useCompiled ? compiled : source;
  return { exports: require(file), file };
}

/**
 * `npm run build`: the digest of the sources is taken before the compiler reads them and written
 * only when it succeeds, so an edit made during the build, or a failed build, leaves `dist/` stale.
 * @param {string} root
 * @param {string[]} compilerOptions passed to tsc after `-p tsconfig.json`
 * @returns {number} tsc's exit status
 */
function buildAndRecord(root, compilerOptions) {
  const { spawnSync } = require("node:child_process");
  const digest = sourceDigest(root);
  fs.rmSync(path.join(root, DIGEST_FILE), { force: true });
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, "-p", COMPILER_CONFIG, ...compilerOptions], {
    cwd: root,
    stdio: "inherit",
  });
  const status = result.status ?? 1;
  if (status === 0) {
    fs.mkdirSync(path.dirname(path.join(root, DIGEST_FILE)), { recursive: true });
    fs.writeFileSync(path.join(root, DIGEST_FILE), `${digest}\n`);
  }
  return status;
}

module.exports = { sourceDigest, compiledState, loadFresh, buildAndRecord, DIGEST_FILE };

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== "build") {
    process.stderr.write("usage: node src/freshBuild.js build [tsc options]\n");
    process.exit(2);
  }
  process.exit(buildAndRecord(path.resolve(__dirname, ".."), rest));
}
