/**
 * Loads the TypeScript entry point the way the Pulumi Node host does for `pulumi up`
 * (`runtime.options.typescript: true`): through the project's ts-node, with type checking,
 * under Pulumi's mock runtime. Prints the captured resources as JSON on a line marked `RESOURCES`.
 * Usage: node dist/test/support/tsnodeEntry.js <stack>   (run from the repository root)
 */
import * as path from "node:path";
import { register } from "ts-node";
import { readStackFile, stackFilePath } from "../../src/config/load";
import { captureProgram } from "../../src/render/capture";

async function main(stack: string): Promise<void> {
  register({ typeCheck: true, transpileOnly: false });
  const { raw, secretKeys } = readStackFile(stackFilePath(stack));
  const entryPoint = path.resolve("src/index.ts");
  const capture = await captureProgram(
    stack,
    raw,
    secretKeys,
    () => require(entryPoint) as Record<string, unknown>,
  );
  // Pulumi log lines share stdout under mocks: the result is the line with this marker.
  process.stdout.write(
    `\nRESOURCES ${JSON.stringify(capture.resources.map(({ type, name }) => ({ type, name })))}\n`,
  );
}

main(process.argv[2] ?? "dev").then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
