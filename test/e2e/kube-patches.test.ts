/**
 * The rendered DeploymentPatches (minikube: streaming on) against stub AppHub Deployments on a
 * real kube-apiserver, sent the way Pulumi's Kubernetes provider sends them: an apply PATCH
 * (`application/apply-patch+yaml`) with our field manager and `force=true`; destroy relinquishes
 * with an apply of apiVersion/kind/name/namespace only, same field manager, no force.
 *
 * The stubs are shaped like SPEC's core and timestore Deployments and created the way AppHub
 * ships them today, with a client-side `kubectl apply`: `envFrom` the `apphub-core-config`
 * ConfigMap (which says `APPHUB_STREAMING_ENABLED: "false"`), an `env` of their own, and one
 * Deployment whose own `env` also sets `APPHUB_STREAMING_ENABLED`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../src/env/kubernetes";
import { startKube } from "../peers/kube";
import { KubeClient, RESTRICTED_NAMESPACE_LABELS } from "../kube/client";
import { type Container, type KubeObject, templateContainers } from "../support/kubeObjects";
import {
  CONFIG_MAP_REF,
  STUB_IMAGE,
  TEAM_ENV,
  TEAM_FLAG,
  TEAM_SETS_FLAG,
  appHubManifest,
} from "../kube/apphub";
import { kubectl } from "../kube/support";
import { readRender, renderRepoStacksInto } from "../support/render";

const NAMESPACE = "apphub-patches";
const IMAGE = STUB_IMAGE;

let client: KubeClient;
let patches: KubeObject[];

async function replicaSetsOf(deployment: KubeObject): Promise<KubeObject[]> {
  const all = await client.list("apps/v1", "ReplicaSet", NAMESPACE);
  return all.filter((rs) =>
    rs.metadata.ownerReferences?.some(
      (owner) => owner.kind === "Deployment" && owner.uid === deployment.metadata.uid,
    ),
  );
}

async function deployment(name: string): Promise<KubeObject> {
  const answer = await client.read("apps/v1", "Deployment", NAMESPACE, name);
  expect(answer.status, `Deployment ${name}`).toBe(200);
  return answer.body;
}

/** Waits until the deployment controller has observed the latest spec and made (or reused) a ReplicaSet for the current template. */
async function settled(
  name: string,
): Promise<{ deployment: KubeObject; replicaSets: KubeObject[] }> {
  const live = await client.waitFor("apps/v1", "Deployment", NAMESPACE, name, (object) => {
    const status = object.status as { observedGeneration?: number } | undefined;
    return status?.observedGeneration === object.metadata.generation;
  });
  return { deployment: live, replicaSets: await replicaSetsOf(live) };
}

const targetsOf = (objects: readonly KubeObject[]): Record<string, string[]> =>
  Object.fromEntries(
    objects.map((patch) => [
      patch.metadata.name,
      templateContainers(patch).map((container) => container.name),
    ]),
  );

const revisionOf = (rs: KubeObject): string =>
  rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "?";

describe("streaming env patches on AppHub's Deployments, sent as Pulumi sends them", () => {
  const injected = new Map<string, Container[]>();
  const firstReplicaSets = new Map<string, string[]>();

  beforeAll(async () => {
    await startKube();
    client = new KubeClient();
    const out = await renderRepoStacksInto(["minikube"]);
    const result = readRender(path.join(out, "minikube"));
    expect(result.status, result.stderr).toBe(0);
    patches = result.patches.map((patch) => ({
      ...patch,
      metadata: { ...patch.metadata, namespace: NAMESPACE },
    }));
    expect(patches).toHaveLength(12);
    for (const patch of patches) injected.set(patch.metadata.name, templateContainers(patch));

    await client.recreateNamespace(NAMESPACE, RESTRICTED_NAMESPACE_LABELS);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apphub-stubs-")), "apphub.yaml");
    fs.writeFileSync(file, appHubManifest(NAMESPACE, targetsOf(patches)));
    // Client-side, as AppHub applies its manifests today.
    const applied = kubectl(["apply", "-f", file]);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    for (const patch of patches) {
      const { replicaSets } = await settled(patch.metadata.name);
      expect(replicaSets).toHaveLength(1);
      firstReplicaSets.set(
        patch.metadata.name,
        replicaSets.map((rs) => rs.metadata.name),
      );
    }
  }, 300_000);

  it("the patches carry our field manager and force, and the server accepts each without a warning", async () => {
    for (const patch of patches) {
      expect(patch.metadata.annotations).toMatchObject({
        "pulumi.com/patchFieldManager": FIELD_MANAGER,
        "pulumi.com/patchForce": "true",
      });
      const answer = await client.apply(patch, { fieldManager: FIELD_MANAGER, force: true });
      expect(answer.status, `${patch.metadata.name}: ${JSON.stringify(answer.body)}`).toBe(200);
      expect(answer.warnings).toEqual([]);
    }
  });

  it("envFrom, the image and the team's own env stay; every injected entry is added, overriding the team's value of the flag", async () => {
    for (const patch of patches) {
      const name = patch.metadata.name;
      const live = await deployment(name);
      for (const wanted of injected.get(name)!) {
        const container = templateContainers(live).find(
          (candidate) => candidate.name === wanted.name,
        )!;
        expect(container.image).toBe(IMAGE);
        expect(container.envFrom).toEqual([CONFIG_MAP_REF]);
        expect(container.env).toContainEqual(TEAM_ENV);
        for (const entry of wanted.env!)
          expect(container.env, `${name}/${container.name}`).toContainEqual(entry);
        // One entry per name: the injected value replaced the team's, it was not added beside it.
        const names = container.env!.map((entry) => entry.name);
        expect(new Set(names).size).toBe(names.length);
        expect(container.env!.find((entry) => entry.name === "APPHUB_STREAMING_ENABLED")).toEqual({
          name: "APPHUB_STREAMING_ENABLED",
          value: "1",
        });
      }
      const managers = live.metadata.managedFields!.map(
        (entry) => `${entry.manager}/${entry.operation}`,
      );
      expect(managers).toEqual(
        expect.arrayContaining(["kubectl-client-side-apply/Update", `${FIELD_MANAGER}/Apply`]),
      );
    }
  });

  it("the pods roll: the deployment controller makes a new ReplicaSet whose pods carry the streaming env", async () => {
    for (const patch of patches) {
      const name = patch.metadata.name;
      const { deployment: live, replicaSets } = await settled(name);
      const fresh = replicaSets.filter(
        (rs) => !firstReplicaSets.get(name)!.includes(rs.metadata.name),
      );
      expect(fresh, name).toHaveLength(1);
      expect(revisionOf(fresh[0]!)).toBe("2");
      expect(templateContainers(fresh[0]!)[0]!.env).toContainEqual({
        name: "APPHUB_STREAMING_ENABLED",
        value: "1",
      });
      expect(live.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    }
  });

  it("relinquishing (what pulumi destroy sends) removes every injected entry and leaves the Deployments", async () => {
    for (const patch of patches) {
      const identity: KubeObject = {
        apiVersion: patch.apiVersion,
        kind: patch.kind,
        metadata: { name: patch.metadata.name, namespace: NAMESPACE },
      };
      const answer = await client.apply(identity, { fieldManager: FIELD_MANAGER });
      expect(answer.status, `${patch.metadata.name}: ${JSON.stringify(answer.body)}`).toBe(200);
      expect(answer.warnings).toEqual([]);
    }
    for (const patch of patches) {
      const name = patch.metadata.name;
      const live = await deployment(name);
      expect(live.metadata.managedFields!.map((entry) => entry.manager)).not.toContain(
        FIELD_MANAGER,
      );
      for (const container of templateContainers(live)) {
        expect(container.image).toBe(IMAGE);
        expect(container.envFrom).toEqual([CONFIG_MAP_REF]);
        if (name === TEAM_SETS_FLAG) {
          // The team's own manifest set APPHUB_STREAMING_ENABLED too. `force` moved that field to us; giving
          // it up leaves the entry behind with no value: an empty override of the ConfigMap's "false".
          expect(container.env).toEqual([TEAM_ENV, { name: "APPHUB_STREAMING_ENABLED" }]);
        } else {
          expect(container.env).toEqual([TEAM_ENV]);
        }
      }
    }
  });

  it("AppHub's next kubectl apply of its own manifest restores the variable it sets", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apphub-stubs-")), "apphub.yaml");
    fs.writeFileSync(file, appHubManifest(NAMESPACE, targetsOf(patches)));
    const applied = kubectl(["apply", "-f", file]);
    expect(applied.status, applied.stderr).toBe(0);
    const live = await deployment(TEAM_SETS_FLAG);
    expect(templateContainers(live)[0]!.env).toEqual([TEAM_ENV, TEAM_FLAG]);
  });

  it("what an operator must not run: kubectl apply --server-side of a patch takes every field of AppHub's manifest, and relinquishing then fails", async () => {
    const victim = patches.find((patch) => patch.metadata.name === "apphub-timestore-lifecycle")!;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apphub-patch-")), "patch.yaml");
    fs.writeFileSync(file, JSON.stringify(victim));
    const applied = kubectl([
      "apply",
      "--server-side",
      "--force-conflicts",
      `--field-manager=${FIELD_MANAGER}`,
      "-f",
      file,
    ]);
    expect(applied.status, applied.stderr).toBe(0);
    // kubectl migrated the client-side owner's fields (image, selector, envFrom, the team's env) to our manager.
    const migrated = await deployment(victim.metadata.name);
    const managers = migrated.metadata.managedFields!.map(
      (entry) => `${entry.manager}/${entry.operation}`,
    );
    expect(managers).toContain(`${FIELD_MANAGER}/Apply`);
    expect(managers).not.toContain("kubectl-client-side-apply/Update");
    // Relinquishing would now remove the whole spec: the server refuses, so `pulumi destroy` of that patch fails.
    const identity: KubeObject = {
      apiVersion: victim.apiVersion,
      kind: victim.kind,
      metadata: { name: victim.metadata.name, namespace: NAMESPACE },
    };
    const relinquished = await client.apply(identity, { fieldManager: FIELD_MANAGER });
    expect(relinquished.status).toBe(422);
    const message = (relinquished.body as unknown as { message: string }).message;
    expect(message).toContain("spec.selector: Required value");
    expect(message).toContain("spec.template.spec.containers: Required value");
    const after = await deployment(victim.metadata.name);
    expect(templateContainers(after)[0]!.image).toBe(IMAGE);
  });
});
