import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type {
  DevConfig,
  KafkaClientConfig,
  StreamingConfig,
  TopicSpec,
} from "../src/config/schema";
import {
  CONSOLE_ALIAS,
  REDPANDA_ALIAS,
  REDPANDA_WAIT_TIMEOUT_SECONDS,
  RESTART_POLICY,
  SEQUENCER_ALIAS,
  SEQUENCER_PASSWORD_FILE,
  SEQUENCER_WAIT_TIMEOUT_SECONDS,
  consoleEnv,
  consolePorts,
  dataOwnerCommand,
  devEndpoints,
  devTopics,
  redpandaCommand,
  redpandaHealthcheck,
  redpandaMounts,
  redpandaPorts,
  sequencerDatabaseUrl,
  sequencerEnv,
  sequencerHealthcheck,
  sequencerMounts,
  sequencerPorts,
} from "../src/dev/plan";
import { formatDotenv } from "../src/env/dotenv";
import { SEQUENCE_DATABASE_URL, streamingVariables } from "../src/env/variables";
import { TopicBootstrap } from "./TopicBootstrap";

/** Arguments of {@link DevStack}. */
export interface DevStackArgs {
  /** Ports, images, data root, bind address and optional containers (`apphub-streaming:dev`). Defaults: see docs/dev-stack.md. */
  dev: DevConfig;
  /** Topic catalog, created through {@link TopicBootstrap}; replication is forced to 1. */
  topics: TopicSpec[];
  /** Kafka client settings for the topic bootstrap. Default brokers: the host listener of this stack. */
  kafka: KafkaClientConfig;
  /** Feature flags and publisher controls written into the dotenv output. */
  streaming: StreamingConfig;
  /** Password of the sequencer Postgres, a Pulumi secret (`apphub-streaming:sequencerDbPassword`). Default: generated once and kept in state as a secret. */
  sequencerDbPassword?: pulumi.Input<string>;
  /** Protect the topics from `pulumi destroy`. Default: false. */
  protectTopics?: boolean;
}

/**
 * The local Docker stack, equivalent to `docker/demo-stack.compose.yml` (SPEC, "Facts"): one
 * Redpanda broker, Redpanda Console, the `sequencer-db` Postgres and the topic catalog, all
 * published on loopback unless `dev.bindAddress` says otherwise.
 */
export class DevStack extends pulumi.ComponentResource {
  /** `host:port` for processes on the host, e.g. `127.0.0.1:19092`. */
  public readonly hostBrokerUrl: pulumi.Output<string>;
  /** `redpanda:9092`, for containers attached to {@link networkName}. */
  public readonly containerBrokerUrl: pulumi.Output<string>;
  /** Admin API (`/v1/status/ready`, `/metrics`) from the host. */
  public readonly adminUrl: pulumi.Output<string>;
  /** Redpanda Console from the host; undefined when `dev.console.enabled` is false. */
  public readonly consoleUrl: pulumi.Output<string | undefined>;
  /** The Docker network to attach other containers to. */
  public readonly networkName: pulumi.Output<string>;
  /** `postgres://...` of the sequencer database from the host, a secret; undefined when the sequencer is disabled. */
  public readonly sequenceDatabaseUrl: pulumi.Output<string | undefined>;
  /** The seed's streaming variables as dotenv text for core and timestore on the host; a secret when it carries the database URL. */
  public readonly dotenv: pulumi.Output<string>;
  /** The broker container, healthy once created. */
  public readonly broker: docker.Container;
  /** The topic catalog, created after the broker is healthy. */
  public readonly topicBootstrap: TopicBootstrap;

  constructor(name: string, args: DevStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:DevStack", name, {}, opts);
    const dev = args.dev;
    const endpoints = devEndpoints(dev);
    const child = { parent: this };

    const network = new docker.Network(`${name}-network`, { name, driver: "bridge" }, child);
    const attach = (alias: string) => [{ name: network.name, aliases: [alias] }];

    // keepLocally: the images are shared with whatever else the developer runs.
    const redpandaImage = new docker.RemoteImage(
      `${name}-redpanda-image`,
      { name: dev.image, keepLocally: true },
      child,
    );

    const owner = dataOwnerCommand();
    const dataOwner = new docker.Container(
      `${name}-redpanda-data-owner`,
      {
        name: `${name}-redpanda-data-owner`,
        image: redpandaImage.imageId,
        user: owner.user,
        entrypoints: owner.entrypoint,
        command: owner.command,
        volumes: redpandaMounts(dev),
        mustRun: false,
        attach: true,
        logs: true,
        restart: "no",
      },
      { ...child, dependsOn: [redpandaImage] },
    );

    this.broker = new docker.Container(
      `${name}-redpanda`,
      {
        name: `${name}-redpanda`,
        image: redpandaImage.imageId,
        command: redpandaCommand(dev),
        ports: redpandaPorts(dev),
        volumes: redpandaMounts(dev),
        healthcheck: redpandaHealthcheck(),
        restart: RESTART_POLICY,
        networksAdvanced: attach(REDPANDA_ALIAS),
        wait: true,
        waitTimeout: REDPANDA_WAIT_TIMEOUT_SECONDS,
      },
      { ...child, dependsOn: [redpandaImage, dataOwner] },
    );

    this.topicBootstrap = new TopicBootstrap(
      `${name}-topics`,
      {
        topics: devTopics(args.topics),
        brokers: args.kafka.brokers ?? [endpoints.hostBrokers],
        kafka: args.kafka,
        protect: args.protectTopics ?? false,
        brokersReady: [this.broker],
      },
      { ...child, dependsOn: [this.broker] },
    );

    if (dev.console.enabled) {
      const consoleImage = new docker.RemoteImage(
        `${name}-console-image`,
        { name: dev.console.image, keepLocally: true },
        child,
      );
      new docker.Container(
        `${name}-console`,
        {
          name: `${name}-console`,
          image: consoleImage.imageId,
          envs: consoleEnv(),
          ports: consolePorts(dev),
          restart: RESTART_POLICY,
          networksAdvanced: attach(CONSOLE_ALIAS),
        },
        { ...child, dependsOn: [consoleImage, this.broker] },
      );
    }

    let databaseUrl: pulumi.Output<string> | undefined;
    if (dev.sequencer.enabled && endpoints.sequencerAddress) {
      const password = pulumi.secret(
        args.sequencerDbPassword ??
          new random.RandomPassword(
            `${name}-sequencer-db-password`,
            { length: 32, special: false },
            child,
          ).result,
      );
      const sequencerImage = new docker.RemoteImage(
        `${name}-sequencer-db-image`,
        { name: dev.sequencer.image, keepLocally: true },
        child,
      );
      new docker.Container(
        `${name}-sequencer-db`,
        {
          name: `${name}-sequencer-db`,
          image: sequencerImage.imageId,
          envs: sequencerEnv(),
          uploads: [{ file: SEQUENCER_PASSWORD_FILE, content: password, permissions: "0444" }],
          ports: sequencerPorts(dev),
          volumes: sequencerMounts(dev),
          healthcheck: sequencerHealthcheck(),
          restart: RESTART_POLICY,
          networksAdvanced: attach(SEQUENCER_ALIAS),
          wait: true,
          waitTimeout: SEQUENCER_WAIT_TIMEOUT_SECONDS,
        },
        { ...child, dependsOn: [sequencerImage] },
      );
      const { host, port } = endpoints.sequencerAddress;
      databaseUrl = pulumi.secret(
        password.apply((secret) => sequencerDatabaseUrl(host, port, secret)),
      );
    }

    const variables = streamingVariables(args.streaming, args.topics);
    const header = [
      `apphub-streaming dev stack "${name}": streaming env for core and timestore on this host`,
    ];
    this.dotenv = databaseUrl
      ? pulumi.secret(
          databaseUrl.apply((url) =>
            formatDotenv([...variables, { name: SEQUENCE_DATABASE_URL, value: url }], header),
          ),
        )
      : pulumi.output(formatDotenv(variables, header));

    this.hostBrokerUrl = pulumi.output(endpoints.hostBrokers);
    this.containerBrokerUrl = pulumi.output(endpoints.containerBrokers);
    this.adminUrl = pulumi.output(endpoints.adminUrl);
    this.consoleUrl = pulumi.output(endpoints.consoleUrl);
    this.networkName = network.name;
    this.sequenceDatabaseUrl = databaseUrl ?? pulumi.output(undefined);

    this.registerOutputs({
      hostBrokerUrl: this.hostBrokerUrl,
      containerBrokerUrl: this.containerBrokerUrl,
      adminUrl: this.adminUrl,
      consoleUrl: this.consoleUrl,
      networkName: this.networkName,
      sequenceDatabaseUrl: this.sequenceDatabaseUrl,
      dotenv: this.dotenv,
    });
  }
}
