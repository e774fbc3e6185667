/**
 * Every Kubernetes object the minikube and prod stacks render, whichever component declares
 * it, validated against the OpenAPI schema of a current Kubernetes (kubernetes-models) or of
 * the CRD that defines it (@kubernetes-models/prometheus-operator). A kind without a known
 * schema fails: nothing is skipped.
 */
import { describe, expect, it } from "vitest";
import type { RenderedResource } from "../../src/render/write";
import { renderRepoStack, renderStackYaml } from "../support/render";

/** API groups served by something other than Kubernetes itself, and the package holding their schemas. */
const CRD_PACKAGES: Record<string, string> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}
interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

function modulePathFor(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  if (slash < 0) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  const pkg =
    CRD_PACKAGES[group] ??
    (group.includes(".") && !group.endsWith(".k8s.io") ? undefined : "kubernetes-models");
  if (!pkg) throw new Error(`no schema package for API group ${group}`);
  return `${pkg}/${apiVersion}`;
}

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  let exported: Record<string, unknown>;
  try {
    exported = (await import(modulePathFor(apiVersion))) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `no OpenAPI schema for ${apiVersion} ${kind}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const model = exported[kind] as ModelClass | undefined;
  if (typeof model !== "function" || model.kind !== kind || model.apiVersion !== apiVersion) {
    throw new Error(`no OpenAPI schema for ${apiVersion} ${kind}`);
  }
  return model;
}

/**
 * Schema errors of one object. Patches (server-side apply) legitimately omit required fields
 * such as a container's image; every other rule (types, enums, formats) still applies to them.
 */
async function schemaErrors(object: Record<string, unknown>, isPatch: boolean): Promise<string[]> {
  const Model = await modelFor(String(object.apiVersion), String(object.kind));
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    return errors
      .filter((found) => !(isPatch && found.keyword === "required"))
      .map(
        (found) =>
          `${found.instancePath || "/"} ${found.message ?? found.keyword} ${JSON.stringify(found.params ?? {})}`,
      );
  }
}

function kubernetesResources(resources: readonly RenderedResource[]): RenderedResource[] {
  return resources.filter(
    (resource) =>
      resource.type.startsWith("kubernetes:") && typeof resource.inputs.kind === "string",
  );
}

async function validateAll(
  resources: readonly RenderedResource[],
): Promise<Record<string, string[]>> {
  const problems: Record<string, string[]> = {};
  for (const resource of kubernetesResources(resources)) {
    const errors = await schemaErrors(resource.inputs, resource.type.endsWith("Patch"));
    if (errors.length > 0) problems[`${resource.type} ${resource.name}`] = errors;
  }
  return problems;
}

const EXTERNAL_STACK = (type: "NodePort" | "LoadBalancer") =>
  [
    "config:",
    "  apphub-streaming:environment: prod",
    "  apphub-streaming:backup:",
    "    bucketName: apphub-snapshots",
    "  apphub-streaming:cluster:",
    "    monitoring:",
    "      labels:",
    "        release: kube-prometheus-stack",
    "    external:",
    "      enabled: true",
    `      type: ${type}`,
    type === "NodePort"
      ? "      advertisedHost: 10.0.0.10"
      : "      advertisedHost: redpanda-{ordinal}.kafka.example.com",
    type === "NodePort" ? "      basePort: 31092" : "      basePort: 9094",
    // A LoadBalancer listener must be secured (or explicitly allowPlaintext).
    ...(type === "LoadBalancer"
      ? ["      tls:", "        enabled: true", "      sasl:", "        enabled: true"]
      : []),
    "",
  ].join("\n");

describe("every rendered Kubernetes object validates against the OpenAPI schema", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: every object, patches included`, async () => {
      const result = renderRepoStack(stack);
      expect(result.status, result.stderr).toBe(0);
      const resources = kubernetesResources(result.resources);
      expect(resources.map((resource) => resource.inputs.kind)).toEqual(
        expect.arrayContaining([
          "StatefulSet",
          "Service",
          "ConfigMap",
          "PodDisruptionBudget",
          "NetworkPolicy",
        ]),
      );
      // The objects of kubernetes.yaml and patches.yaml are exactly these resources' inputs.
      expect(result.objects).toHaveLength(resources.length);
      expect(await validateAll(result.resources)).toEqual({});
    });
  }

  it.each(["PrometheusRule", "ServiceMonitor"])(
    "prod renders the %s and it validates against the Prometheus Operator CRD",
    async (kind) => {
      const found = renderRepoStack("prod").resources.filter(
        (resource) => resource.inputs.kind === kind,
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(await schemaErrors(found[0]!.inputs, false)).toEqual([]);
    },
  );

  for (const type of ["NodePort", "LoadBalancer"] as const) {
    it(`a stack with the ${type} external listener validates too`, async () => {
      const result = await renderStackYaml("prod", EXTERNAL_STACK(type));
      expect(result.status, result.stderr).toBe(0);
      // client, headless, public-metrics and one per broker
      expect(
        result.resources.filter((resource) => resource.inputs.kind === "Service"),
      ).toHaveLength(6);
      expect(await validateAll(result.resources)).toEqual({});
    });
  }
});

describe("the validator itself", () => {
  it("fails an unknown kind instead of skipping it", async () => {
    await expect(
      schemaErrors(
        { apiVersion: "apps/v1", kind: "StatefulThing", metadata: { name: "x" } },
        false,
      ),
    ).rejects.toThrow(/no OpenAPI schema for apps\/v1 StatefulThing/);
    await expect(
      schemaErrors(
        { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } },
        false,
      ),
    ).rejects.toThrow(/no OpenAPI schema/);
    await expect(
      schemaErrors(
        { apiVersion: "monitoring.coreos.com/v1", kind: "Widget", metadata: { name: "x" } },
        false,
      ),
    ).rejects.toThrow(/no OpenAPI schema/);
  });

  it("reports wrong types and missing required fields", async () => {
    const statefulSet = renderRepoStack("prod").resources.find(
      (resource) => resource.inputs.kind === "StatefulSet",
    )!.inputs;
    const broken = JSON.parse(JSON.stringify(statefulSet)) as {
      spec: Record<string, unknown> & {
        template: { spec: { containers: Record<string, unknown>[] } };
      };
    };
    broken.spec.replicas = "three";
    broken.spec.template.spec.containers[0]!.ports = [{ containerPort: "kafka" }];
    delete broken.spec.selector;
    const errors = await schemaErrors(broken as unknown as Record<string, unknown>, false);
    expect(errors.join("\n")).toContain("/spec/replicas must be integer");
    expect(errors.join("\n")).toContain(
      "/spec/template/spec/containers/0/ports/0/containerPort must be integer",
    );
    expect(errors.join("\n")).toContain("/spec must have required property selector");
    // As a patch, the missing selector is fine but the wrong types are not.
    const asPatch = await schemaErrors(broken as unknown as Record<string, unknown>, true);
    expect(asPatch.join("\n")).not.toContain("selector");
    expect(asPatch.join("\n")).toContain("/spec/replicas must be integer");
  });
});
