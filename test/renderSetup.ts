// Vitest globalSetup of the render project: renders the repository's three stacks once, in
// this process from the TypeScript sources, so the many suites that read them do not each
// pay for a render.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { renderInProcess } from "./support/inProcess";
import { REPO_ROOT } from "./support/renderFiles";

declare module "vitest" {
  export interface ProvidedContext {
    repoRenderDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-repo-"));
  for (const stack of ["dev", "minikube", "prod"]) {
    const { status, stdout, stderr } = await renderInProcess(REPO_ROOT, stack, { outDir: out });
    fs.writeFileSync(
      path.join(out, `${stack}.status.json`),
      JSON.stringify({ status, stdout, stderr }),
    );
  }
  project.provide("repoRenderDir", out);
}
