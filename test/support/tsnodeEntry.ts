/**
 * Loads the TypeScript entry point the way the Pulumi Node host does for `pulumi up`
 * (`@pulumi/pulumi/cmd/run`): through the project's ts-node with the options of tsconfig.json's
 * `ts-node` section (transpile only), under Pulumi's mock runtime. Prints the captured resources
 * as JSON on a line marked `RESOURCES`, and which SDKs the program loaded on a line marked `LOADED`.
 * Usage: node dist/test/support/tsnodeEntry.js <stack> [<stack file dir>]   (run from the
 * repository root; the stack file is `Pulumi.<stack>.yaml` in the given folder, default the root)
 */
import * as path from "node:path";
import { register } from "ts-node";
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

function loadedHeavyModules(): string[] {
  const files = Object.keys(require.cache).map((file) => file.split(path.sep).join("/"));
  return HEAVY_MODULES.filter((name) =>
    files.some((file) =>
      name.endsWith(".js")
        ? file.endsWith(`/node_modules/${name}`)
        : file.includes(`/node_modules/${name}/`),
    ),
  );
}

async function main(stack: string, stackDir: string): Promise<void> {
  // As the host registers it: the project's tsconfig.json, its `ts-node` options unmodified.
  register({ project: path.resolve("tsconfig.json") });
  const { raw, secretKeys } = readStackFile(stackFilePath(stack, stackDir));
  const entryPoint = path.resolve("src/index.ts");
  const capture = await captureProgram(stack, raw, secretKeys, async () => {
    const exported = require(entryPoint) as
      Record<string, unknown> | (() => Promise<Record<string, unknown>>);
    // The host calls an exported function and awaits what it returns.
    return typeof exported === "function" ? exported() : exported;
  });
  // Pulumi log lines share stdout under mocks: the result is the line with this marker.
  process.stdout.write(
    `\nRESOURCES ${JSON.stringify(capture.resources.map(({ type, name }) => ({ type, name })))}\n` +
      `LOADED ${JSON.stringify(loadedHeavyModules())}\n`,
  );
}

main(process.argv[2] ?? "dev", process.argv[3] ?? process.cwd()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
