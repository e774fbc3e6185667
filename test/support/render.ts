/**
 * Rendered stacks for tests. The unit project's global setup renders the repository's stacks
 * once (`test/renderSetup.ts`); suites read them from there, or render here when run alone.
 */
import * as path from "node:path";
import { inject } from "vitest";
import type { RenderedResource } from "../../src/render/write";
import { REPO_ROOT, readRender, renderIn, type RenderResult } from "./renderProcess";

export { findObject, renderStackYaml, resourcesOfType, REPO_ROOT } from "./renderProcess";
export type { KubeObject, RenderResult } from "./renderProcess";

const cache = new Map<string, RenderResult>();

/**
 * Renders one of the repository's stacks: read from the unit project's global setup when it
 * rendered them already, else rendered here (cached per test file).
 */
export function renderRepoStack(stack: string): RenderResult {
  const cached = cache.get(stack);
  if (cached) return cached;
  const prerendered = inject("repoRenderDir");
  const result = prerendered ? readRender(path.join(prerendered, stack)) : renderIn(REPO_ROOT, stack);
  cache.set(stack, result);
  return result;
}


/** Custom resources anywhere under a component (the component resources themselves left out). */
export function customDescendants(result: RenderResult, root: string): RenderedResource[] {
  const components = new Set(result.resources.filter((r) => r.type.startsWith("apphub:")).map((r) => r.name));
  const under = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const resource of result.resources) {
      if (resource.parent !== null && under.has(resource.parent) && !under.has(resource.name)) {
        under.add(resource.name);
        grew = true;
      }
    }
  }
  return result.resources.filter((r) => r.name !== root && under.has(r.name) && !components.has(r.name));
}
