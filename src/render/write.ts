/** Turns a capture into the two files of `npm run render`, and its one-screen summary. */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import type { CapturedResource } from "./capture";

export interface RenderedResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
  dependsOn: string[];
  options: CapturedResource["options"];
}

/** The serialized closure of a dynamic provider is code, not config: keep only its size. */
function readableInputs(resource: CapturedResource): Record<string, unknown> {
  const { __provider: provider, ...rest } = resource.inputs;
  return typeof provider === "string" ? { ...rest, __provider: `[serialized provider: ${provider.length} characters]` } : rest;
}

export function toRendered(resources: readonly CapturedResource[]): RenderedResource[] {
  return resources
    .map((resource) => ({
      type: resource.type,
      name: resource.name,
      parent: resource.parent,
      inputs: readableInputs(resource),
      dependsOn: resource.dependsOn,
      options: resource.options,
    }))
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)));
}

/** Every Kubernetes object, patches included, as it would be applied. */
export function kubernetesObjects(resources: readonly RenderedResource[]): Record<string, unknown>[] {
  return resources
    .filter((resource) => resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string")
    .map((resource) => resource.inputs);
}

export function toMultiDocumentYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join("");
}

export function summarize(stack: string, resources: readonly RenderedResource[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  const width = Math.max(...[...counts.keys()].map((type) => type.length), 4);
  const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => `  ${type.padEnd(width)}  ${count}`);
  return [`stack ${stack}: ${resources.length} resources`, ...rows].join("\n");
}

export function writeRender(dir: string, resources: readonly RenderedResource[], outputs: Record<string, unknown>): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    "resources.json": `${JSON.stringify(resources, null, 2)}\n`,
    "kubernetes.yaml": toMultiDocumentYaml(kubernetesObjects(resources)),
    "outputs.json": `${JSON.stringify(outputs, null, 2)}\n`,
  };
  return Object.entries(files).map(([file, text]) => {
    const target = path.join(dir, file);
    fs.writeFileSync(target, text);
    return target;
  });
}
