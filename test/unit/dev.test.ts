import { parse as parseDotenv } from "dotenv";
import { describe, expect, it } from "vitest";
import {
  advertisedHost,
  consoleEnv,
  dataOwnerCommand,
  devEndpoints,
  devTopics,
  encodeUrlComponent,
  redpandaCommand,
  redpandaMounts,
  redpandaPorts,
  sequencerDatabaseUrl,
  sequencerMounts,
} from "../../src/dev/plan";
import { coreStreamingEnv } from "../support/coreRules";
import { formatDotenv } from "../../src/env/dotenv";
import { SEQUENCE_DATABASE_URL, streamingVariables } from "../../src/env/variables";
import { configIssues, KUBE_BASICS, validConfig } from "../support/config";

/** The value that follows `flag` in an argv list. */
const argAfter = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe("dev config defaults (the seed's ports and data root)", () => {
  it("publishes Kafka on 19092, admin on 19644, console on 28000, all on 127.0.0.1", () => {
    const { dev } = validConfig({ environment: "dev" });
    expect(dev).toMatchObject({
      bindAddress: "127.0.0.1",
      kafkaPort: 19092,
      adminPort: 19644,
      httpProxyPort: 18082,
    });
    expect(dev.console).toEqual({
      enabled: true,
      port: 28000,
      image: "docker.redpanda.com/redpandadata/console:v2.6.1",
    });
    expect(dev.image).toBe("docker.redpanda.com/redpandadata/redpanda:v24.3.2");
  });

  it("takes the data root from APPHUB_DATA_ROOT, then from dev.dataRoot", () => {
    expect(
      validConfig({ environment: "dev" }, { APPHUB_DATA_ROOT: "/srv/apphub" }).dev.dataRoot,
    ).toBe("/srv/apphub");
    expect(
      validConfig(
        { environment: "dev", dev: { dataRoot: "/data" } },
        { APPHUB_DATA_ROOT: "/srv/apphub" },
      ).dev.dataRoot,
    ).toBe("/data");
  });

  it("points the default broker URL at the published Kafka port of the bind address", () => {
    expect(validConfig({ environment: "dev", dev: { kafkaPort: 29092 } }).streaming.brokerUrl).toBe(
      "127.0.0.1:29092",
    );
    expect(
      validConfig({ environment: "dev", dev: { bindAddress: "0.0.0.0" } }).streaming.brokerUrl,
    ).toBe("127.0.0.1:19092");
    expect(
      validConfig({ environment: "dev", dev: { bindAddress: "192.168.10.5" } }).streaming.brokerUrl,
    ).toBe("192.168.10.5:19092");
  });

  it("refuses a bind address that is not an IPv4 address", () => {
    for (const bindAddress of ["localhost", "::1", "127.0.0.256"]) {
      const found = configIssues({ environment: "dev", dev: { bindAddress } });
      expect(found.map((issue) => issue.key)).toEqual(["apphub-streaming:dev.bindAddress"]);
      expect(found[0]?.message).toMatch(/^expected the IPv4 address to publish on/);
    }
  });

  it("refuses two services on one host port, but not a disabled one's", () => {
    const found = configIssues({
      environment: "dev",
      dev: { kafkaPort: 28000, sequencer: { port: 19644 } },
    });
    expect(found).toEqual([
      {
        key: "apphub-streaming:dev.console.port",
        message:
          "expected a host port of its own, got 28000, already used by apphub-streaming:dev.kafkaPort",
      },
      {
        key: "apphub-streaming:dev.sequencer.port",
        message:
          "expected a host port of its own, got 19644, already used by apphub-streaming:dev.adminPort",
      },
    ]);
    expect(
      validConfig({ environment: "dev", dev: { kafkaPort: 28000, console: { enabled: false } } })
        .dev.kafkaPort,
    ).toBe(28000);
  });

  it("refuses a relative data root", () => {
    expect(configIssues({ environment: "dev", dev: { dataRoot: "data" } })[0]).toMatchObject({
      key: "apphub-streaming:dev.dataRoot",
    });
  });
});

describe("the Redpanda container", () => {
  const { dev } = validConfig({ environment: "dev", dev: { dataRoot: "/srv/apphub/" } });
  const argv = redpandaCommand(dev);

  it("runs redpanda start with the compose file's dev flags", () => {
    expect(argv.slice(0, 10)).toEqual([
      "redpanda",
      "start",
      "--overprovisioned",
      "--smp",
      "1",
      "--memory",
      "1G",
      "--reserve-memory",
      "0M",
      "--check=false",
    ]);
  });

  it("listens on two Kafka listeners: redpanda:9092 for containers, 127.0.0.1:<kafkaPort> for the host", () => {
    expect(argAfter(argv, "--kafka-addr")).toBe("internal://0.0.0.0:9092,external://0.0.0.0:19092");
    expect(argAfter(argv, "--advertise-kafka-addr")).toBe(
      "internal://redpanda:9092,external://127.0.0.1:19092",
    );
    expect(argAfter(argv, "--advertise-pandaproxy-addr")).toBe(
      "internal://redpanda:8082,external://127.0.0.1:18082",
    );
    expect(argAfter(argv, "--advertise-rpc-addr")).toBe("redpanda:33145");
  });

  it("advertises the configured host port, and loopback when published on every interface", () => {
    const custom = validConfig({
      environment: "dev",
      dev: { kafkaPort: 29092, bindAddress: "0.0.0.0" },
    }).dev;
    expect(argAfter(redpandaCommand(custom), "--advertise-kafka-addr")).toBe(
      "internal://redpanda:9092,external://127.0.0.1:29092",
    );
    expect(redpandaPorts(custom)[0]).toEqual({
      internal: 19092,
      external: 29092,
      ip: "0.0.0.0",
      protocol: "tcp",
    });
    expect(advertisedHost("10.0.0.7")).toBe("10.0.0.7");
  });

  it("publishes Kafka, admin and HTTP proxy on the bind address only", () => {
    expect(redpandaPorts(dev)).toEqual([
      { internal: 19092, external: 19092, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 9644, external: 19644, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 18082, external: 18082, ip: "127.0.0.1", protocol: "tcp" },
    ]);
  });

  it("keeps its data under <dataRoot>/redpanda and hands that directory to uid 101", () => {
    expect(redpandaMounts(dev)).toEqual([
      { hostPath: "/srv/apphub/redpanda", containerPath: "/var/lib/redpanda/data" },
    ]);
    expect(dataOwnerCommand()).toEqual({
      user: "0:0",
      entrypoint: ["chown"],
      command: ["101:101", "/var/lib/redpanda/data"],
    });
    expect(sequencerMounts(dev)).toEqual([
      { hostPath: "/srv/apphub/sequencer", containerPath: "/var/lib/postgresql/data" },
    ]);
  });

  it("points the console at the internal listener and the admin API", () => {
    expect(consoleEnv()).toEqual([
      "KAFKA_BROKERS=redpanda:9092",
      "REDPANDA_ADMINAPI_ENABLED=true",
      "REDPANDA_ADMINAPI_URLS=http://redpanda:9644",
    ]);
  });

  it("forces replication 1 on every topic, whatever the catalog says", () => {
    const topics = validConfig({ environment: "minikube", ...KUBE_BASICS }).topics;
    expect(topics.every((topic) => topic.replicationFactor === 3)).toBe(true);
    const forced = devTopics(topics);
    expect(forced.map((topic) => topic.replicationFactor)).toEqual(topics.map(() => 1));
    expect(forced.map((topic) => topic.retentionMs)).toEqual(
      topics.map((topic) => topic.retentionMs),
    );
  });
});

describe("dev endpoints and the sequencer URL", () => {
  it("gives host and container broker addresses, admin and console URLs", () => {
    const { dev } = validConfig({ environment: "dev" });
    expect(devEndpoints(dev)).toEqual({
      hostBrokers: "127.0.0.1:19092",
      containerBrokers: "redpanda:9092",
      adminUrl: "http://127.0.0.1:19644",
      httpProxyUrl: "http://127.0.0.1:18082",
      consoleUrl: "http://127.0.0.1:28000",
      sequencerAddress: { host: "127.0.0.1", port: 25432 },
    });
    const bare = validConfig({
      environment: "dev",
      dev: { console: { enabled: false }, sequencer: { enabled: false } },
    }).dev;
    expect(devEndpoints(bare)).not.toHaveProperty("consoleUrl");
    expect(devEndpoints(bare)).not.toHaveProperty("sequencerAddress");
  });

  it("escapes every URL-significant character of the password", () => {
    const password = "p@ss:w/rd#1 !'()*";
    const url = sequencerDatabaseUrl("127.0.0.1", 25432, password);
    expect(url).toBe(
      `postgres://apphub:${encodeUrlComponent(password)}@127.0.0.1:25432/apphub_sequences`,
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe(password);
    expect(parsed.pathname).toBe("/apphub_sequences");
    expect(encodeUrlComponent(password)).toMatch(/^[A-Za-z0-9%._~-]+$/);
  });

  it("writes a dotenv that dotenv parses into the seed's variables, with values core accepts", () => {
    const config = validConfig({
      environment: "dev",
      streaming: { enabled: true, mirrors: { workflowRuns: true, workflowEvents: true } },
    });
    const url = sequencerDatabaseUrl("127.0.0.1", 25432, "s3cr#t pass");
    const text = formatDotenv([
      ...streamingVariables(config.streaming, config.topics),
      { name: SEQUENCE_DATABASE_URL, value: url },
    ]);
    const parsed = parseDotenv(text);
    const settings = coreStreamingEnv.parse(parsed);
    expect(settings).toEqual({
      enabled: true,
      brokers: ["127.0.0.1:19092"],
      mirrors: {
        workflowRuns: true,
        workflowEvents: true,
        jobRuns: false,
        ingestion: false,
        coreEvents: false,
      },
      clientId: "apphub-core-stream",
      connectTimeoutMs: 5000,
      publishTimeoutMs: 10000,
      topics: {
        workflowRuns: "apphub.workflows.runs",
        workflowEvents: "apphub.workflows.events",
        jobRuns: "apphub.jobs.runs",
        ingestion: "apphub.ingestion.telemetry",
        coreEvents: "apphub.core.events",
      },
      sequenceDatabaseUrl: url,
    });
  });
});
