/**
 * Rendered stacks for tests, all in-process from the TypeScript sources (`inProcess.ts`). The
 * render project's global setup renders the repository's stacks once (`test/renderSetup.ts`);
 * suites read them from there, or render ad-hoc stack YAML here.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inject } from "vitest";
import type { RenderedResource } from "../../src/render/write";
import { renderInProcess, renderYamlInProcess } from "./inProcess";
import { readRender, REPO_ROOT, type RenderResult } from "./renderFiles";

export { findObject, readRender, resourcesOfType, REPO_ROOT } from "./renderFiles";
export type { RenderResult } from "./renderFiles";

const cache = new Map<string, RenderResult>();

/** One of the repository's stacks, as the render project's global setup rendered it. */
export function renderRepoStack(stack: string): RenderResult {
  const cached = cache.get(stack);
  if (cached) return cached;
  const prerendered = inject("repoRenderDir");
  if (!prerendered)
    throw new Error(
      "the repository's stacks are rendered by test/renderSetup.ts: run this file in the render project",
    );
  const result = readRender(path.join(prerendered, stack));
  cache.set(stack, result);
  return result;
}

/** Renders the repository's stacks into a fresh directory (read back with `readRender`), recording each exit status. */
export async function renderRepoStacksInto(stacks: readonly string[]): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-repo-"));
  for (const stack of stacks) {
    const { status, stdout, stderr } = await renderInProcess(REPO_ROOT, stack, { outDir: out });
    fs.writeFileSync(
      path.join(out, `${stack}.status.json`),
      JSON.stringify({ status, stdout, stderr }),
    );
  }
  return out;
}

/** Renders a stack file given as YAML text, in a scratch directory, in this process. */
export function renderStackYaml(
  stack: string,
  yamlText: string,
  env?: Record<string, string>,
): Promise<RenderResult> {
  return renderYamlInProcess(stack, yamlText, env);
}

/** Renders `Pulumi.<stack>.yaml` of `projectDir`, in this process. */
export function renderIn(projectDir: string, stack: string): Promise<RenderResult> {
  return renderInProcess(projectDir, stack);
}

/** Custom resources anywhere under a component (the component resources themselves left out). */
export function customDescendants(result: RenderResult, root: string): RenderedResource[] {
  const components = new Set(
    result.resources.filter((r) => r.type.startsWith("apphub:")).map((r) => r.name),
  );
  const under = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const resource of result.resources) {
      if (resource.parent !== null && under.has(resource.parent) && !under.has(resource.name)) {
        under.add(resource.name);
        grew = true;
      }
    }
  }
  return result.resources.filter(
    (r) => r.name !== root && under.has(r.name) && !components.has(r.name),
  );
}
