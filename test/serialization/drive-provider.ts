/**
 * Plain-Node helper (run compiled): loads the KafkaTopic provider from its serialized text the
 * way Pulumi's dynamic-provider host does (`require-from-string`, then `.handler()`), without
 * loading any of this project's modules itself, and calls it.
 *
 *   node dist/test/serialization/drive-provider.js <provider.json> <method> <args.json>
 *     one call (one process = one engine run with one resource operation); `args.json` is the
 *     JSON array of the method's arguments. Prints `{ "ok": true, "result" }` or `{ "ok": false, "error" }`.
 *   node dist/test/serialization/drive-provider.js <provider.json> --script <calls.json>
 *     several calls in one process, like one engine run over many topics; `calls.json` is
 *     `[{ "method", "args" }]`, run `concurrency` at a time (default 1, env DRIVE_CONCURRENCY).
 *     Prints `{ "ok": true, "result": { "calls": [outcome…], "sessions": { opened, closed, pooled } } }`,
 *     the session counts read from the runtime the shim loaded (the same module instance).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

type Method = "check" | "diff" | "create" | "update" | "read" | "delete";
const METHODS: readonly Method[] = ["check", "diff", "create", "update", "read", "delete"];
type Provider = Record<Method, (...args: unknown[]) => Promise<unknown>>;
type Outcome = { ok: true; result: unknown } | { ok: false; error: string };

function loadProvider(providerFile: string): Provider {
  const { text } = JSON.parse(fs.readFileSync(providerFile, "utf8")) as { text: string };
  // The host's own loader, resolved from @pulumi/pulumi as the host resolves it.
  const hostRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  const requireFromString = hostRequire("require-from-string") as (code: string) => {
    handler: () => Provider;
  };
  return requireFromString(text).handler();
}

async function callOnce(provider: Provider, method: string, args: unknown[]): Promise<Outcome> {
  if (!METHODS.includes(method as Method)) return { ok: false, error: `unknown method ${method}` };
  const fn = provider[method as Method];
  if (typeof fn !== "function") return { ok: false, error: `the provider has no ${method}` };
  try {
    return { ok: true, result: (await fn(...args)) ?? null };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

async function main(providerFile: string, method: string, argsFile: string): Promise<Outcome> {
  const provider = loadProvider(providerFile);
  if (method !== "--script")
    return callOnce(provider, method, JSON.parse(fs.readFileSync(argsFile, "utf8")) as unknown[]);
  const calls = JSON.parse(fs.readFileSync(argsFile, "utf8")) as {
    method: string;
    args: unknown[];
  }[];
  const concurrency = Math.max(1, Number(process.env.DRIVE_CONCURRENCY ?? 1));
  const outcomes: Outcome[] = new Array(calls.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls.length) {
        const index = next++;
        const call = calls[index];
        if (call) outcomes[index] = await callOnce(provider, call.method, call.args);
      }
    }),
  );
  // The runtime the shim loaded lives in the checkout; its session pool is that module's state.
  const sessions = require(path.join(process.cwd(), "dist/src/topics/sessions.js")) as {
    sessionStats(): unknown;
  };
  return { ok: true, result: { calls: outcomes, sessions: sessions.sessionStats() } };
}

main(process.argv[2] ?? "", process.argv[3] ?? "", process.argv[4] ?? "").then(
  (outcome) => {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`,
    );
    process.exit(0);
  },
);
