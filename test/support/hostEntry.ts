/**
 * Loads the program the way the Pulumi Node host does for `pulumi up` (`@pulumi/pulumi/cmd/run`
 * with Pulumi.yaml's `typescript: false`): no TypeScript loader of its own, the project's
 * `package.json` `main` required from the project folder, under Pulumi's mock runtime. Prints
 * the captured resources as JSON on a line marked `RESOURCES`, which SDKs the program loaded on a
 * line marked `LOADED`, and which form of the program ran on a line marked `FORM`.
 * Usage: node dist/test/support/hostEntry.js <stack> <stack file dir> <project dir>
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile, stackFilePath } from "../../src/config/load";
import { captureProgram } from "../../src/render/capture";

/** Modules a stack loads only when it declares their resources (and the SDK index they pull in). */
export const HEAVY_MODULES = [
  "@pulumi/aws",
  "@pulumi/docker",
  "@pulumi/kubernetes",
  "@pulumi/random",
  "@pulumi/tls",
  "@pulumi/pulumi/index.js",
  "@pulumi/pulumi/runtime/closure/serializeClosure.js",
] as const;

const loadedFiles = () => Object.keys(require.cache).map((file) => file.split(path.sep).join("/"));

function loadedHeavyModules(): string[] {
  const files = loadedFiles();
  return HEAVY_MODULES.filter((name) =>
    files.some((file) =>
      name.endsWith(".js")
        ? file.endsWith(`/node_modules/${name}`)
        : file.includes(`/node_modules/${name}/`),
    ),
  );
}

/** Which program file ran, relative to the project, and whether the TypeScript compiler was loaded. */
function formOf(projectDir: string): { program: string[]; typescriptLoaded: boolean } {
  const root = `${fs.realpathSync(projectDir).split(path.sep).join("/")}/`;
  const files = loadedFiles();
  return {
    program: ["src/index.ts", "dist/src/index.js"].filter((file) =>
      files.includes(`${root}${file}`),
    ),
    typescriptLoaded: files.some((file) =>
      file.endsWith("/node_modules/typescript/lib/typescript.js"),
    ),
  };
}

async function main(stack: string, stackDir: string, projectDir: string): Promise<void> {
  process.chdir(projectDir);
  const { main: entry } = JSON.parse(fs.readFileSync("package.json", "utf8")) as { main: string };
  const { raw, secretKeys } = readStackFile(stackFilePath(stack, stackDir));
  const capture = await captureProgram(stack, raw, secretKeys, async () => {
    const exported = require(path.resolve(entry)) as
      Record<string, unknown> | (() => Promise<Record<string, unknown>>);
    // The host calls an exported function and awaits what it returns.
    return typeof exported === "function" ? exported() : exported;
  });
  // Pulumi log lines share stdout under mocks: the result is the line with this marker.
  process.stdout.write(
    `\nRESOURCES ${JSON.stringify(capture.resources.map(({ type, name }) => ({ type, name })))}\n` +
      `LOADED ${JSON.stringify(loadedHeavyModules())}\n` +
      `FORM ${JSON.stringify(formOf(projectDir))}\n`,
  );
}

const [stack, stackDir, projectDir] = process.argv.slice(2);
if (stack === undefined || stackDir === undefined || projectDir === undefined) {
  process.stderr.write("usage: hostEntry.js <stack> <stack file dir> <project dir>\n");
  process.exit(2);
}
main(stack, stackDir, projectDir).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
