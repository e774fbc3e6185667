/**
 * The rendered dev stack against the compose definition it replaces (SPEC, "Facts"): one
 * assertion per fact, on the inputs the Docker provider would receive.
 */
import { parse as parseDotenv } from "dotenv";
import { describe, expect, it } from "vitest";
import { MASK } from "../../src/render/capture";
import type { RenderedResource } from "../../src/render/write";
import { coreStreamingEnv } from "../support/coreRules";
import {
  customDescendants,
  renderRepoStack,
  renderStackYaml,
  resourcesOfType,
  type RenderResult,
} from "../support/render";

const CONTAINER = "docker:index/container:Container";
const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
const TOPIC_BOOTSTRAP = "apphub:streaming:TopicBootstrap";

interface PortInput {
  internal: number;
  external: number;
  ip: string;
  protocol: string;
}
interface ContainerInputs {
  name: string;
  command?: string[];
  entrypoints?: string[];
  envs?: string[];
  ports?: PortInput[];
  volumes?: { hostPath: string; containerPath: string }[];
  healthcheck?: { tests: string[]; interval: string; timeout: string; retries: number };
  restart?: string;
  networksAdvanced?: { name: string; aliases: string[] }[];
  uploads?: { file: string; content: string }[];
  wait?: boolean;
  waitTimeout?: number;
  user?: string;
}

function byName(result: RenderResult, name: string): RenderedResource {
  const found = result.resources.find((resource) => resource.name === name);
  if (!found)
    throw new Error(`no resource ${name} among ${result.resources.map((r) => r.name).join(", ")}`);
  return found;
}
const containerInputs = (result: RenderResult, name: string) =>
  byName(result, name).inputs as unknown as ContainerInputs;

/** The value that follows `flag` in an argv list. */
const argAfter = (argv: string[] | undefined, flag: string) =>
  argv?.[(argv?.indexOf(flag) ?? -2) + 1];

const DATA_ROOT = process.env.APPHUB_DATA_ROOT ?? "/var/tmp/apphub";

describe("dev stack rendered against the compose file (SPEC, Facts)", () => {
  const result = renderRepoStack("dev");
  const broker = containerInputs(result, "apphub-dev-redpanda");

  it("renders", () => {
    expect(result.status, result.stderr).toBe(0);
  });

  it("image: redpanda v24.3.2, pulled before the broker is created", () => {
    expect(byName(result, "apphub-dev-redpanda-image").inputs.name).toBe(
      "docker.redpanda.com/redpandadata/redpanda:v24.3.2",
    );
    expect(byName(result, "apphub-dev-redpanda").dependsOn).toContain("apphub-dev-redpanda-image");
  });

  it("command: redpanda start --overprovisioned --smp 1 --memory 1G --reserve-memory 0M --check=false", () => {
    expect(broker.command?.join(" ")).toMatch(
      /^redpanda start --overprovisioned --smp 1 --memory 1G --reserve-memory 0M --check=false( |$)/,
    );
  });

  it("Kafka: port 9092 for containers as redpanda:9092", () => {
    expect(argAfter(broker.command, "--kafka-addr")).toContain("internal://0.0.0.0:9092");
    expect(argAfter(broker.command, "--advertise-kafka-addr")).toContain(
      "internal://redpanda:9092",
    );
  });

  it("Kafka: host port 19092 on 127.0.0.1, bound to the listener that advertises 127.0.0.1:19092", () => {
    const kafka = broker.ports?.find((port) => port.external === 19092);
    expect(kafka).toEqual({ internal: 19092, external: 19092, ip: "127.0.0.1", protocol: "tcp" });
    expect(argAfter(broker.command, "--kafka-addr")).toContain(
      `external://0.0.0.0:${kafka?.internal}`,
    );
    expect(argAfter(broker.command, "--advertise-kafka-addr")).toContain(
      "external://127.0.0.1:19092",
    );
  });

  it("admin: 9644, host port 19644 on 127.0.0.1", () => {
    expect(broker.ports?.find((port) => port.internal === 9644)).toEqual({
      internal: 9644,
      external: 19644,
      ip: "127.0.0.1",
      protocol: "tcp",
    });
  });

  it("RPC: 33145, advertised on the network and not published", () => {
    expect(argAfter(broker.command, "--rpc-addr")).toBe("0.0.0.0:33145");
    expect(argAfter(broker.command, "--advertise-rpc-addr")).toBe("redpanda:33145");
    expect(broker.ports?.some((port) => port.internal === 33145)).toBe(false);
  });

  it("HTTP proxy: 8082 on the network", () => {
    expect(argAfter(broker.command, "--pandaproxy-addr")).toContain("internal://0.0.0.0:8082");
    expect(argAfter(broker.command, "--advertise-pandaproxy-addr")).toContain(
      "internal://redpanda:8082",
    );
  });

  it("bind mount: ${APPHUB_DATA_ROOT}/redpanda on /var/lib/redpanda/data", () => {
    expect(broker.volumes).toEqual([
      { hostPath: `${DATA_ROOT}/redpanda`, containerPath: "/var/lib/redpanda/data" },
    ]);
  });

  it("bind mount: owned by Redpanda's uid before the broker starts", () => {
    const owner = containerInputs(result, "apphub-dev-redpanda-data-owner");
    expect([owner.entrypoints, owner.command, owner.volumes]).toEqual([
      ["chown"],
      ["101:101", "/var/lib/redpanda/data"],
      broker.volumes,
    ]);
    expect(byName(result, "apphub-dev-redpanda").dependsOn).toContain(
      "apphub-dev-redpanda-data-owner",
    );
  });

  it("health check: rpk cluster info", () => {
    expect(broker.healthcheck?.tests.slice(0, 4)).toEqual(["CMD", "rpk", "cluster", "info"]);
  });

  it("restart policy: unless-stopped", () => {
    expect(broker.restart).toBe("unless-stopped");
  });

  it("network alias: redpanda on the stack's network", () => {
    expect(broker.networksAdvanced).toEqual([{ name: "apphub-dev", aliases: ["redpanda"] }]);
    expect(byName(result, "apphub-dev-network").inputs).toMatchObject({
      name: "apphub-dev",
      driver: "bridge",
    });
  });

  it("console: image console:v2.6.1", () => {
    expect(byName(result, "apphub-dev-console-image").inputs.name).toBe(
      "docker.redpanda.com/redpandadata/console:v2.6.1",
    );
  });

  it("console: 8080, host port 28000 on 127.0.0.1", () => {
    expect(containerInputs(result, "apphub-dev-console").ports).toEqual([
      { internal: 8080, external: 28000, ip: "127.0.0.1", protocol: "tcp" },
    ]);
  });

  it("console: reaches redpanda:9092 and the admin API", () => {
    expect(containerInputs(result, "apphub-dev-console").envs).toEqual(
      expect.arrayContaining([
        "KAFKA_BROKERS=redpanda:9092",
        "REDPANDA_ADMINAPI_URLS=http://redpanda:9644",
      ]),
    );
  });

  it("sequencer-db: database apphub_sequences, data under ${APPHUB_DATA_ROOT}/sequencer", () => {
    const db = containerInputs(result, "apphub-dev-sequencer-db");
    expect(db.envs).toContain("POSTGRES_DB=apphub_sequences");
    expect(db.volumes).toEqual([
      { hostPath: `${DATA_ROOT}/sequencer`, containerPath: "/var/lib/postgresql/data" },
    ]);
  });

  it("sequencer-db: alias sequencer-db, pg_isready health check, waited for", () => {
    const db = containerInputs(result, "apphub-dev-sequencer-db");
    expect(db.networksAdvanced).toEqual([{ name: "apphub-dev", aliases: ["sequencer-db"] }]);
    expect(db.healthcheck?.tests.slice(0, 2)).toEqual(["CMD", "pg_isready"]);
    expect(db.wait).toBe(true);
  });

  it("sequencer-db: the password is a secret file, never an environment value", () => {
    const db = containerInputs(result, "apphub-dev-sequencer-db");
    expect(db.envs?.some((env) => env.startsWith("POSTGRES_PASSWORD="))).toBe(false);
    expect(db.envs).toContain("POSTGRES_PASSWORD_FILE=/run/secrets/sequencer-db-password");
    expect(db.uploads).toEqual([
      expect.objectContaining({ file: "/run/secrets/sequencer-db-password", content: MASK }),
    ]);
    const generated = byName(result, "apphub-dev-sequencer-db-password");
    expect(generated.type).toBe("random:index/randomPassword:RandomPassword");
    // Alphanumeric only: the password goes into a URL and a dotenv file unescaped.
    expect(generated.inputs).toMatchObject({ length: 32, special: false });
  });

  it("publishes nothing beyond 127.0.0.1 by default", () => {
    const bindings = resourcesOfType(result, CONTAINER).flatMap(
      (resource) => (resource.inputs as unknown as ContainerInputs).ports ?? [],
    );
    expect(bindings.length).toBe(5);
    expect(new Set(bindings.map((binding) => binding.ip))).toEqual(new Set(["127.0.0.1"]));
  });

  it("keeps pulled images on destroy (they are shared with the developer's other work)", () => {
    for (const image of resourcesOfType(result, REMOTE_IMAGE))
      expect(image.inputs.keepLocally).toBe(true);
  });
});

describe("dev stack ordering: topics only after a healthy broker", () => {
  const result = renderRepoStack("dev");

  it("the broker container waits for its health check", () => {
    const broker = containerInputs(result, "apphub-dev-redpanda");
    expect(broker.healthcheck?.tests.length).toBeGreaterThan(1);
    expect(broker.wait).toBe(true);
    expect(broker.waitTimeout).toBeGreaterThanOrEqual(60);
  });

  it("the topic bootstrap is a child of the dev stack and depends on the broker container", () => {
    const [bootstrap] = resourcesOfType(result, TOPIC_BOOTSTRAP);
    expect(bootstrap?.parent).toBe("apphub-dev");
    expect(bootstrap?.dependsOn).toContain("apphub-dev-redpanda");
  });

  it("every topic resource depends on the broker container and asks for replication 1", () => {
    const [bootstrap] = resourcesOfType(result, TOPIC_BOOTSTRAP);
    const topics = customDescendants(result, bootstrap?.name ?? "");
    expect(topics).toHaveLength(7);
    for (const topic of topics) {
      expect(topic.dependsOn).toContain("apphub-dev-redpanda");
      expect(JSON.stringify(topic.inputs)).toMatch(/"replicationFactor":1[,}]/);
    }
  });
});

describe("dev stack outputs", () => {
  const result = renderRepoStack("dev");

  it("exports host and container broker URLs, admin and console URLs", () => {
    expect(result.outputs).toMatchObject({
      brokerUrl: "127.0.0.1:19092",
      containerBrokerUrl: "redpanda:9092",
      adminUrl: "http://127.0.0.1:19644",
      consoleUrl: "http://127.0.0.1:28000",
      networkName: "apphub-dev",
    });
  });

  it("exports the sequencer URL and the dotenv carrying it as secrets", () => {
    expect(result.outputs.APPHUB_EVENT_SEQUENCE_DATABASE_URL).toBe(MASK);
    expect(result.outputs.dotenv).toBe(MASK);
  });

  it("without the sequencer, exports a plain dotenv that parses into the seed's variables with values core accepts", async () => {
    const bare = await renderStackYaml(
      "dev",
      [
        "config:",
        "  apphub-streaming:environment: dev",
        "  apphub-streaming:dev:",
        "    kafkaPort: 29092",
        "    sequencer:",
        "      enabled: false",
        "  apphub-streaming:streaming:",
        "    enabled: true",
        "    mirrors:",
        "      workflowRuns: true",
        "      coreEvents: true",
        "",
      ].join("\n"),
    );
    expect(bare.status, bare.stderr).toBe(0);
    expect(bare.outputs).not.toHaveProperty("APPHUB_EVENT_SEQUENCE_DATABASE_URL");
    expect(resourcesOfType(bare, CONTAINER).map((resource) => resource.name)).not.toContain(
      "apphub-dev-sequencer-db",
    );
    const parsed = parseDotenv(String(bare.outputs.dotenv));
    const settings = coreStreamingEnv.parse(parsed);
    expect(settings).toMatchObject({
      enabled: true,
      brokers: ["127.0.0.1:29092"],
      mirrors: {
        workflowRuns: true,
        workflowEvents: false,
        jobRuns: false,
        ingestion: false,
        coreEvents: true,
      },
      topics: { coreEvents: "apphub.core.events", ingestion: "apphub.ingestion.telemetry" },
    });
    expect(parsed.APPHUB_STREAMING_ENABLED).toBe("1");
  });
});

describe("dev stack options", () => {
  it("uses the configured password secret instead of generating one, and the data root from APPHUB_DATA_ROOT", async () => {
    const result = await renderStackYaml(
      "dev",
      [
        "config:",
        "  apphub-streaming:environment: dev",
        "  apphub-streaming:sequencerDbPassword:",
        "    secure: AAABAFakeCipherText",
        "",
      ].join("\n"),
      { APPHUB_DATA_ROOT: "/srv/apphub-data" },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(
      result.resources.some((resource) => resource.name === "apphub-dev-sequencer-db-password"),
    ).toBe(false);
    expect(containerInputs(result, "apphub-dev-sequencer-db").uploads?.[0]?.content).toBe(MASK);
    expect(containerInputs(result, "apphub-dev-redpanda").volumes?.[0]?.hostPath).toBe(
      "/srv/apphub-data/redpanda",
    );
    expect(result.outputs.dotenv).toBe(MASK);
  });

  it("publishes on every interface only when the stack says so, and leaves the console out when disabled", async () => {
    const result = await renderStackYaml(
      "dev",
      [
        "config:",
        "  apphub-streaming:environment: dev",
        "  apphub-streaming:dev:",
        "    bindAddress: 0.0.0.0",
        "    console:",
        "      enabled: false",
        "",
      ].join("\n"),
    );
    expect(result.status, result.stderr).toBe(0);
    const names = resourcesOfType(result, CONTAINER).map((resource) => resource.name);
    expect(names).not.toContain("apphub-dev-console");
    expect(result.outputs).not.toHaveProperty("consoleUrl");
    const broker = containerInputs(result, "apphub-dev-redpanda");
    expect(new Set(broker.ports?.map((port) => port.ip))).toEqual(new Set(["0.0.0.0"]));
    expect(argAfter(broker.command, "--advertise-kafka-addr")).toBe(
      "internal://redpanda:9092,external://127.0.0.1:19092",
    );
  });
});
