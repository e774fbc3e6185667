/**
 * Rendered stacks for tests. The unit project's global setup renders the repository's stacks
 * once (`test/renderSetup.ts`); suites read them from there, or render here when run alone.
 */
import * as path from "node:path";
import { inject } from "vitest";
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

