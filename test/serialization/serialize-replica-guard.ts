/**
 * Plain-Node helper (run compiled: `node dist/test/serialization/serialize-replica-guard.js <out.json>`):
 * serializes the ReplicaGuard provider as `pulumi.dynamic` does, so a test can drive the text
 * the engine would store (with `drive-provider.js`). Vitest's transform breaks serialization.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { replicaGuardProvider } from "../../src/cluster/replicaGuard";

async function main(outFile: string): Promise<void> {
  const serialized = await pulumi.runtime.serializeFunction(() => replicaGuardProvider, {
    allowSecrets: false,
  });
  fs.writeFileSync(outFile, JSON.stringify({ text: serialized.text }));
}

main(process.argv[2] ?? "replica-guard.json").then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
