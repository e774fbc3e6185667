/**
 * A lower `cluster.replicas` is refused before the StatefulSet changes: the ReplicaGuard
 * dynamic resource's `check(olds, news)` compares with the broker count in state. Driven from
 * the serialized provider text, as the engine's dynamic-provider host runs it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { replicaDecreaseRefusal } from "../../src/cluster/replicaGuard";
import { renderRepoStack } from "../support/render";
import { type DriveOutcome, driveProvider, runSerializationScript } from "../support/serialization";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-replica-guard-"));
const providerFile = path.join(dir, "provider.json");

interface CheckResult {
  failures: { property: string; reason: string }[];
}

function check(olds: object, news: object): Promise<DriveOutcome<CheckResult>> {
  return driveProvider<CheckResult>(providerFile, "check", [olds, news]);
}

beforeAll(async () => {
  const child = await runSerializationScript("serialize-replica-guard", [providerFile]);
  expect(child.code, child.stderr).toBe(0);
});

describe("replica decrease guard", () => {
  it("refuses 3 → 2 from the serialized provider, naming the key, the pods that would go and the runbook", async () => {
    const run = await check(
      { replicas: 3, decreaseDecommissioned: false, guardVersion: "1" },
      { replicas: 2, decreaseDecommissioned: false, guardVersion: "1" },
    );
    if (!run.ok) throw new Error(run.error);
    expect(run.result.failures).toHaveLength(1);
    expect(run.result.failures[0]?.property).toBe("replicas");
    expect(run.result.failures[0]?.reason).toContain(
      "apphub-streaming:cluster.replicas: expected at least 3",
    );
    expect(run.result.failures[0]?.reason).toContain("deletes apphub-redpanda-2");
    expect(run.result.failures[0]?.reason).toContain("rpk redpanda admin brokers decommission");
  });

  it("allows the first deploy, a scale-up, and a decrease the operator acknowledged after decommissioning", async () => {
    for (const [olds, news] of [
      [{}, { replicas: 3, decreaseDecommissioned: false }],
      [{ replicas: 3 }, { replicas: 5, decreaseDecommissioned: false }],
      [{ replicas: 5 }, { replicas: 3, decreaseDecommissioned: true }],
    ]) {
      const run = await check(olds!, news!);
      if (!run.ok) throw new Error(run.error);
      expect(run.result.failures, JSON.stringify([olds, news])).toEqual([]);
    }
    expect(replicaDecreaseRefusal(5, 3, false)).toContain(
      "deletes apphub-redpanda-3, apphub-redpanda-4",
    );
  });

  it("orders the StatefulSet after the guard, so a refused decrease changes no broker", () => {
    const sts = renderRepoStack("minikube").resources.find(
      (resource) => resource.type === "kubernetes:apps/v1:StatefulSet",
    );
    expect(sts?.dependsOn).toContain("apphub-redpanda-replicas");
  });
});
