/**
 * The rendered server-side-apply patches that switch core and timestore to streaming.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { coreStreamingEnv } from "../support/coreRules";
import { MASK } from "../../src/render/capture";
import type { RenderedResource } from "../../src/render/write";
import { kubeStackYaml } from "../support/config";
import type { EnvVar } from "../support/kubeObjects";
import {
  customDescendants,
  renderRepoStack,
  renderStackYaml,
  resourcesOfType,
  type RenderResult,
} from "../support/render";

const PATCH = "kubernetes:apps/v1:DeploymentPatch";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const TOPIC_BOOTSTRAP = "apphub:streaming:TopicBootstrap";

/** SPEC, "Facts": the core and timestore deployments and the containers that run AppHub code. */
const SPEC_TARGETS: Record<string, string[]> = {
  "apphub-core-api": ["api", "module-services"],
  "apphub-core-ingest": ["worker"],
  "apphub-core-builds": ["worker"],
  "apphub-core-launches": ["worker"],
  "apphub-core-workflows": ["worker"],
  "apphub-core-materializer": ["worker"],
  "apphub-core-events": ["worker"],
  "apphub-core-triggers": ["worker"],
  "apphub-timestore-api": ["api"],
  "apphub-timestore-ingest": ["worker"],
  "apphub-timestore-partitions": ["worker"],
  "apphub-timestore-lifecycle": ["worker"],
};

interface PatchInputs {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: { template: { spec: { containers: { name: string; env: EnvVar[] }[] } } };
}

const TOPIC_ENV = [
  { name: "APPHUB_STREAM_TOPIC_WORKFLOW_RUNS", value: "apphub.workflows.runs" },
  { name: "APPHUB_STREAM_TOPIC_WORKFLOW_EVENTS", value: "apphub.workflows.events" },
  { name: "APPHUB_STREAM_TOPIC_JOB_RUNS", value: "apphub.jobs.runs" },
  { name: "APPHUB_STREAM_TOPIC_INGESTION", value: "apphub.ingestion.telemetry" },
  { name: "APPHUB_STREAM_TOPIC_CORE_EVENTS", value: "apphub.core.events" },
];
const SEQUENCER_REF = {
  name: "APPHUB_EVENT_SEQUENCE_DATABASE_URL",
  valueFrom: { secretKeyRef: { name: "apphub-sequencer-db", key: "url" } },
};

const MIRRORS_ON_YAML = kubeStackYaml("minikube", [
  "  apphub-streaming:streaming:",
  "    enabled: true",
  "    brokerUrl: apphub-redpanda-0.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092,apphub-redpanda-1.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092",
  "    clientId: apphub-core-stream-minikube",
  "    publishTimeoutMs: 15000",
  "    mirrors:",
  "      workflowRuns: true",
  "      workflowEvents: true",
  "      jobRuns: true",
  "      ingestion: false",
  "      coreEvents: true",
]);

const MIRRORS_ON_ENV: EnvVar[] = [
  { name: "APPHUB_STREAMING_ENABLED", value: "1" },
  {
    name: "APPHUB_STREAM_BROKER_URL",
    value:
      "apphub-redpanda-0.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092,apphub-redpanda-1.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092",
  },
  { name: "APPHUB_STREAM_MIRROR_WORKFLOW_RUNS", value: "1" },
  { name: "APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS", value: "1" },
  { name: "APPHUB_STREAM_MIRROR_JOB_RUNS", value: "1" },
  { name: "APPHUB_STREAM_MIRROR_INGESTION", value: "0" },
  { name: "APPHUB_STREAM_MIRROR_CORE_EVENTS", value: "1" },
  { name: "APPHUB_STREAM_CLIENT_ID", value: "apphub-core-stream-minikube" },
  { name: "APPHUB_STREAM_CONNECT_TIMEOUT_MS", value: "5000" },
  { name: "APPHUB_STREAM_PUBLISH_TIMEOUT_MS", value: "15000" },
  ...TOPIC_ENV,
  SEQUENCER_REF,
];

const MINIKUBE_ENV: EnvVar[] = [
  { name: "APPHUB_STREAMING_ENABLED", value: "1" },
  { name: "APPHUB_STREAM_BROKER_URL", value: "apphub-redpanda:9092" },
  { name: "APPHUB_STREAM_MIRROR_WORKFLOW_RUNS", value: "0" },
  { name: "APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS", value: "0" },
  { name: "APPHUB_STREAM_MIRROR_JOB_RUNS", value: "0" },
  { name: "APPHUB_STREAM_MIRROR_INGESTION", value: "0" },
  { name: "APPHUB_STREAM_MIRROR_CORE_EVENTS", value: "0" },
  { name: "APPHUB_STREAM_CLIENT_ID", value: "apphub-core-stream" },
  { name: "APPHUB_STREAM_CONNECT_TIMEOUT_MS", value: "5000" },
  { name: "APPHUB_STREAM_PUBLISH_TIMEOUT_MS", value: "10000" },
  ...TOPIC_ENV,
  SEQUENCER_REF,
];

/** Prod keeps streaming off: every flag "0", and no Secret reference pods would wait for. */
const PROD_ENV: EnvVar[] = MINIKUBE_ENV.filter((entry) => entry.name !== SEQUENCER_REF.name).map(
  (entry) => (entry.name === "APPHUB_STREAMING_ENABLED" ? { ...entry, value: "0" } : entry),
);

const patches = (result: RenderResult) => resourcesOfType(result, PATCH);
const inputsOf = (patch: RenderedResource) => patch.inputs as unknown as PatchInputs;

/** The literal entries of one container, the way the container runtime hands them to core. */
function literalEnv(env: EnvVar[]): Record<string, string> {
  return Object.fromEntries(
    env.flatMap((entry) => (entry.value === undefined ? [] : [[entry.name, entry.value]])),
  );
}

const cases = [
  {
    title: "minikube (streaming on, mirrors unset)",
    render: () => renderRepoStack("minikube"),
    env: MINIKUBE_ENV,
  },
  {
    title: "a stack with streaming on and mirrors set",
    render: () => renderStackYaml("streaming-on", MIRRORS_ON_YAML),
    env: MIRRORS_ON_ENV,
  },
  { title: "prod (streaming off)", render: () => renderRepoStack("prod"), env: PROD_ENV },
];

for (const { title, render, env } of cases) {
  describe(`streaming env patches: ${title}`, () => {
    let result: RenderResult;
    beforeAll(async () => {
      result = await render();
    });

    it("renders one patch per default target, in the stack's namespace", () => {
      expect(result.status, result.stderr).toBe(0);
      const rendered = patches(result).map(inputsOf);
      expect(rendered.map((patch) => patch.metadata.name).sort()).toEqual(
        Object.keys(SPEC_TARGETS).sort(),
      );
      for (const patch of rendered) {
        expect([patch.apiVersion, patch.kind, patch.metadata.namespace]).toEqual([
          "apps/v1",
          "Deployment",
          "apphub-system",
        ]);
      }
    });

    for (const [deployment, containers] of Object.entries(SPEC_TARGETS)) {
      it(`${deployment}: exactly the streaming env in ${containers.join(", ")}`, () => {
        const patch = patches(result)
          .map(inputsOf)
          .find((candidate) => candidate.metadata.name === deployment);
        expect(patch?.spec.template.spec.containers).toEqual(
          containers.map((name) => ({ name, env })),
        );
      });
    }

    it("never writes envFrom, nor anything outside the containers' env", () => {
      for (const patch of patches(result).map(inputsOf)) {
        expect(JSON.stringify(patch)).not.toContain("envFrom");
        expect(Object.keys(patch.spec)).toEqual(["template"]);
        expect(Object.keys(patch.spec.template.spec)).toEqual(["containers"]);
        for (const container of patch.spec.template.spec.containers)
          expect(Object.keys(container).sort()).toEqual(["env", "name"]);
      }
    });

    it("carries secrets only by reference: no literal database URL, no masked value", () => {
      for (const patch of patches(result).map(inputsOf)) {
        const text = JSON.stringify(patch);
        expect(text).not.toContain(MASK);
        expect(text).not.toMatch(/postgres(ql)?:\/\//);
        for (const container of patch.spec.template.spec.containers) {
          for (const entry of container.env) {
            expect(entry.value === undefined || entry.valueFrom === undefined).toBe(true);
            if (entry.name === "APPHUB_EVENT_SEQUENCE_DATABASE_URL")
              expect(entry.value).toBeUndefined();
          }
        }
      }
    });

    it("has the annotations server-side apply needs: forced, under this program's field manager", () => {
      for (const patch of patches(result).map(inputsOf)) {
        expect(patch.metadata.annotations).toEqual({
          "pulumi.com/patchForce": "true",
          "pulumi.com/patchFieldManager": "apphub-streaming",
        });
      }
    });

    it("leaves the deployments in place on destroy: patches are not retained, protected or replaced", () => {
      for (const patch of patches(result)) {
        expect(patch.options).toMatchObject({
          retainOnDelete: false,
          protect: false,
          deleteBeforeReplace: false,
        });
      }
    });
  });
}

describe("what core reads from the patched env (zod mirror of core's rules)", () => {
  it("streaming on with mirrors set: enabled, both brokers, exactly the configured mirrors", async () => {
    const result = await renderStackYaml("streaming-on", MIRRORS_ON_YAML);
    for (const patch of patches(result).map(inputsOf)) {
      for (const container of patch.spec.template.spec.containers) {
        const settings = coreStreamingEnv.parse(literalEnv(container.env));
        expect(settings.enabled).toBe(true);
        expect(settings.brokers).toEqual([
          "apphub-redpanda-0.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092",
          "apphub-redpanda-1.apphub-redpanda-headless.apphub-system.svc.cluster.local:9092",
        ]);
        expect(settings.mirrors).toEqual({
          workflowRuns: true,
          workflowEvents: true,
          jobRuns: true,
          ingestion: false,
          coreEvents: true,
        });
        expect(settings.publishTimeoutMs).toBe(15000);
      }
    }
  });

  it("streaming off: disabled and every mirror off", () => {
    const result = renderRepoStack("prod");
    for (const patch of patches(result).map(inputsOf)) {
      for (const container of patch.spec.template.spec.containers) {
        const settings = coreStreamingEnv.parse(literalEnv(container.env));
        expect(settings.enabled).toBe(false);
        expect(Object.values(settings.mirrors)).toEqual([false, false, false, false, false]);
      }
    }
  });
});

describe("gating: streaming reaches the pods only after healthy brokers and every topic", () => {
  for (const stack of ["minikube", "prod"]) {
    it(`${stack}: every patch depends on the StatefulSet and on all topic resources`, () => {
      const result = renderRepoStack(stack);
      const statefulSets = resourcesOfType(result, STATEFUL_SET).map((resource) => resource.name);
      const [bootstrap] = resourcesOfType(result, TOPIC_BOOTSTRAP);
      const topics = customDescendants(result, bootstrap?.name ?? "").map(
        (resource) => resource.name,
      );
      expect(statefulSets).toHaveLength(1);
      expect(topics).toHaveLength(7);
      expect(patches(result)).toHaveLength(12);
      for (const patch of patches(result)) {
        expect(patch.parent).toBe("apphub-streaming-env");
        expect(patch.dependsOn).toEqual(expect.arrayContaining([...statefulSets, ...topics]));
      }
    });
  }
});

describe("configured targets", () => {
  it("patches only the configured deployments and containers", async () => {
    const result = await renderStackYaml(
      "targets",
      kubeStackYaml("minikube", [
        "  apphub-streaming:namespace: apphub",
        "  apphub-streaming:streaming:",
        "    enabled: true",
        "    sequencerSecret:",
        "      name: sequencer-db",
        "      key: database-url",
        "    targets:",
        "      apphub-core-api: [api]",
        "      apphub-timestore-api: [api, compactor]",
      ]),
    );
    expect(result.status, result.stderr).toBe(0);
    const rendered = patches(result).map(inputsOf);
    expect(
      rendered.map((patch) => [
        patch.metadata.namespace,
        patch.metadata.name,
        patch.spec.template.spec.containers.map((c) => c.name),
      ]),
    ).toEqual([
      ["apphub", "apphub-core-api", ["api"]],
      ["apphub", "apphub-timestore-api", ["api", "compactor"]],
    ]);
    const ref = rendered[0]?.spec.template.spec.containers[0]?.env.find(
      (entry) => entry.name === "APPHUB_EVENT_SEQUENCE_DATABASE_URL",
    );
    expect(ref).toEqual({
      name: "APPHUB_EVENT_SEQUENCE_DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "sequencer-db", key: "database-url" } },
    });
  });

  it("refuses a loopback broker on Kubernetes before declaring anything", async () => {
    const result = await renderStackYaml(
      "loopback",
      kubeStackYaml("minikube", [
        "  apphub-streaming:streaming:",
        "    enabled: true",
        "    brokerUrl: 127.0.0.1:19092",
      ]),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      "apphub-streaming:streaming.brokerUrl: expected an address the core and timestore pods can reach",
    );
    expect(result.resources).toEqual([]);
  });
});
