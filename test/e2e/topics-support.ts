// Helpers shared by the topics e2e files and bench/engine.ts.
import type { PulumiWorkspace } from "./support/pulumi";

/**
 * `pulumi stack init` then the stack's config. (`PulumiWorkspace.initStack` passes the name both
 * as argument and as `--stack`, which the 3.274 CLI refuses: "only one of --stack or argument
 * stack name may be specified"; `--stack` alone is what this sends.)
 */
export async function initStack(ws: PulumiWorkspace, stack: string, config: Record<string, unknown>): Promise<void> {
  await ws.pulumi(["stack", "init"], { stack });
  ws.writeConfig(stack, config);
}
