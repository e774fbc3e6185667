import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { decodeWire, MASK } from "../../src/render/capture";
import { kubeStackYaml } from "../support/config";
import { REPO_ROOT, renderIn, renderRepoStack, renderStackYaml } from "../support/render";

describe("npm run render", () => {
  for (const stack of ["dev", "minikube", "prod"]) {
    it(`renders the ${stack} stack into resources.json with type, name, parent and inputs`, () => {
      const result = renderRepoStack(stack);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.resources.length).toBeGreaterThan(0);
      for (const resource of result.resources) {
        expect(Object.keys(resource)).toEqual(
          expect.arrayContaining(["type", "name", "parent", "inputs"]),
        );
        expect(typeof resource.type).toBe("string");
        expect(typeof resource.name).toBe("string");
        expect(resource.parent === null || typeof resource.parent === "string").toBe(true);
      }
      const names = new Set(result.resources.map((resource) => resource.name));
      for (const resource of result.resources) {
        if (resource.parent !== null) expect(names.has(resource.parent)).toBe(true);
      }
      expect(result.stdout).toMatch(
        new RegExp(`stack ${stack}: ${result.resources.length} resources`),
      );
      expect(result.outputs.environment).toBe(stack);
    });
  }

  it("exports broker addresses, every topic with its effective settings, the bucket and the backup schedule", () => {
    const { outputs } = renderRepoStack("prod");
    expect(outputs.brokerUrl).toBe("apphub-redpanda:9092");
    expect(outputs.backupBucket).toBe("apphub-prod-redpanda-snapshots");
    expect(outputs.backupSchedule).toBe("0 * * * *");
    const topics = outputs.topics as Record<
      string,
      { partitions: number; replicationFactor: number; retentionMs: number }
    >;
    expect(Object.keys(topics)).toHaveLength(7);
    expect(topics["apphub.ingestion.telemetry"]).toMatchObject({
      partitions: 6,
      replicationFactor: 3,
      retentionMs: 259_200_000,
    });
    expect(renderRepoStack("dev").outputs.brokerUrl).toBe("127.0.0.1:19092");
  });

  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: kubernetes.yaml holds the objects the program owns, patches.yaml the DeploymentPatches`, () => {
      const result = renderRepoStack(stack);
      const kubernetesResources = result.resources.filter((resource) =>
        resource.type.startsWith("kubernetes:"),
      );
      const patchResources = kubernetesResources.filter(
        (resource) => resource.type === "kubernetes:apps/v1:DeploymentPatch",
      );
      expect(patchResources).toHaveLength(12);
      const patchNames = patchResources.map(
        (patch) => (patch.inputs.metadata as { name: string }).name,
      );
      expect(result.patches.map((patch) => patch.metadata.name)).toEqual(patchNames);
      expect(result.owned.length + result.secrets.length).toBe(
        kubernetesResources.length - patchResources.length,
      );
      // Only secrets.yaml holds masked values: kubernetes.yaml can be applied as it is.
      expect(JSON.stringify(result.owned)).not.toContain("[secret]");
      for (const secret of result.secrets) expect(secret.kind).toBe("Secret");
      expect(result.owned.map((object) => object.kind)).not.toContain("Deployment");
      for (const object of result.objects) {
        expect(typeof object.apiVersion).toBe("string");
        expect(typeof object.kind).toBe("string");
      }
    });
  }

  it("heads kubernetes.yaml and patches.yaml with how each is applied", () => {
    const read = (file: string) =>
      fs.readFileSync(path.join(inject("repoRenderDir"), "prod", file), "utf8");
    expect(read("kubernetes.yaml")).toMatch(
      /^# Kubernetes objects this stack owns[\s\S]*# {3}kubectl apply --server-side --field-manager=apphub-streaming -f kubernetes\.yaml\n[\s\S]*\n---\n/,
    );
    const patches = read("patches.yaml");
    expect(patches).toMatch(/^# Server-side-apply patches of Deployments this stack does NOT own/);
    expect(patches).toContain("?fieldManager=apphub-streaming&force=true");
    expect(patches).toContain("Content-Type: application/apply-patch+yaml");
    expect(patches).toContain("Do not `kubectl apply -f` this file");
  });

  it("exits 2 with one report naming every bad key, before declaring anything", async () => {
    const result = await renderStackYaml(
      "prod",
      kubeStackYaml("prod", [
        "  apphub-streaming:topics:",
        "    apphub.core.events:",
        "      retentionMs: -604800000",
        "    apphub.jobs.runs:",
        "      replicationFactor: 5",
      ]),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Invalid stack config \(2 problems\)/);
    expect(result.stderr).toContain("apphub-streaming:topics.apphub.core.events.retentionMs");
    expect(result.stderr).toContain("apphub-streaming:topics.apphub.jobs.runs.replicationFactor");
    expect(result.resources).toEqual([]);
    expect(result.stdout).toBe("");
  });

  it("exits 2 naming the stacks it knows when the stack file does not exist", async () => {
    const result = await renderIn(REPO_ROOT, "staging");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Pulumi\.staging\.yaml does not exist.*\(dev, minikube, prod\)/);
  });

  it("masks secret config values in resources and outputs", async () => {
    const result = await renderStackYaml(
      "prod",
      [
        "config:",
        "  apphub-streaming:environment: prod",
        "  apphub-streaming:backup:",
        "    bucketName: apphub-snapshots",
        "  apphub-streaming:kafka:",
        "    brokers: ['kafka.example.internal:31092']",
        "    sasl: { mechanism: scram-sha-512, username: apphub }",
        "  apphub-streaming:kafkaSaslPassword:",
        "    secure: v1:c2VjcmV0LXRoYXQtY2Fubm90LWJlLWRlY3J5cHRlZA==",
        "",
      ].join("\n"),
    );
    expect(result.status).toBe(0);
    const text = JSON.stringify(result.resources) + JSON.stringify(result.outputs);
    expect(text).not.toContain("c2VjcmV0");
  });
});

describe("wire decoding of captured inputs", () => {
  const SIG = "4dabf18193072939515e22adb298388d";
  it("masks secrets, including secret output values, and keeps plain values", () => {
    expect(
      decodeWire({
        plain: "x",
        password: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
        nested: [{ [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: "token", secret: true }],
        known: { [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value: 42 },
        unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      }),
    ).toEqual({ plain: "x", password: MASK, nested: [MASK], known: 42, unknown: "[unknown]" });
  });
});
