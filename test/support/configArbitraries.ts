/**
 * fast-check generators of stack config: random valid configs, and random single mistakes in
 * them, each with the key path the report must name.
 */
import fc from "fast-check";
import { MAX_INT32, MAX_PARTITIONS, PARTITION_REPLICAS_PER_CORE } from "../../src/config/rules";
import { KUBE_BASICS } from "./config";

const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
/** New topic names (under `apphub.random.` so they never collide with the seed's). */
const topicName = fc
  .array(segment, { minLength: 1, maxLength: 3 })
  .map((parts) => `apphub.random.${parts.join(".")}`);

export const environment = fc.constantFrom("dev" as const, "minikube" as const, "prod" as const);

export interface GeneratedConfig {
  raw: Record<string, unknown>;
  /** A topic the config adds (mistakes are made in it). */
  topic: string;
}

export const validConfig: fc.Arbitrary<GeneratedConfig> = environment.chain((env) => {
  const brokers = env === "dev" ? 1 : 3;
  const cores = env === "prod" ? 4 : 1;
  const topic = fc.record(
    {
      partitions: fc.integer({
        min: 1,
        max: Math.floor((brokers * cores * PARTITION_REPLICAS_PER_CORE) / brokers),
      }),
      replicationFactor: fc.integer({ min: 1, max: brokers }),
      retentionMs: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 365 * 24 * 3_600_000 })),
      deletionPolicy: fc.constantFrom("retain", "delete"),
      config: fc.constantFrom(
        {},
        { "cleanup.policy": "compact" },
        { "max.message.bytes": 2_097_152 },
      ),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({
      topics: fc.dictionary(topicName, topic, { minKeys: 1, maxKeys: 3 }),
      kafka: fc.record(
        {
          clientId: fc.constantFrom("apphub-a", "apphub-b"),
          connectTimeoutMs: fc.integer({ min: 1, max: MAX_INT32 }),
          requestTimeoutMs: fc.integer({ min: 1, max: MAX_INT32 }),
        },
        { requiredKeys: [] },
      ),
      protectTopics: fc.boolean(),
    })
    .map(({ topics, kafka, protectTopics }) => ({
      raw: {
        environment: env,
        ...(env === "dev" ? {} : KUBE_BASICS),
        topics,
        kafka: env === "dev" ? kafka : { ...kafka, brokers: KUBE_BASICS.kafka.brokers },
        protectTopics,
      },
      topic: Object.keys(topics)[0]!,
    }));
});

export interface Mistake {
  raw: Record<string, unknown>;
  /** The full key path the report must name. */
  key: string;
}

type Mutation = (config: GeneratedConfig) => Mistake;

const inTopic =
  (field: string, value: unknown): Mutation =>
  ({ raw, topic }) => {
    const topics = raw.topics as Record<string, Record<string, unknown>>;
    return {
      raw: { ...raw, topics: { ...topics, [topic]: { ...topics[topic], [field]: value } } },
      key: `apphub-streaming:topics.${topic}.${field}`,
    };
  };
const inKafka =
  (field: string, value: unknown): Mutation =>
  ({ raw }) => ({
    raw: { ...raw, kafka: { ...(raw.kafka as object), [field]: value } },
    key: `apphub-streaming:kafka.${field}`,
  });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .constantFrom(0, -3, 1.5, "six", MAX_PARTITIONS + 1, 1_000_000_000_000)
    .map((value) => inTopic("partitions", value)),
  fc
    .constantFrom(0, -2, 2.5, "7d", Number.MAX_SAFE_INTEGER + 2)
    .map((value) => inTopic("retentionMs", value)),
  fc.constantFrom(0, 4, 40_000, "three").map((value) => inTopic("replicationFactor", value)),
  fc.constantFrom("keep", "", null).map((value) => inTopic("deletionPolicy", value)),
  fc.constantFrom(0, MAX_INT32 + 1, "5s").map((value) => inKafka("connectTimeoutMs", value)),
  fc.constantFrom("", 12).map((value) => inKafka("clientId", value)),
  fc.constantFrom("Bad_Namespace", "-x", "a".repeat(64)).map((value): Mutation => ({ raw }) => ({
    raw: { ...raw, namespace: value },
    key: "apphub-streaming:namespace",
  })),
);

export const invalidConfig: fc.Arbitrary<Mistake> = fc
  .tuple(validConfig, mutation)
  .map(([config, mutate]) => mutate(config));

/**
 * Any stack config the schema's field rules allow, for every environment (external included):
 * every section filled from the whole range each field accepts, so a value a downstream parser
 * (the backup job, cluster validation, the provider's check) would refuse has a chance to turn
 * up. The cross-field rules still refuse some; the properties take only what the schema accepts.
 */
export const anyAcceptableConfig: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom("dev" as const, "minikube" as const, "prod" as const, "external" as const)
  .chain((env) => {
    const kube = env === "minikube" || env === "prod";
    const fullEveryHours = fc.integer({ min: 1, max: MAX_INT32 });
    const backup = fullEveryHours.chain((hours) =>
      fc.record(
        {
          enabled: env === "external" ? fc.constant(false) : fc.boolean(),
          bucketName: fc.constantFrom("apphub-snapshots", "a.b-c"),
          region: fc.constantFrom("eu-west-1", "us-east-1"),
          createBucket: fc.boolean(),
          endpoint: fc.constantFrom("http://127.0.0.1:9000", "https://minio.example:443"),
          forcePathStyle: fc.boolean(),
          encryption: fc.constantFrom("aws:kms", "AES256"),
          prefix: fc.constantFrom("redpanda", "a/b", "/x/"),
          fullEveryHours: fc.constant(hours),
          retentionDays: fc.integer({ min: Math.floor(hours / 24) + 1, max: MAX_INT32 }),
          noncurrentRetentionDays: fc.integer({ min: 1, max: MAX_INT32 }),
        },
        { requiredKeys: ["bucketName", "fullEveryHours", "retentionDays"] },
      ),
    );
    const cluster = fc.record(
      {
        replicas: fc.integer({ min: 1, max: 5 }),
        cpu: fc.integer({ min: 1, max: 8 }),
        memory: fc.constantFrom("64Gi", "40000Mi"),
        terminationGracePeriodSeconds: fc.integer({ min: 90, max: MAX_INT32 }),
        startupTimeoutSeconds: fc.integer({ min: 1, max: MAX_INT32 }),
        overprovisioned: env === "prod" ? fc.constant(false) : fc.boolean(),
        zoneSpread: fc.boolean(),
        backlogAlertSeconds: fc.integer({ min: 1, max: MAX_INT32 }),
        external: fc.record({
          enabled: fc.constant(true),
          advertisedHost: fc.constantFrom("10.0.0.1", "b{ordinal}.example.com"),
          basePort: fc.integer({ min: 30000, max: 32700 }),
        }),
      },
      { requiredKeys: [] },
    );
    const streaming = fc.record(
      {
        enabled: fc.boolean(),
        clientId: fc.constantFrom("apphub-core-stream", "x"),
        connectTimeoutMs: fc.integer({ min: 1, max: MAX_INT32 }),
        publishTimeoutMs: fc.integer({ min: 1, max: MAX_INT32 }),
        brokerUrl: fc.constantFrom("apphub-redpanda:9092", "a:1,b:2"),
      },
      { requiredKeys: ["brokerUrl"] },
    );
    const dev = fc.record(
      {
        kafkaPort: fc.integer({ min: 1, max: 19000 }),
        bindAddress: fc.constantFrom("127.0.0.1", "0.0.0.0"),
        dataRoot: fc.constantFrom("/data", "/var/tmp/x"),
      },
      { requiredKeys: [] },
    );
    return fc
      .record({
        backup,
        cluster,
        streaming,
        dev,
        topics: validConfig.map((config) => config.raw.topics),
        brokerCount: fc.integer({ min: 1, max: 5 }),
      })
      .map(({ backup, cluster, streaming, dev, topics, brokerCount }) => ({
        environment: env,
        topics: env === "dev" ? topics : {},
        streaming,
        ...(env === "external"
          ? {
              kafka: { brokers: ["seed.example.com:9092"], brokerCount },
              backup: { ...backup, enabled: false },
            }
          : { backup }),
        ...(kube ? { cluster, kafka: { brokers: KUBE_BASICS.kafka.brokers } } : {}),
        ...(env === "dev" ? { dev } : {}),
      }));
  });
