import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type {
  DevConfig,
  KafkaClientConfig,
  StreamingConfig,
  TopicSpec,
} from "../src/config/schema";
import { planFor } from "../src/declare";
import {
  declareBroker,
  declareConsole,
  declareNetwork,
  declareSequencerDb,
  devDotenv,
} from "../src/dev/declare";
import { devEndpoints, devTopics } from "../src/dev/plan";
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
    const network = declareNetwork({ name, parent: this });
    const scope = { name, parent: this, dev, network };

    this.broker = declareBroker(scope);
    this.topicBootstrap = new TopicBootstrap(
      `${name}-topics`,
      {
        topics: devTopics(args.topics),
        brokers: args.kafka.brokers ?? [endpoints.hostBrokers],
        kafka: args.kafka,
        protect: args.protectTopics ?? false,
        brokersReady: [this.broker],
      },
      { parent: this, dependsOn: [this.broker] },
    );
    if (dev.console.enabled) declareConsole(scope, this.broker);
    const databaseUrl =
      dev.sequencer.enabled && endpoints.sequencerAddress
        ? declareSequencerDb(scope, endpoints.sequencerAddress, args.sequencerDbPassword)
        : undefined;
    this.dotenv = planFor(this, () => devDotenv(name, args.streaming, args.topics, databaseUrl));

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
