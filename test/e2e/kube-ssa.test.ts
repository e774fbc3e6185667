/**
 * The rendered minikube and prod stacks against a real kube-apiserver (the kube test peer):
 * every object of kubernetes.yaml passes server-side apply with `dryRun=All` and
 * `fieldValidation=Strict` (what `kubectl apply --server-side --dry-run=server --validate=strict`
 * sends), then for real, in a namespace that enforces, warns and audits the PodSecurity
 * `restricted` profile, and the server answers without a single warning. `kubectl apply -f
 * kubernetes.yaml` works as the file's header says; `kubectl apply -f patches.yaml` does not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../src/env/kubernetes";
import { startKube } from "../peers/kube";
import { KubeClient, RESTRICTED_NAMESPACE_LABELS } from "../kube/client";
import { type KubeObject } from "../support/kubeObjects";
import { installTestCrds, kubectl } from "../kube/support";
import { readRender, renderRepoStacksInto } from "../support/render";

const STACKS = ["minikube", "prod"] as const;

interface Verdict {
  objects: number;
  rejected: string[];
  warnings: string[];
}

let client: KubeClient;
let renderDir: string;

beforeAll(async () => {
  await startKube();
  client = new KubeClient();
  [renderDir] = await Promise.all([renderRepoStacksInto(STACKS), installTestCrds(client)]);
}, 300_000);

function rendered(stack: string): { owned: KubeObject[]; dir: string } {
  const dir = path.join(renderDir, stack);
  const result = readRender(dir);
  expect(result.status, result.stderr).toBe(0);
  return { owned: result.owned, dir };
}

const label = (object: KubeObject): string => `${object.kind}/${object.metadata.name}`;

/** Applies every object once, as Pulumi does (our field manager), and collects what the server said. */
async function applyAll(objects: readonly KubeObject[], dryRun: boolean): Promise<Verdict> {
  const verdict: Verdict = { objects: objects.length, rejected: [], warnings: [] };
  for (const object of objects) {
    const answer = await client.apply(object, {
      fieldManager: FIELD_MANAGER,
      force: true,
      dryRun,
      fieldValidation: "Strict",
    });
    if (answer.status !== 200 && answer.status !== 201) {
      const message =
        (answer.body as unknown as { message?: string }).message ?? JSON.stringify(answer.body);
      verdict.rejected.push(`${label(object)}: HTTP ${answer.status} ${message}`);
    }
    for (const warning of answer.warnings) verdict.warnings.push(`${label(object)}: ${warning}`);
  }
  return verdict;
}

describe("the rendered Kubernetes objects on a real kube-apiserver (PodSecurity restricted)", () => {
  for (const stack of STACKS) {
    it(`${stack}: kubectl apply -f kubernetes.yaml works, then server-side apply dry-run strict and for real: nothing rejected, no warning`, async () => {
      const { owned, dir } = rendered(stack);
      const namespaces = [
        ...new Set(
          owned
            .map((object) => object.metadata.namespace)
            .filter((ns): ns is string => ns !== undefined),
        ),
      ];
      expect(namespaces).toEqual(["apphub-system"]);
      await client.recreateNamespace("apphub-system", RESTRICTED_NAMESPACE_LABELS);
      // Cluster-scoped objects (prod's StorageClass) outlive the namespace: start without them,
      // as a new cluster would, or kubectl warns that another writer made them.
      for (const object of owned.filter(
        (candidate) => candidate.metadata.namespace === undefined,
      )) {
        const removed = kubectl([
          "delete",
          object.kind.toLowerCase(),
          object.metadata.name,
          "--ignore-not-found",
          "--wait=true",
        ]);
        expect(removed.status, removed.stderr).toBe(0);
      }

      // What a user runs on the file, as its header says (a dry run: the server validates and admits).
      const plain = kubectl([
        "apply",
        "-f",
        path.join(dir, "kubernetes.yaml"),
        "--dry-run=server",
        "--validate=strict",
      ]);
      expect(plain.stderr).toBe("");
      expect(plain.status).toBe(0);
      expect(plain.stdout.trim().split("\n")).toHaveLength(owned.length);

      const dryRun = await applyAll(owned, true);
      const real = await applyAll(owned, false);
      console.log(
        `[kube-ssa] ${stack}: dry run ${JSON.stringify(dryRun)}; for real ${JSON.stringify(real)}`,
      );
      expect(dryRun).toEqual({ objects: owned.length, rejected: [], warnings: [] });
      expect(real).toEqual({ objects: owned.length, rejected: [], warnings: [] });

      // Each object is now on the server, owned by our field manager.
      for (const object of owned) {
        const live = await client.get(await client.pathOf(object));
        expect(live.status, label(object)).toBe(200);
        expect(
          live.body.metadata.managedFields?.map((entry) => `${entry.manager}/${entry.operation}`),
          label(object),
        ).toContain(`${FIELD_MANAGER}/Apply`);
      }
    });
  }

  it("prod renders a PrometheusRule and a ServiceMonitor, so the upstream CRDs are what the server validated them against", () => {
    const { owned } = rendered("prod");
    for (const kind of ["PrometheusRule", "ServiceMonitor"])
      expect(
        owned.filter((object) => object.kind === kind).map((object) => object.apiVersion),
        kind,
      ).toEqual(["monitoring.coreos.com/v1"]);
  });

  it("kubectl apply -f patches.yaml is refused for every patch (they are not objects), which is why they live apart", async () => {
    const dir = path.join(renderDir, "minikube");
    const patches = parseAllDocuments(fs.readFileSync(path.join(dir, "patches.yaml"), "utf8")).map(
      (doc) => doc.toJSON() as KubeObject,
    );
    expect(patches).toHaveLength(12);
    await client.recreateNamespace("apphub-system", RESTRICTED_NAMESPACE_LABELS);
    const result = kubectl(["apply", "-f", path.join(dir, "patches.yaml"), "--dry-run=server"]);
    expect(result.status).not.toBe(0);
    for (const patch of patches) {
      expect(result.stderr).toContain(`Deployment.apps "${patch.metadata.name}" is invalid: `);
    }
    expect(result.stderr).toContain("spec.selector: Required value");
  });
});
