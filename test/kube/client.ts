/**
 * A small HTTP client for the kube test peer: just enough to send what Pulumi's Kubernetes
 * provider sends (apply PATCHes with a field manager, `force`, `dryRun`, `fieldValidation`) and to
 * read back objects and the server's `Warning` headers, with nothing in between.
 */
import * as https from "node:https";
import { type KubeAccess, kubeAccess } from "../peers/kube";
import type { KubeObject } from "../support/kubeObjects";

export interface KubeAnswer<T = KubeObject> {
  status: number;
  body: T;
  /** The text of each `Warning: 299 - "..."` header, in order. */
  warnings: string[];
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  /** `Strict` rejects unknown and duplicate fields instead of dropping them. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  subresource?: "status";
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export class KubeClient {
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();

  constructor(private readonly access: KubeAccess = kubeAccess()) {}

  /** One request; JSON in and out. Never throws on an HTTP status: the caller asserts it. */
  request<T = KubeObject>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<KubeAnswer<T>> {
    const payload =
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = https.request(
        `${this.access.server}${path}`,
        {
          method,
          ca: this.access.ca,
          timeout: 30_000,
          headers: {
            Authorization: `Bearer ${this.access.token}`,
            Accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              // not JSON (an HTML error page, say): keep the text
            }
            resolve({
              status: response.statusCode ?? 0,
              body: parsed as T,
              warnings: warningsOf(response.rawHeaders),
            });
          });
        },
      );
      request.on("timeout", () => request.destroy(new Error(`${method} ${path}: timed out`)));
      request.on("error", reject);
      if (payload !== undefined) request.write(payload);
      request.end();
    });
  }

  get<T = KubeObject>(path: string): Promise<KubeAnswer<T>> {
    return this.request<T>("GET", path);
  }

  /** The REST path of an object (or of its collection when it has no name), found through discovery. */
  async pathOf(
    object: Pick<KubeObject, "apiVersion" | "kind"> & {
      metadata: { name?: string; namespace?: string };
    },
  ): Promise<string> {
    const groupPath = object.apiVersion.includes("/")
      ? `/apis/${object.apiVersion}`
      : `/api/${object.apiVersion}`;
    let resources = this.discovery.get(groupPath);
    if (!resources) {
      resources = this.get<{ resources: ApiResource[] }>(groupPath).then((answer) => {
        if (answer.status !== 200)
          throw new Error(
            `discovery of ${groupPath}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        return answer.body.resources.filter((resource) => !resource.name.includes("/"));
      });
      this.discovery.set(groupPath, resources);
      resources.catch(() => this.discovery.delete(groupPath));
    }
    const resource = (await resources).find((candidate) => candidate.kind === object.kind);
    if (!resource) throw new Error(`${object.apiVersion} has no kind ${object.kind}`);
    const namespace = resource.namespaced
      ? `/namespaces/${object.metadata.namespace ?? "default"}`
      : "";
    return `${groupPath}${namespace}/${resource.name}${object.metadata.name ? `/${object.metadata.name}` : ""}`;
  }

  /** Server-side apply, as `client.Patch(name, types.ApplyPatchType, yaml, PatchOptions{...})` sends it. */
  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeAnswer> {
    const query = new URLSearchParams({ fieldManager: options.fieldManager });
    if (options.force !== undefined) query.set("force", String(options.force));
    if (options.dryRun) query.set("dryRun", "All");
    if (options.fieldValidation) query.set("fieldValidation", options.fieldValidation);
    const path = `${await this.pathOf(object)}${options.subresource ? `/${options.subresource}` : ""}?${query}`;
    // JSON is YAML, so the apply body can be sent as is.
    return this.request("PATCH", path, object, "application/apply-patch+yaml");
  }

  async read(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<KubeAnswer> {
    return this.get(await this.pathOf({ apiVersion, kind, metadata: { name, namespace } }));
  }

  async list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const path = await this.pathOf({ apiVersion, kind, metadata: { namespace } });
    const answer = await this.get<{ items: KubeObject[] }>(
      labelSelector ? `${path}?labelSelector=${encodeURIComponent(labelSelector)}` : path,
    );
    if (answer.status !== 200)
      throw new Error(
        `list ${kind} in ${namespace}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    // A list's items carry no apiVersion and kind of their own.
    return answer.body.items.map((item) => ({ ...item, apiVersion, kind }));
  }

  /**
   * Deletes the namespace if it exists, waits until it is gone, then creates it with labels. The
   * namespace controller of the peer's controller manager empties it first.
   */
  async recreateNamespace(
    name: string,
    labels: Record<string, string>,
    timeoutMs = 120_000,
  ): Promise<void> {
    const path = `/api/v1/namespaces/${name}`;
    const deleted = await this.request("DELETE", path);
    if (deleted.status !== 200 && deleted.status !== 202 && deleted.status !== 404) {
      throw new Error(
        `delete namespace ${name}: HTTP ${deleted.status} ${JSON.stringify(deleted.body)}`,
      );
    }
    const deadline = Date.now() + timeoutMs;
    while ((await this.get(path)).status !== 404) {
      if (Date.now() > deadline)
        throw new Error(`namespace ${name} still exists ${timeoutMs} ms after its deletion`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const created = await this.request("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels },
    });
    if (created.status !== 201)
      throw new Error(
        `create namespace ${name}: HTTP ${created.status} ${JSON.stringify(created.body)}`,
      );
  }

  /** Polls read() until accept() holds for the object; returns it, or throws with the last state seen. */
  async waitFor(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    accept: (object: KubeObject) => boolean,
    timeoutMs = 60_000,
  ): Promise<KubeObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.read(apiVersion, kind, namespace, name);
      if (answer.status === 200 && accept(answer.body)) return answer.body;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${kind} ${namespace}/${name}; last: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The Pod Security labels of a namespace that enforces (and warns and audits) the `restricted` profile. */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
};

/** `Warning` headers are `299 - "text"`; node keeps each in rawHeaders. */
export function warningsOf(rawHeaders: readonly string[]): string[] {
  const warnings: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== "warning") continue;
    const value = rawHeaders[i + 1] ?? "";
    const quoted = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(value);
    warnings.push(quoted ? quoted[1]!.replace(/\\(.)/g, "$1") : value);
  }
  return warnings;
}
