/**
 * Builders of the TopicBootstrap component (`components/TopicBootstrap.ts`): the catalog's
 * checks, one `KafkaTopic` resource per topic, and the effective settings read back from them.
 */
import * as pulumi from "../pulumi";
import type { TopicSpec } from "../config/schema";
import { desiredFromSpec, topicResourceInputs } from "./model";
import { handAddedPartitionsMessage } from "./providerLogic";
import { KafkaTopic, type ProgramConnection } from "./resource";
import { UNKNOWN_VALUE, validateConnectionFields, validateTopicFields } from "./validate";

/** What every topic resource of one bootstrap shares. */
export interface TopicResourceSettings {
  connection: ProgramConnection;
  /** SASL password, made a Pulumi secret here; required when `connection.sasl` is set. */
  saslPassword?: pulumi.Input<string>;
  protect: boolean;
  /** Resources that must be ready before any topic is touched. */
  brokersReady: pulumi.Input<pulumi.Resource>[];
}

export interface DeclaredTopic {
  topic: TopicSpec;
  resource: KafkaTopic;
}

/**
 * Every problem with the catalog (each naming the topic and field) and with the connection:
 * the dynamic provider's own checks, run before anything is declared. Values that are other
 * resources' outputs are judged by the provider once known.
 */
export function bootstrapProblems(
  topics: readonly TopicSpec[],
  settings: Pick<TopicResourceSettings, "connection" | "saslPassword">,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const topic of topics) {
    if (seen.has(topic.name)) problems.push(`${topic.name}: declared twice`);
    seen.add(topic.name);
    for (const failure of validateTopicFields({ ...desiredFromSpec(topic) })) {
      problems.push(`${topic.name}: ${failure.property}: ${failure.reason}`);
    }
  }
  const { connection, saslPassword } = settings;
  const knownNow = {
    connection: {
      ...connection,
      brokers: whenKnown(connection.brokers),
      tls: { ...connection.tls, ca: whenKnown(connection.tls.ca) },
    },
    saslPassword: whenKnown(saslPassword),
  };
  for (const failure of validateConnectionFields(knownNow)) {
    problems.push(`${failure.property}: ${failure.reason}`);
  }
  return problems;
}

/** A plain value as it is; an output or promise as the engine's "not known yet". */
function whenKnown(value: unknown): unknown {
  return pulumi.Output.isInstance(value) || value instanceof Promise ? UNKNOWN_VALUE : value;
}

/** One `KafkaTopic` per catalog entry, named after the topic, under `parent`. */
export function declareTopics(
  parent: pulumi.Resource,
  topics: readonly TopicSpec[],
  settings: TopicResourceSettings,
): DeclaredTopic[] {
  return topics.map((topic) => {
    const inputs = {
      ...topicResourceInputs(topic, settings.connection),
      ...(settings.saslPassword !== undefined
        ? { saslPassword: pulumi.secret(settings.saslPassword) }
        : {}),
    };
    const resource = new KafkaTopic(topic.name, inputs, {
      parent,
      dependsOn: settings.brokersReady,
      protect: settings.protect,
      // Belt and braces with the provider's own check: the engine does not even call delete.
      retainOnDelete: inputs.deletionPolicy !== "delete",
      // Only where there is a password: the option is stored with every topic.
      ...(settings.saslPassword !== undefined ? { additionalSecretOutputs: ["saslPassword"] } : {}),
    });
    sayAdoption(resource);
    return { topic, resource };
  });
}

/**
 * The preview's word on a topic the stack adopts, on the topic's own line: the engine labels
 * every new resource `create` (Pulumi's `import` option cannot work for dynamic resources), so
 * what `check` found on the broker is said here.
 */
function sayAdoption(resource: KafkaTopic): void {
  resource.__adoption.apply((note) => {
    if (note)
      void (note.level === "warning" ? pulumi.log.warn : pulumi.log.info)(note.message, resource);
  });
}

/** Topic name → effective settings, from each topic resource's outputs. */
export function effectiveTopics(
  declared: readonly DeclaredTopic[],
): pulumi.Output<Record<string, TopicSpec>> {
  return pulumi.all(declared.map(effectiveTopic)).apply((entries) => Object.fromEntries(entries));
}

/**
 * What the provider saw on the broker at its last create, update or refresh: partitions added
 * by hand show here, with a warning saying how to record them.
 */
function effectiveTopic({ topic, resource }: DeclaredTopic): pulumi.Output<[string, TopicSpec]> {
  return pulumi
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
        // Kafka cannot remove partitions, so a hand-added one must be recorded in the catalog.
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
    );
}
