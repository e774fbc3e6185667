import { parse as parseDotenv } from "dotenv";
import { describe, expect, it } from "vitest";
import { DEFAULT_STREAMING_TARGETS } from "../../src/config/schema";
import { coreStreamingEnv } from "../support/coreRules";
import { formatDotenv, formatDotenvValue } from "../../src/env/dotenv";
import {
  FIELD_MANAGER,
  PATCH_ANNOTATIONS,
  containerEnv,
  deploymentPatchPlans,
} from "../../src/env/kubernetes";
import {
  ALL_VARIABLES,
  flag,
  normalizeBrokerList,
  streamingVariables,
} from "../../src/env/variables";
import { configIssues, KUBE_BASICS, validConfig } from "../support/config";

const asRecord = (entries: { name: string; value: string }[]) =>
  Object.fromEntries(entries.map(({ name, value }) => [name, value]));

const streamingOn = {
  environment: "minikube",
  ...KUBE_BASICS,
  streaming: {
    enabled: true,
    brokerUrl:
      "apphub-redpanda-0.apphub-redpanda-headless:9092, apphub-redpanda-1.apphub-redpanda-headless:9092",
    mirrors: { workflowRuns: true, jobRuns: true, coreEvents: false },
    clientId: "apphub-core-stream-minikube",
    connectTimeoutMs: 7000,
    publishTimeoutMs: 12000,
  },
};

describe("streaming variables (the seed's Feature Flags and publisher controls)", () => {
  it("lists every variable of the seed once, in the seed's order, with the values core reads", () => {
    const config = validConfig(streamingOn);
    expect(streamingVariables(config.streaming, config.topics)).toEqual([
      { name: "APPHUB_STREAMING_ENABLED", value: "1" },
      {
        name: "APPHUB_STREAM_BROKER_URL",
        value:
          "apphub-redpanda-0.apphub-redpanda-headless:9092,apphub-redpanda-1.apphub-redpanda-headless:9092",
      },
      { name: "APPHUB_STREAM_MIRROR_WORKFLOW_RUNS", value: "1" },
      { name: "APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS", value: "0" },
      { name: "APPHUB_STREAM_MIRROR_JOB_RUNS", value: "1" },
      { name: "APPHUB_STREAM_MIRROR_INGESTION", value: "0" },
      { name: "APPHUB_STREAM_MIRROR_CORE_EVENTS", value: "0" },
      { name: "APPHUB_STREAM_CLIENT_ID", value: "apphub-core-stream-minikube" },
      { name: "APPHUB_STREAM_CONNECT_TIMEOUT_MS", value: "7000" },
      { name: "APPHUB_STREAM_PUBLISH_TIMEOUT_MS", value: "12000" },
      { name: "APPHUB_STREAM_TOPIC_WORKFLOW_RUNS", value: "apphub.workflows.runs" },
      { name: "APPHUB_STREAM_TOPIC_WORKFLOW_EVENTS", value: "apphub.workflows.events" },
      { name: "APPHUB_STREAM_TOPIC_JOB_RUNS", value: "apphub.jobs.runs" },
      { name: "APPHUB_STREAM_TOPIC_INGESTION", value: "apphub.ingestion.telemetry" },
      { name: "APPHUB_STREAM_TOPIC_CORE_EVENTS", value: "apphub.core.events" },
    ]);
  });

  it("uses the seed's publisher defaults when the stack sets none", () => {
    const config = validConfig({
      environment: "minikube",
      ...KUBE_BASICS,
      streaming: { enabled: true },
    });
    const env = asRecord(streamingVariables(config.streaming, config.topics));
    expect(env.APPHUB_STREAM_CLIENT_ID).toBe("apphub-core-stream");
    expect(env.APPHUB_STREAM_CONNECT_TIMEOUT_MS).toBe("5000");
    expect(env.APPHUB_STREAM_PUBLISH_TIMEOUT_MS).toBe("10000");
    expect(env.APPHUB_STREAM_BROKER_URL).toBe("apphub-redpanda:9092");
  });

  it("writes every mirror as 0 while streaming is off, whatever the mirror flags hold", () => {
    const config = validConfig(streamingOn);
    const off = { ...config.streaming, enabled: false };
    const env = asRecord(streamingVariables(off, config.topics));
    expect(env.APPHUB_STREAMING_ENABLED).toBe("0");
    for (const [name, value] of Object.entries(env))
      if (name.startsWith("APPHUB_STREAM_MIRROR_")) expect(value).toBe("0");
  });

  it("takes topic names from the catalog by role, so a renamed topic follows", () => {
    const config = validConfig({
      environment: "dev",
      topics: {
        "apphub.core.events": null,
        "apphub.core.events.v2": { role: "coreEvents", partitions: 12 },
      },
    });
    const env = asRecord(streamingVariables(config.streaming, config.topics));
    expect(env.APPHUB_STREAM_TOPIC_CORE_EVENTS).toBe("apphub.core.events.v2");
  });

  it("leaves out the topic variable of a role no topic carries", () => {
    const config = validConfig({ environment: "dev", topics: { "apphub.jobs.runs": null } });
    const names = streamingVariables(config.streaming, config.topics).map((entry) => entry.name);
    expect(names).not.toContain("APPHUB_STREAM_TOPIC_JOB_RUNS");
    expect(names).toContain("APPHUB_STREAM_MIRROR_JOB_RUNS");
  });

  it("spells booleans 1/0 and trims the broker list", () => {
    expect([flag(true), flag(false)]).toEqual(["1", "0"]);
    expect(normalizeBrokerList(" a:1 ,b:2,, c:3 ")).toBe("a:1,b:2,c:3");
  });

  it("knows the sixteen variables the seed and the sequencer define", () => {
    expect([...ALL_VARIABLES].sort()).toEqual(
      [
        "APPHUB_STREAMING_ENABLED",
        "APPHUB_STREAM_BROKER_URL",
        "APPHUB_STREAM_MIRROR_WORKFLOW_RUNS",
        "APPHUB_STREAM_MIRROR_WORKFLOW_EVENTS",
        "APPHUB_STREAM_MIRROR_JOB_RUNS",
        "APPHUB_STREAM_MIRROR_INGESTION",
        "APPHUB_STREAM_MIRROR_CORE_EVENTS",
        "APPHUB_STREAM_CLIENT_ID",
        "APPHUB_STREAM_CONNECT_TIMEOUT_MS",
        "APPHUB_STREAM_PUBLISH_TIMEOUT_MS",
        "APPHUB_STREAM_TOPIC_WORKFLOW_RUNS",
        "APPHUB_STREAM_TOPIC_WORKFLOW_EVENTS",
        "APPHUB_STREAM_TOPIC_JOB_RUNS",
        "APPHUB_STREAM_TOPIC_INGESTION",
        "APPHUB_STREAM_TOPIC_CORE_EVENTS",
        "APPHUB_EVENT_SEQUENCE_DATABASE_URL",
      ].sort(),
    );
  });
});

describe("container env for the Kubernetes patches", () => {
  it("references the sequencer database URL from a Secret, never as a literal", () => {
    const config = validConfig({
      ...streamingOn,
      streaming: {
        ...streamingOn.streaming,
        sequencerSecret: { name: "sequencer", key: "database-url" },
      },
    });
    const env = containerEnv(config.streaming, config.topics);
    const url = env.find((entry) => entry.name === "APPHUB_EVENT_SEQUENCE_DATABASE_URL");
    expect(url).toEqual({
      name: "APPHUB_EVENT_SEQUENCE_DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "sequencer", key: "database-url" } },
    });
    expect(url).not.toHaveProperty("value");
  });

  it("leaves the Secret reference out while streaming is off", () => {
    const config = validConfig({
      environment: "prod",
      ...KUBE_BASICS,
      streaming: { enabled: false },
    });
    const names = containerEnv(config.streaming, config.topics).map((entry) => entry.name);
    expect(names).not.toContain("APPHUB_EVENT_SEQUENCE_DATABASE_URL");
    expect(names).toContain("APPHUB_STREAMING_ENABLED");
  });

  it("plans one patch per default target with the SPEC's containers, and the same env in each", () => {
    const config = validConfig(streamingOn);
    const plans = deploymentPatchPlans(config.streaming, config.topics);
    expect(
      Object.fromEntries(
        plans.map((plan) => [plan.deployment, plan.containers.map((container) => container.name)]),
      ),
    ).toEqual(DEFAULT_STREAMING_TARGETS);
    const expected = containerEnv(config.streaming, config.topics);
    for (const plan of plans)
      for (const container of plan.containers) expect(container.env).toEqual(expected);
  });

  it("follows configured targets and lists a repeated container once", () => {
    const config = validConfig({
      ...streamingOn,
      streaming: {
        ...streamingOn.streaming,
        targets: { "apphub-core-api": ["api", "api", "sidecar"] },
      },
    });
    const plans = deploymentPatchPlans(config.streaming, config.topics);
    expect(
      plans.map((plan) => [plan.deployment, plan.containers.map((container) => container.name)]),
    ).toEqual([["apphub-core-api", ["api", "sidecar"]]]);
  });

  it("names this program as the field manager and forces conflicts", () => {
    expect(PATCH_ANNOTATIONS).toEqual({
      "pulumi.com/patchForce": "true",
      "pulumi.com/patchFieldManager": FIELD_MANAGER,
    });
    expect(FIELD_MANAGER).toBe("apphub-streaming");
  });

  it("yields, through core's parsing rules, exactly the flags the stack config set", () => {
    const config = validConfig(streamingOn);
    const literal = containerEnv(config.streaming, config.topics).flatMap((entry) =>
      "value" in entry ? [[entry.name, entry.value]] : [],
    );
    const settings = coreStreamingEnv.parse(Object.fromEntries(literal));
    expect(settings.enabled).toBe(true);
    expect(settings.mirrors).toEqual(config.streaming.mirrors);
    expect(settings.brokers).toEqual([
      "apphub-redpanda-0.apphub-redpanda-headless:9092",
      "apphub-redpanda-1.apphub-redpanda-headless:9092",
    ]);
  });
});

describe("core's parsing rules (the zod mirror used by the tests)", () => {
  it("accepts the spellings core accepts, case-insensitively, and refuses the rest", () => {
    const base = Object.fromEntries(
      streamingVariables(validConfig({ environment: "dev" }).streaming, []).map(
        ({ name, value }) => [name, value],
      ),
    );
    for (const word of ["1", "true", "YES", "On"])
      expect(coreStreamingEnv.parse({ ...base, APPHUB_STREAMING_ENABLED: word }).enabled).toBe(
        true,
      );
    for (const word of ["0", "False", "no", "OFF"])
      expect(coreStreamingEnv.parse({ ...base, APPHUB_STREAMING_ENABLED: word }).enabled).toBe(
        false,
      );
    for (const word of ["enabled", "ture", "", "2"])
      expect(coreStreamingEnv.safeParse({ ...base, APPHUB_STREAMING_ENABLED: word }).success).toBe(
        false,
      );
    expect(
      coreStreamingEnv.safeParse({ ...base, APPHUB_STREAM_BROKER_URL: "redpanda" }).success,
    ).toBe(false);
    expect(
      coreStreamingEnv.safeParse({ ...base, APPHUB_STREAM_BROKER_URL: "a:1, b:2" }).success,
    ).toBe(false);
  });
});

describe("dotenv text", () => {
  it("reads back with the dotenv package exactly as written, quoting only what needs it", () => {
    const entries = [
      { name: "PLAIN", value: "127.0.0.1:19092,127.0.0.1:19093" },
      { name: "URL", value: "postgres://apphub:a%23b@127.0.0.1:25432/apphub_sequences" },
      { name: "HASH", value: "value # not a comment" },
      { name: "SINGLE", value: "it's" },
      { name: "BOTH", value: `it's "quoted"` },
      { name: "EMPTY", value: "" },
    ];
    const text = formatDotenv(entries, ["generated"]);
    expect(parseDotenv(text)).toEqual(asRecord(entries));
    expect(text.startsWith("# generated\n")).toBe(true);
    expect(text).toContain("PLAIN=127.0.0.1:19092,127.0.0.1:19093\n");
  });

  it("refuses what dotenv cannot carry: newlines, bad names, a name set twice", () => {
    expect(() => formatDotenvValue("X", "a\nb")).toThrow(/X: a dotenv value cannot span lines/);
    expect(() => formatDotenv([{ name: "1BAD", value: "x" }])).toThrow(
      /not a valid environment variable name/,
    );
    expect(() =>
      formatDotenv([
        { name: "A", value: "1" },
        { name: "A", value: "2" },
      ]),
    ).toThrow(/A is set twice/);
  });
});

describe("streaming config rules", () => {
  it("refuses a mirror enabled while streaming is disabled, naming the mirror's key", () => {
    const found = configIssues({
      environment: "dev",
      streaming: { enabled: false, mirrors: { jobRuns: true, ingestion: false } },
    });
    expect(found).toEqual([
      {
        key: "apphub-streaming:streaming.mirrors.jobRuns",
        message:
          "expected false while apphub-streaming:streaming.enabled is false: a mirror needs streaming on",
      },
    ]);
  });

  it("refuses a broker URL that is not comma-separated host:port when streaming is on", () => {
    for (const brokerUrl of ["", "redpanda", "redpanda:9092;other:9092", "http://redpanda:9092"]) {
      const found = configIssues({ environment: "dev", streaming: { enabled: true, brokerUrl } });
      expect(found.map((issue) => issue.key)).toEqual(["apphub-streaming:streaming.brokerUrl"]);
      expect(found[0]?.message).toMatch(/expected comma-separated "host:port" broker addresses/);
    }
  });

  it("refuses a loopback broker for pods on Kubernetes, but not in dev", () => {
    const found = configIssues({
      environment: "minikube",
      ...KUBE_BASICS,
      streaming: { enabled: true, brokerUrl: "apphub-redpanda:9092,127.0.0.1:19092" },
    });
    expect(found).toHaveLength(1);
    expect(found[0]?.key).toBe("apphub-streaming:streaming.brokerUrl");
    expect(found[0]?.message).toMatch(
      /an address the core and timestore pods can reach.*"127\.0\.0\.1:19092"/,
    );
    expect(
      validConfig({
        environment: "dev",
        streaming: { enabled: true, brokerUrl: "localhost:19092" },
      }).streaming.brokerUrl,
    ).toBe("localhost:19092");
  });

  it("refuses a mirror whose role has no topic in the catalog", () => {
    const found = configIssues({
      environment: "dev",
      topics: { "apphub.ingestion.telemetry": null },
      streaming: { enabled: true, mirrors: { ingestion: true } },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ key: "apphub-streaming:streaming.mirrors.ingestion" });
    expect(found[0]?.message).toMatch(/expected a topic with role "ingestion"/);
  });

  it("refuses target names that are not Kubernetes names and empty container lists", () => {
    const found = configIssues({
      environment: "dev",
      streaming: {
        targets: {
          "Core API": ["api"],
          "apphub-core-ingest": [],
          "apphub-core-events": ["Worker_1"],
        },
      },
    });
    expect(found).toEqual([
      {
        key: "apphub-streaming:streaming.targets.Core API",
        message: 'expected a Deployment name (a DNS-1123 label), got "Core API"',
      },
      {
        key: "apphub-streaming:streaming.targets.apphub-core-ingest",
        message: "expected at least one container name, got []",
      },
      {
        key: "apphub-streaming:streaming.targets.apphub-core-events.0",
        message: "expected a DNS-1123 label (lower-case letters, digits, '-'), got \"Worker_1\"",
      },
    ]);
  });

  it("defaults to streaming off, every mirror off and the SPEC's twelve deployments", () => {
    const config = validConfig({ environment: "prod", ...KUBE_BASICS });
    expect(config.streaming.enabled).toBe(false);
    expect(Object.values(config.streaming.mirrors)).toEqual([false, false, false, false, false]);
    expect(Object.keys(config.streaming.targets)).toHaveLength(12);
    expect(config.streaming.sequencerSecret).toEqual({ name: "apphub-sequencer-db", key: "url" });
  });
});
