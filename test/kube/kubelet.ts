/**
 * The kube test peer has no kubelet, scheduler, StatefulSet controller or endpoints controller:
 * pods never run, so a StatefulSet never becomes ready and a Service never gets endpoints, and
 * Pulumi's Kubernetes provider (which waits for both) would wait until its timeout. This stand-in
 * does, through the API, what those components would report once the brokers run: it marks a
 * StatefulSet's replicas ready and current through the status subresource, marks the pods of
 * ReplicaSets (the AppHub Deployments) running and ready so their rollouts complete, and publishes
 * an Endpoints object for each Service with a selector. It writes status only; specs stay theirs.
 */
import type { KubeObject, PodSpec, PodStatus, StatefulSetSpec } from "../support/kubeObjects";
import type { KubeClient } from "./client";

const STAND_IN = "apphub-e2e-kubelet-stand-in";

/**
 * What the StatefulSet controller reports once every pod of the current revision is ready.
 * False when the StatefulSet was deleted since it was listed (a destroy racing the poll): there
 * is nothing to report on.
 */
export async function markStatefulSetReady(client: KubeClient, live: KubeObject): Promise<boolean> {
  const replicas = (live.spec as StatefulSetSpec).replicas ?? 1;
  const revision = `${live.metadata.name}-stand-in-${live.metadata.generation ?? 1}`;
  const status = {
    observedGeneration: live.metadata.generation,
    replicas,
    readyReplicas: replicas,
    currentReplicas: replicas,
    updatedReplicas: replicas,
    availableReplicas: replicas,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
  const path = `${await client.pathOf(live)}/status`;
  const answer = await client.request("PATCH", path, { status }, "application/merge-patch+json");
  if (answer.status === 404) return false;
  if (answer.status !== 200)
    throw new Error(
      `marking StatefulSet ${live.metadata.name} ready: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  return true;
}

const isReady = (pod: KubeObject): boolean =>
  ((pod.status as PodStatus | undefined)?.conditions ?? []).some(
    (condition) => condition.type === "Ready" && condition.status === "True",
  );

/**
 * What a kubelet reports once a pod's containers run and pass their readiness probes. The
 * ReplicaSet controller counts the pod available from it, and the deployment controller then
 * finishes the rollout (which is what Pulumi's DeploymentPatch waits for).
 */
export async function markPodReady(client: KubeClient, pod: KubeObject): Promise<void> {
  const now = new Date().toISOString();
  const containers = (pod.spec as PodSpec).containers;
  const status = {
    phase: "Running",
    startTime: now,
    podIP: "10.244.0.20",
    conditions: ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({
      type,
      status: "True",
      lastTransitionTime: now,
    })),
    containerStatuses: containers.map((container) => ({
      name: container.name,
      image: container.image,
      imageID: "",
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
  const path = `${await client.pathOf(pod)}/status`;
  const answer = await client.request("PATCH", path, { status }, "application/merge-patch+json");
  if (answer.status !== 200 && answer.status !== 404)
    throw new Error(
      `marking Pod ${pod.metadata.name} ready: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}

/** What the endpoints controller publishes for a Service whose selected pods are ready. */
export async function publishEndpoints(client: KubeClient, service: KubeObject): Promise<void> {
  const ports = (
    (
      service.spec as {
        ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
      }
    ).ports ?? []
  ).map((port) => ({
    ...(port.name ? { name: port.name } : {}),
    port: typeof port.targetPort === "number" ? port.targetPort : port.port,
    protocol: port.protocol ?? "TCP",
  }));
  const endpoints: KubeObject = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: {
      name: service.metadata.name,
      namespace: service.metadata.namespace ?? "default",
      labels: { "app.kubernetes.io/managed-by": STAND_IN },
    },
    subsets: [{ addresses: [{ ip: "10.244.0.10" }], ports }],
  };
  const answer = await client.apply(endpoints, { fieldManager: STAND_IN, force: true });
  if (answer.status !== 200 && answer.status !== 201)
    throw new Error(
      `Endpoints ${service.metadata.name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}

export interface StandInOptions {
  namespace: string;
  /** How long a StatefulSet stays not ready after it first appears, so a test can watch what happens meanwhile. */
  holdMs: number;
  /** Called on every poll while a StatefulSet is held not ready. */
  whileHeld?: () => Promise<void>;
  pollMs?: number;
}

export interface StandInReport {
  /** StatefulSet name → when it was marked ready (ms since epoch). */
  markedReady: Map<string, number>;
  endpointsFor: Set<string>;
  /** Pods of ReplicaSets marked running and ready. */
  podsReady: Set<string>;
  errors: string[];
}

/**
 * Polls the namespace until stop() is called: each new StatefulSet generation is marked ready
 * after holdMs, each pod of a ReplicaSet is marked ready, and each Service with a selector gets
 * Endpoints.
 */
export function standInForKubelet(
  client: KubeClient,
  options: StandInOptions,
): { report: StandInReport; stop: () => Promise<StandInReport> } {
  const report: StandInReport = {
    markedReady: new Map(),
    endpointsFor: new Set(),
    podsReady: new Set(),
    errors: [],
  };
  const firstSeen = new Map<string, number>();
  const markedGeneration = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const service of await client.list("v1", "Service", options.namespace)) {
          const selector = (service.spec as { selector?: Record<string, string> }).selector;
          if (
            !selector ||
            Object.keys(selector).length === 0 ||
            report.endpointsFor.has(service.metadata.name)
          )
            continue;
          await publishEndpoints(client, service);
          report.endpointsFor.add(service.metadata.name);
        }
        for (const statefulSet of await client.list("apps/v1", "StatefulSet", options.namespace)) {
          const key = `${statefulSet.metadata.name}@${statefulSet.metadata.generation}`;
          if (markedGeneration.get(statefulSet.metadata.name) === statefulSet.metadata.generation)
            continue;
          if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
          if (Date.now() - firstSeen.get(key)! < options.holdMs) {
            await options.whileHeld?.();
            continue;
          }
          if (!(await markStatefulSetReady(client, statefulSet))) continue;
          markedGeneration.set(statefulSet.metadata.name, statefulSet.metadata.generation ?? 1);
          report.markedReady.set(statefulSet.metadata.name, Date.now());
        }
        for (const pod of await client.list("v1", "Pod", options.namespace)) {
          const ownedByReplicaSet = pod.metadata.ownerReferences?.some(
            (owner) => owner.kind === "ReplicaSet",
          );
          if (!ownedByReplicaSet || pod.metadata.deletionTimestamp || isReady(pod)) continue;
          await markPodReady(client, pod);
          report.podsReady.add(pod.metadata.name);
        }
      } catch (error) {
        report.errors.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  })();
  return {
    report,
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}
