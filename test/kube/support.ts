/** Shared steps of the Kubernetes e2e suites: kubectl against the kube peer, and the test CRDs. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { kubectlCommand } from "../peers/engines";
import { kubeconfigPath } from "../peers/kube";
import type { KubeObject } from "../support/kubeObjects";
import type { KubeClient } from "./client";

export const CRD_DIR = path.join(__dirname, "crds");
const CRD_FIELD_MANAGER = "apphub-e2e-crds";

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the machine's kubectl against the kube peer's kubeconfig (never the user's own). */
export function kubectl(args: readonly string[], input?: string): CommandResult {
  const result = spawnSync(kubectlCommand(), ["--kubeconfig", kubeconfigPath(), ...args], {
    encoding: "utf8",
    input,
    timeout: 60_000,
    env: { ...process.env, KUBECONFIG: kubeconfigPath() },
  });
  if (result.error) throw new Error(`kubectl ${args.join(" ")}: ${result.error.message}`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The upstream CRDs kept in test/kube/crds (each file says its source and version). */
export function testCrds(): KubeObject[] {
  return fs
    .readdirSync(CRD_DIR)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), "utf8")).flatMap(
        (doc) => (doc.toJSON() as KubeObject | null) ?? [],
      ),
    );
}

/** Server-side applies the test CRDs and waits until each is Established, so its kind can be applied. */
export async function installTestCrds(client: KubeClient): Promise<string[]> {
  const crds = testCrds();
  for (const crd of crds) {
    const answer = await client.apply(crd, { fieldManager: CRD_FIELD_MANAGER, force: true });
    if (answer.status !== 200 && answer.status !== 201)
      throw new Error(
        `CRD ${crd.metadata.name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
      );
  }
  for (const crd of crds) {
    await client.waitFor(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "",
      crd.metadata.name,
      (live) => {
        const conditions =
          (live.status as { conditions?: { type: string; status: string }[] } | undefined)
            ?.conditions ?? [];
        return conditions.some(
          (condition) => condition.type === "Established" && condition.status === "True",
        );
      },
    );
  }
  return crds.map((crd) => crd.metadata.name);
}
