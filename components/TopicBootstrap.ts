import * as pulumi from "@pulumi/pulumi";
import type { KafkaClientConfig, TopicSpec } from "../src/config/schema";
import { PROVIDER_VERSION, desiredFromSpec } from "../src/topics/model";
import { KafkaTopic } from "../src/topics/resource";
import { handAddedPartitionsMessage } from "../src/topics/providerLogic";
import { validateTopicFields } from "../src/topics/validate";

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

    // Bad input fails here, before any resource is declared or broker contacted.
    const problems = topicProblems(args);
    if (problems.length > 0) {
      throw new Error(`TopicBootstrap ${name}: invalid topic catalog:\n  ${problems.join("\n  ")}`);
    }

    const connection = {
      brokers: args.brokers,
      clientId: args.kafka.clientId,
      connectTimeoutMs: args.kafka.connectTimeoutMs,
      requestTimeoutMs: args.kafka.requestTimeoutMs,
      tls: {
        enabled: args.kafka.tls.enabled,
        rejectUnauthorized: args.kafka.tls.rejectUnauthorized,
        ...(args.tlsCaCertificate !== undefined ? { ca: args.tlsCaCertificate } : {}),
      },
      ...(args.kafka.sasl
        ? { sasl: { mechanism: args.kafka.sasl.mechanism, username: args.kafka.sasl.username } }
        : {}),
    };

    const resources = args.topics.map((topic) => {
      const desired = desiredFromSpec(topic);
      const inputs = {
        ...desired,
        providerVersion: PROVIDER_VERSION,
        connection,
        ...(args.saslPassword !== undefined
          ? { saslPassword: pulumi.secret(args.saslPassword) }
          : {}),
      };
      const resource = new KafkaTopic(topic.name, inputs, {
        parent: this,
        dependsOn: args.brokersReady ?? [],
        protect: args.protect ?? false,
        // Belt and braces with the provider's own check: the engine does not even call delete.
        retainOnDelete: desired.deletionPolicy !== "delete",
        additionalSecretOutputs: ["saslPassword"],
      });
      return { topic, resource };
    });

    this.topicResources = resources.map(({ resource }) => resource);
    this.topics = pulumi
      .all(
        resources.map(({ topic, resource }) =>
          pulumi
            .all([
              resource.partitions,
              resource.livePartitions,
              resource.replicationFactor,
              resource.config,
              resource.deletionPolicy,
            ])
            .apply(
              ([partitions, livePartitions, replicationFactor, config, deletionPolicy]): [
                string,
                TopicSpec,
              ] => {
                const { "retention.ms": retention, ...otherConfig } = config;
                // Refresh records partitions added by hand; Kafka cannot remove them, so say how to record them.
                if (livePartitions !== undefined && livePartitions > partitions) {
                  void pulumi.log.warn(
                    handAddedPartitionsMessage(topic.name, livePartitions, partitions),
                    resource,
                  );
                }
                return [
                  topic.name,
                  {
                    ...topic,
                    partitions: Math.max(partitions, livePartitions ?? 0),
                    replicationFactor,
                    retentionMs: retention === undefined ? topic.retentionMs : Number(retention),
                    config: otherConfig,
                    deletionPolicy,
                  },
                ];
              },
            ),
        ),
      )
      .apply((entries) => Object.fromEntries(entries));

    this.registerOutputs({ topics: this.topics });
  }
}

/** Every problem with the catalog, each naming the topic and field. */
function topicProblems(args: TopicBootstrapArgs): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const topic of args.topics) {
    if (seen.has(topic.name)) problems.push(`${topic.name}: declared twice`);
    seen.add(topic.name);
    for (const failure of validateTopicFields({ ...desiredFromSpec(topic) })) {
      problems.push(`${topic.name}: ${failure.property}: ${failure.reason}`);
    }
  }
  if (args.kafka.sasl && args.saslPassword === undefined) {
    problems.push(
      `kafka.sasl is set for user ${args.kafka.sasl.username} but no saslPassword was given (apphub-streaming:kafkaSaslPassword)`,
    );
  }
  return problems;
}
