import * as pulumi from "@pulumi/pulumi";
import type { DevConfig, KafkaClientConfig, StreamingConfig, TopicSpec } from "../src/config/schema";

/** Arguments of {@link DevStack}. */
export interface DevStackArgs {
  /** Ports, images, data root and optional containers of the local stack. */
  dev: DevConfig;
  /** Topic catalog (replication is forced to 1 here). */
  topics: TopicSpec[];
  /** Kafka client settings for the topic bootstrap. */
  kafka: KafkaClientConfig;
  /** Feature flags written into the dotenv output. */
  streaming: StreamingConfig;
  /** Password of the sequencer Postgres, a Pulumi secret. Default: a generated one. */
  sequencerDbPassword?: pulumi.Input<string>;
}

/** The local Docker stack, equivalent to `docker/demo-stack.compose.yml`. */
export class DevStack extends pulumi.ComponentResource {
  public readonly hostBrokerUrl: pulumi.Output<string>;
  public readonly containerBrokerUrl: pulumi.Output<string>;
  public readonly adminUrl: pulumi.Output<string>;

  constructor(name: string, args: DevStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:DevStack", name, {}, opts);
    this.hostBrokerUrl = pulumi.output(`${args.dev.bindAddress}:${args.dev.kafkaPort}`);
    this.containerBrokerUrl = pulumi.output("redpanda:9092");
    this.adminUrl = pulumi.output(`http://${args.dev.bindAddress}:${args.dev.adminPort}`);
    this.registerOutputs({ hostBrokerUrl: this.hostBrokerUrl });
  }
}
