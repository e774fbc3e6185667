// Helpers shared by the topics e2e files and bench/engine.ts.
import type { PulumiWorkspace } from "./support/pulumi";

/** `pulumi stack init` then the stack's config. */
export async function initStack(
  ws: PulumiWorkspace,
  stack: string,
  config: Record<string, unknown>,
): Promise<void> {
  await ws.initStack(stack, config);
}
