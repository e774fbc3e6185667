/**
 * `pulumi up` and `pulumi destroy` of a minikube-shaped stack through the real Pulumi CLI and its
 * Kubernetes provider plugin, against the kube peer (the API server) and the single Kafka peer
 * (the brokers). No kubelet runs there, so a stand-in marks the StatefulSet ready (status
 * subresource) and publishes the client Service's Endpoints, after holding it not ready for a
 * while. The gating order is proven twice: on the server (while the StatefulSet is held, no topic
 * exists and no Deployment carries our field manager) and in the engine's own event log (every
 * DeploymentPatch step starts after the StatefulSet and every topic completed).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIELD_MANAGER } from "../../src/env/kubernetes";
import { ensureKubernetesPlugin } from "../peers/engines";
import { SINGLE_BROKERS } from "../peers/kafka";
import { kubeconfigPath, startKube } from "../peers/kube";
import {
  CONFIG_MAP_REF,
  STUB_IMAGE,
  TEAM_ENV,
  TEAM_FLAG,
  TEAM_SETS_FLAG,
  appHubManifest,
} from "../kube/apphub";
import { KubeClient, RESTRICTED_NAMESPACE_LABELS } from "../kube/client";
import { type KubeObject, templateContainers } from "../support/kubeObjects";
import { standInForKubelet } from "../kube/kubelet";
import { kubectl } from "../kube/support";
import { seedTopicsOff, validConfig } from "../support/config";
import { deleteTestTopics } from "../support/kafkaAdmin";
import { PulumiWorkspace, uniqueStack } from "./support/pulumi";

const NAMESPACE = "apphub-pulumi";
const HOLD_MS = 20_000;

interface EngineEvent {
  sequence: number;
  resourcePreEvent?: { metadata: { op: string; urn: string; type: string } };
  resOutputsEvent?: { metadata: { op: string; urn: string; type: string } };
}

function readEventLog(file: string): EngineEvent[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as EngineEvent);
}

describe("pulumi up of a minikube-shaped stack on the real API server", () => {
  const prefix = `e2e.kube.${Date.now().toString(36)}`;
  const topicNames = [`${prefix}.core.events`, `${prefix}.workflows.runs`, `${prefix}.jobs.runs`];
  const stackConfig: Record<string, unknown> = {
    environment: "minikube",
    namespace: NAMESPACE,
    kafka: { brokers: SINGLE_BROKERS },
    backup: { enabled: false },
    streaming: { enabled: true },
    // Fresh topic names per run on the shared single-broker peer: the seeds are left to other suites.
    topics: {
      ...seedTopicsOff(),
      [topicNames[0]!]: { role: "coreEvents", partitions: 2, replicationFactor: 1 },
      [topicNames[1]!]: { role: "workflowRuns", partitions: 2, replicationFactor: 1 },
      [topicNames[2]!]: { role: "jobRuns", partitions: 1, replicationFactor: 1 },
    },
  };
  const targets = validConfig(stackConfig).streaming.targets;
  const admin = new Kafka({
    clientId: "apphub-e2e-kube",
    brokers: SINGLE_BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  const stack = uniqueStack("kube");
  let ws: PulumiWorkspace;
  let client: KubeClient;
  const firstReplicaSet = new Map<string, string>();

  const existingTopics = async (): Promise<string[]> =>
    (await admin.listTopics()).filter((topic) => topicNames.includes(topic)).sort();
  const patchedDeployments = async (): Promise<string[]> =>
    (await client.list("apps/v1", "Deployment", NAMESPACE))
      .filter((deployment) =>
        deployment.metadata.managedFields?.some((entry) => entry.manager === FIELD_MANAGER),
      )
      .map((deployment) => deployment.metadata.name);
  const deployment = async (name: string): Promise<KubeObject> => {
    const answer = await client.read("apps/v1", "Deployment", NAMESPACE, name);
    expect(answer.status, name).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    await ensureKubernetesPlugin();
    await startKube();
    client = new KubeClient();
    await admin.connect();
    await client.recreateNamespace(NAMESPACE, RESTRICTED_NAMESPACE_LABELS);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "apphub-stubs-")), "apphub.yaml");
    fs.writeFileSync(file, appHubManifest(NAMESPACE, targets));
    const applied = kubectl(["apply", "-f", file]);
    expect(applied.status, applied.stderr).toBe(0);
    for (const name of Object.keys(targets)) {
      const live = await client.waitFor(
        "apps/v1",
        "Deployment",
        NAMESPACE,
        name,
        (object) =>
          (object.status as { observedGeneration?: number } | undefined)?.observedGeneration === 1,
      );
      const replicaSets = (await client.list("apps/v1", "ReplicaSet", NAMESPACE)).filter((rs) =>
        rs.metadata.ownerReferences?.some((owner) => owner.uid === live.metadata.uid),
      );
      expect(replicaSets, name).toHaveLength(1);
      firstReplicaSet.set(name, replicaSets[0]!.metadata.name);
    }
    ws = await PulumiWorkspace.create("kube");
    await ws.initStack(stack, { ...stackConfig, "kubernetes:kubeconfig": kubeconfigPath() });
  }, 600_000);

  afterAll(async () => {
    await admin.disconnect().catch(() => undefined);
    ws?.dispose();
    await deleteTestTopics("apphub-e2e-kube", SINGLE_BROKERS, (topic) =>
      topicNames.includes(topic),
    );
  });

  it("up: the patches wait for the ready StatefulSet and every topic, then inject the env and roll the pods", async () => {
    const heldChecks: { topics: string[]; patched: string[] }[] = [];
    const standIn = standInForKubelet(client, {
      namespace: NAMESPACE,
      holdMs: HOLD_MS,
      whileHeld: async () => {
        heldChecks.push({ topics: await existingTopics(), patched: await patchedDeployments() });
      },
    });
    const eventLog = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), "apphub-events-")),
      "events.json",
    );
    let up;
    try {
      // --event-log exists only with PULUMI_DEBUG_COMMANDS set (pkg/cmd/pulumi/operations/up.go).
      up = await ws.pulumi(["up", "--yes", "--event-log", eventLog], {
        stack,
        allowFailure: true,
        env: { PULUMI_DEBUG_COMMANDS: "true" },
      });
    } finally {
      await standIn.stop();
    }
    expect(up.code, up.output.slice(-6000)).toBe(0);
    expect(standIn.report.errors).toEqual([]);
    expect([...standIn.report.markedReady.keys()]).toEqual(["apphub-redpanda"]);
    // The patches waited for each rollout: the pods of the new ReplicaSets had to be reported ready.
    expect(standIn.report.podsReady.size).toBeGreaterThanOrEqual(Object.keys(targets).length);

    // On the server: while the StatefulSet was not ready, no topic was created and no Deployment patched.
    expect(heldChecks.length).toBeGreaterThan(10);
    expect(
      heldChecks.filter((check) => check.topics.length > 0 || check.patched.length > 0),
    ).toEqual([]);

    // In the engine's own order of steps.
    const events = readEventLog(eventLog);
    const finished = (type: string) =>
      events
        .filter((event) => event.resOutputsEvent?.metadata.type === type)
        .map((event) => event.sequence);
    const started = (type: string) =>
      events
        .filter((event) => event.resourcePreEvent?.metadata.type === type)
        .map((event) => event.sequence);
    const statefulSetDone = finished("kubernetes:apps/v1:StatefulSet");
    const topicsDone = finished("pulumi-nodejs:dynamic/streaming:KafkaTopic");
    const patchesStarted = started("kubernetes:apps/v1:DeploymentPatch");
    expect(statefulSetDone).toHaveLength(1);
    expect(topicsDone).toHaveLength(topicNames.length);
    expect(patchesStarted).toHaveLength(Object.keys(targets).length);
    const gate = Math.max(...statefulSetDone, ...topicsDone);
    expect(patchesStarted.filter((sequence) => sequence < gate)).toEqual([]);

    expect(await existingTopics()).toEqual([...topicNames].sort());
    for (const [name, containerNames] of Object.entries(targets)) {
      const live = await deployment(name);
      for (const container of templateContainers(live)) {
        expect(containerNames).toContain(container.name);
        expect(container.image).toBe(STUB_IMAGE);
        expect(container.envFrom).toEqual([CONFIG_MAP_REF]);
        expect(container.env).toContainEqual(TEAM_ENV);
        expect(container.env).toContainEqual({ name: "APPHUB_STREAMING_ENABLED", value: "1" });
        expect(container.env).toContainEqual({
          name: "APPHUB_STREAM_TOPIC_CORE_EVENTS",
          value: topicNames[0],
        });
      }
      const rolled = await client.waitFor(
        "apps/v1",
        "Deployment",
        NAMESPACE,
        name,
        (object) => object.metadata.annotations?.["deployment.kubernetes.io/revision"] === "2",
      );
      expect(rolled.metadata.name).toBe(name);
    }
  });

  it("destroy: the Deployments stay, the injected entries go, the topics stay on the broker", async () => {
    // Relinquishing the patches rolls the pods again; the stand-in reports them ready as a kubelet would.
    const standIn = standInForKubelet(client, { namespace: NAMESPACE, holdMs: 0 });
    let down;
    try {
      down = await ws.pulumi(["destroy", "--yes"], { stack, allowFailure: true });
    } finally {
      await standIn.stop();
    }
    expect(down.code, down.output.slice(-6000)).toBe(0);
    expect(standIn.report.errors).toEqual([]);
    expect(down.output).toMatch(/delete\[retain\]|retain/);
    for (const [name] of Object.entries(targets)) {
      const live = await deployment(name);
      for (const container of templateContainers(live)) {
        expect(container.image).toBe(STUB_IMAGE);
        expect(container.envFrom).toEqual([CONFIG_MAP_REF]);
        // What the team's own manifest set stays; of ours, only the flag the team also set is left, empty.
        expect(container.env).toEqual(
          name === TEAM_SETS_FLAG ? [TEAM_ENV, { name: TEAM_FLAG.name }] : [TEAM_ENV],
        );
      }
    }
    expect((await client.read("apps/v1", "StatefulSet", NAMESPACE, "apphub-redpanda")).status).toBe(
      404,
    );
    expect(await existingTopics()).toEqual([...topicNames].sort());
  });
});
