import * as pulumi from "../src/pulumi";
import type { KafkaClientConfig, TopicSpec } from "../src/config/schema";
import { bootstrapProblems, declareTopics, effectiveTopics } from "../src/topics/declare";
import { connectionFromConfig } from "../src/topics/model";

/** Arguments of {@link TopicBootstrap}. */
export interface TopicBootstrapArgs {
  /** The resolved topic catalog; one topic resource is declared per entry. Required. */
  topics: TopicSpec[];
  /** Bootstrap brokers reachable from where `pulumi up` runs (`host:port`). Required. */
  brokers: pulumi.Input<string[]>;
  /** Kafka client settings (client id, timeouts, TLS, SASL user). Required; defaults come from `apphub-streaming:kafka`. */
  kafka: KafkaClientConfig;
  /** SASL password, a Pulumi secret. Default: none (no SASL). Required when `kafka.sasl` is set. */
  saslPassword?: pulumi.Input<string>;
  /** PEM of the CA that signed the brokers' TLS certificates (e.g. the cluster's own CA). Default: the system trust store. */
  tlsCaCertificate?: pulumi.Input<string>;
  /** Protect every topic from `pulumi destroy`. Default: false (the stack config sets true for prod). */
  protect?: boolean;
  /** Resources that must be healthy before any topic is touched (the broker container or StatefulSet). Default: none. */
  brokersReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Creates and reconciles the topic catalog through the kafkajs dynamic provider
 * (`src/topics/provider.ts`): one `pulumi-nodejs:dynamic/streaming:KafkaTopic` resource per
 * topic, named after the topic, created only once `brokersReady` are, updated in place for
 * retention / config / partition increases / replication changes, never deleted unless the
 * topic's `deletionPolicy` is `delete`.
 */
export class TopicBootstrap extends pulumi.ComponentResource {
  /**
   * Topic name → effective settings, from each topic resource's outputs (what the provider saw
   * on the broker at its last create, update or refresh): partitions added by hand show here.
   */
  public readonly topics: pulumi.Output<Record<string, TopicSpec>>;
  /** The per-topic resources, for dependents that must wait for every topic. */
  public readonly topicResources: pulumi.Resource[];

  constructor(name: string, args: TopicBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:TopicBootstrap", name, {}, opts);
    const settings = {
      connection: connectionFromConfig(args.kafka, args.brokers, args.tlsCaCertificate),
      ...(args.saslPassword !== undefined ? { saslPassword: args.saslPassword } : {}),
      protect: args.protect ?? false,
      brokersReady: args.brokersReady ?? [],
    };
    // Bad input fails here, before any resource is declared or broker contacted.
    const problems = bootstrapProblems(args.topics, settings);
    if (problems.length > 0) {
      throw new pulumi.ResourceError(
        `TopicBootstrap ${name}: invalid topic catalog or connection:\n  ${problems.join("\n  ")}`,
        this,
      );
    }

    const declared = declareTopics(this, args.topics, settings);
    this.topicResources = declared.map(({ resource }) => resource);
    this.topics = effectiveTopics(declared);
    this.registerOutputs({ topics: this.topics });
  }
}
