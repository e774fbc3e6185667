/**
 * Renders in the test's own process, under Pulumi's mock runtime, from the TypeScript sources
 * (never a stale build). The one thing that cannot run under vitest's module transform is the
 * dynamic provider's closure serialization (SPEC, "Pulumi facts"): it is replaced here by a
 * fixed text, so these renders show every input except the provider's code. The real
 * serialization is tested in plain Node (`test/process/`).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { renderCommand } from "../../src/cli/render";
import { readRender, type RenderResult } from "./renderFiles";

/** What the stubbed serialization yields instead of the provider's code. */
export const STUB_PROVIDER_TEXT =
  "exports.handler = undefined; // serialization is tested in test/process";

let stubbed = false;
function stubProviderSerialization(): void {
  if (stubbed) return;
  const serializeClosure = createRequire(__filename)(
    "@pulumi/pulumi/runtime/closure/serializeClosure",
  ) as {
    serializeFunction: (...args: unknown[]) => Promise<unknown>;
  };
  serializeClosure.serializeFunction = async () => ({
    text: STUB_PROVIDER_TEXT,
    exportName: "handler",
    containsSecrets: false,
  });
  stubbed = true;
}

// Pulumi's runtime state is global: renders in one process run one at a time.
let queue: Promise<unknown> = Promise.resolve();

export interface RenderOptions {
  /** Where `<stack>/` is written; default: a fresh temporary directory. */
  outDir?: string;
  /** Environment variables set for the duration of the render (e.g. `APPHUB_DATA_ROOT`). */
  env?: Record<string, string>;
}

/** Runs the render command on `Pulumi.<stack>.yaml` in `projectDir`, as `npm run render` would. */
export function renderInProcess(
  projectDir: string,
  stack: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const run = async (): Promise<RenderResult> => {
    stubProviderSerialization();
    const out = options.outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-out-"));
    let stdout = "";
    let stderr = "";
    const saved = Object.fromEntries(
      Object.keys(options.env ?? {}).map((name) => [name, process.env[name]]),
    );
    Object.assign(process.env, options.env);
    try {
      const status = await renderCommand(
        ["--stack", stack, "--out", out, "--project-dir", projectDir],
        {
          out: (text) => (stdout += `${text}\n`),
          err: (text) => (stderr += `${text}\n`),
        },
      );
      return readRender(path.join(out, stack), { status, stdout, stderr });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

/** Renders a stack file given as YAML text, in a scratch directory. */
export function renderYamlInProcess(
  stack: string,
  yamlText: string,
  env?: Record<string, string>,
): Promise<RenderResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yamlText);
  return renderInProcess(dir, stack, env ? { env } : {});
}
