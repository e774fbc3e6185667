/** Reads what `npm run render` wrote for one stack, and finds things in it. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { RenderedResource } from "../../src/render/write";
import type { KubeObject } from "./kubeObjects";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export interface RenderResult {
  status: number;
  stdout: string;
  stderr: string;
  resources: RenderedResource[];
  /** Every Kubernetes object: those of kubernetes.yaml, then the patches of patches.yaml. */
  objects: KubeObject[];
  /** kubernetes.yaml: the objects the program owns. */
  owned: KubeObject[];
  /** patches.yaml: the DeploymentPatches. */
  patches: KubeObject[];
  /** secrets.yaml: owned Secrets whose values only `pulumi up` writes (masked). */
  secrets: KubeObject[];
  outputs: Record<string, unknown>;
}

export function readRender(
  dir: string,
  run?: { status: number; stdout: string; stderr: string },
): RenderResult {
  const statusFile = `${dir}.status.json`;
  const { status, stdout, stderr } =
    run ??
    (JSON.parse(fs.readFileSync(statusFile, "utf8")) as {
      status: number;
      stdout: string;
      stderr: string;
    });
  const read = (file: string) =>
    fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined;
  const resourcesText = read("resources.json");
  const documents = (file: string): KubeObject[] => {
    const text = read(file);
    // A file of only its header comment parses as one empty document.
    return text
      ? parseAllDocuments(text).flatMap((doc) => (doc.toJSON() as KubeObject | null) ?? [])
      : [];
  };
  const owned = documents("kubernetes.yaml");
  const patches = documents("patches.yaml");
  const secrets = documents("secrets.yaml");
  const outputsText = read("outputs.json");
  return {
    status,
    stdout,
    stderr,
    resources: resourcesText ? (JSON.parse(resourcesText) as RenderedResource[]) : [],
    objects: [...owned, ...secrets, ...patches],
    owned,
    patches,
    secrets,
    outputs: outputsText ? (JSON.parse(outputsText) as Record<string, unknown>) : {},
  };
}

export function resourcesOfType(result: RenderResult, type: string): RenderedResource[] {
  return result.resources.filter((resource) => resource.type === type);
}

export function findObject(result: RenderResult, kind: string, name: string): KubeObject {
  const found = result.objects.find(
    (object) => object.kind === kind && object.metadata.name === name,
  );
  if (!found)
    throw new Error(
      `no ${kind} ${name} among ${result.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`,
    );
  return found;
}
