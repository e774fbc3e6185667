/**
 * Plain-Node helper (run compiled): loads the KafkaTopic provider from its serialized text the
 * way Pulumi's dynamic-provider host does (`require-from-string`, then `.handler()`), without
 * loading any of this project's modules, and calls one method.
 *
 *   node dist/test/serialization/drive-provider.js <provider.json> <method> <args.json>
 *
 * `args.json` is the JSON array of the method's arguments. Prints `{ "ok": true, "result" }`
 * or `{ "ok": false, "error" }` on stdout. One process per call, like one engine run.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";

type Method = "check" | "diff" | "create" | "update" | "read" | "delete";
const METHODS: readonly Method[] = ["check", "diff", "create", "update", "read", "delete"];

async function main(providerFile: string, method: string, argsFile: string): Promise<unknown> {
  if (!METHODS.includes(method as Method)) throw new Error(`unknown method ${method}`);
  const { text } = JSON.parse(fs.readFileSync(providerFile, "utf8")) as { text: string };
  // The host's own loader, resolved from @pulumi/pulumi as the host resolves it.
  const hostRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const requireFromString = hostRequire("require-from-string") as (code: string) => { handler: () => Record<Method, (...args: unknown[]) => Promise<unknown>> };
  const provider = requireFromString(text).handler();
  const args = JSON.parse(fs.readFileSync(argsFile, "utf8")) as unknown[];
  const fn = provider[method as Method];
  if (typeof fn !== "function") throw new Error(`the provider has no ${method}`);
  return fn(...args);
}

main(process.argv[2] ?? "", process.argv[3] ?? "", process.argv[4] ?? "").then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ ok: true, result: result ?? null })}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exit(0);
  },
);
