/** Turns a capture into the files of `npm run render`, and its one-screen summary. */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { MASK, type CapturedResource } from "./capture";

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
  return typeof provider === "string"
    ? { ...rest, __provider: `[serialized provider: ${provider.length} characters]` }
    : rest;
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
    .sort((a, b) =>
      a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type),
    );
}

/** Every Kubernetes object, patches included, as it would be applied. */
export function kubernetesObjects(
  resources: readonly RenderedResource[],
): Record<string, unknown>[] {
  return resources
    .filter(
      (resource) =>
        resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string",
    )
    .map((resource) => resource.inputs);
}

/**
 * A patch resource (`kubernetes:apps/v1:DeploymentPatch` and its kin) changes an object someone
 * else owns: its inputs carry `kind: Deployment` but no selector or image, and applying them as
 * objects would be rejected (or, on a live cluster, take the Deployment over).
 */
export function isPatchResource(resource: RenderedResource): boolean {
  return /^kubernetes:[^:]+:[A-Za-z]+Patch$/.test(resource.type);
}

/**
 * A Secret whose values are masked (Pulumi secrets, key material generated at `pulumi up`): the
 * render cannot hold them, so applying it by hand would write "[secret]" as a password or a cert.
 */
export function isMaskedSecret(object: Record<string, unknown>): boolean {
  if (object.kind !== "Secret") return false;
  return ["stringData", "data"].some((field) => {
    const values = object[field];
    if (values === MASK) return true;
    return (
      typeof values === "object" &&
      values !== null &&
      Object.values(values as Record<string, unknown>).some((value) => value === MASK)
    );
  });
}

/** The objects the program owns and creates that the render holds whole: what `kubernetes.yaml` holds. */
export function ownedKubernetesObjects(
  resources: readonly RenderedResource[],
): Record<string, unknown>[] {
  return kubernetesObjects(resources.filter((resource) => !isPatchResource(resource))).filter(
    (object) => !isMaskedSecret(object),
  );
}

/** Owned Secrets with masked values: what `secrets.yaml` lists, for reading only. */
export function maskedSecretObjects(
  resources: readonly RenderedResource[],
): Record<string, unknown>[] {
  return kubernetesObjects(resources.filter((resource) => !isPatchResource(resource))).filter(
    isMaskedSecret,
  );
}

/** The server-side-apply patches of objects the program does not own: what `patches.yaml` holds. */
export function patchObjects(resources: readonly RenderedResource[]): Record<string, unknown>[] {
  return kubernetesObjects(resources.filter(isPatchResource));
}

export function toMultiDocumentYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((object) => `---\n${stringify(object, { lineWidth: 0 })}`).join("");
}

const comment = (lines: readonly string[]): string =>
  lines.map((line) => (line ? `# ${line}\n` : "#\n")).join("");

/** `kubernetes.yaml`: a header saying how it is applied, then the objects the program owns. */
export function kubernetesYaml(objects: readonly Record<string, unknown>[]): string {
  const header = [
    "Kubernetes objects this stack owns, as `pulumi up` creates them (rendered offline by `npm run render`).",
    "Pulumi applies each object with server-side apply; by hand, into an existing namespace:",
    "  kubectl apply --server-side --field-manager=apphub-streaming -f kubernetes.yaml",
    "(a plain `kubectl apply -f kubernetes.yaml` works too). The Deployment patches are in patches.yaml;",
    "Secrets whose values only `pulumi up` can write are listed, masked, in secrets.yaml.",
    ...(objects.length === 0 ? ["", "(none: this stack declares no Kubernetes objects)"] : []),
  ];
  return `${comment(header)}${toMultiDocumentYaml(objects)}`;
}

/** `secrets.yaml`: the owned Secrets whose values only `pulumi up` can write, masked, for reading. */
export function secretsYaml(objects: readonly Record<string, unknown>[]): string {
  const header = [
    "Secrets this stack owns whose values are Pulumi secrets or generated at `pulumi up` (TLS keys,",
    "passwords): every value is masked here. Only `pulumi up` writes them. Do NOT apply this file:",
    "it would store the mask as the password or certificate. kubernetes.yaml references them by name.",
    ...(objects.length === 0 ? ["", "(none: this stack owns no such Secret)"] : []),
  ];
  return `${comment(header)}${toMultiDocumentYaml(objects)}`;
}

/** `patches.yaml`: a header saying how Pulumi applies the patches (and what not to run), then the patches. */
export function patchesYaml(objects: readonly Record<string, unknown>[]): string {
  const header = [
    "Server-side-apply patches of Deployments this stack does NOT own (AppHub's core and timestore):",
    "each adds the streaming `env` entries and owns nothing else. They are not objects: no selector,",
    "no image. `pulumi up` sends each one, after the broker StatefulSet is ready and every topic exists, as",
    "  PATCH /apis/apps/v1/namespaces/<namespace>/deployments/<name>?fieldManager=apphub-streaming&force=true",
    "  Content-Type: application/apply-patch+yaml",
    "and `pulumi destroy` relinquishes them (an apply of apiVersion/kind/metadata.name/namespace only).",
    "Let Pulumi apply them. Do not `kubectl apply -f` this file: client-side, a missing Deployment is",
    "rejected (no selector, no image) and an existing one gets its last-applied-configuration, which",
    "AppHub's own `kubectl apply` relies on, overwritten; `kubectl apply --server-side` first moves every",
    "field AppHub's `kubectl apply` set (image, envFrom, its env) to our field manager, so a later",
    "relinquish deletes them. See docs/streaming-env.md.",
    ...(objects.length === 0 ? ["", "(none: this stack patches no Deployments)"] : []),
  ];
  return `${comment(header)}${toMultiDocumentYaml(objects)}`;
}

export function summarize(stack: string, resources: readonly RenderedResource[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
  const width = Math.max(...[...counts.keys()].map((type) => type.length), 4);
  const rows = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `  ${type.padEnd(width)}  ${count}`);
  return [`stack ${stack}: ${resources.length} resources`, ...rows].join("\n");
}

export function writeRender(
  dir: string,
  resources: readonly RenderedResource[],
  outputs: Record<string, unknown>,
): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    "resources.json": `${JSON.stringify(resources, null, 2)}\n`,
    "kubernetes.yaml": kubernetesYaml(ownedKubernetesObjects(resources)),
    "secrets.yaml": secretsYaml(maskedSecretObjects(resources)),
    "patches.yaml": patchesYaml(patchObjects(resources)),
    "outputs.json": `${JSON.stringify(outputs, null, 2)}\n`,
  };
  return Object.entries(files).map(([file, text]) => {
    const target = path.join(dir, file);
    fs.writeFileSync(target, text);
    return target;
  });
}
