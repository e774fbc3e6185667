// Vitest globalSetup of the unit project: renders the repository's three stacks once, in
// parallel child processes, so the many suites that read them do not each pay for a render.
import type { TestProject } from "vitest/node";
import { renderRepoStacksInto } from "./support/renderProcess";

declare module "vitest" {
  export interface ProvidedContext {
    repoRenderDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("repoRenderDir", await renderRepoStacksInto(["dev", "minikube", "prod"]));
}
