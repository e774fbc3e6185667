/**
 * Composes the five components for one stack. Pure wiring: every decision lives in the
 * config schema or in the components' own pure helpers.
 *
 * The components that deploy something (and the provider SDKs they import: @pulumi/docker,
 * @pulumi/kubernetes, @pulumi/aws, @pulumi/tls, @pulumi/random) are imported where their
 * environment declares them, so a stack loads only its own platform's SDKs: an `external`
 * stack loads none of them unless it injects the streaming env (Kubernetes patches).
 * `TopicBootstrap` is imported up front: every environment declares it, and it needs only the
 * core of @pulumi/pulumi (`./pulumi`).
 */
import type { KafkaUsers, KafkaUsersArgs } from "../components/KafkaUsers";
import { TopicBootstrap } from "../components/TopicBootstrap";
import { bootstrapClientSettings } from "./cluster/addresses";
import { appHubGrants, authorizationEnabled, wildcardAcls } from "./cluster/grants";
import { devEndpoints } from "./dev/plan";
import { PROFILES } from "./config/profiles";
import type { StackConfig } from "./config/schema";
import { TOPIC_BOOTSTRAP } from "./topics/model";
import type * as pulumi from "./pulumi";

export interface StackSecrets {
  kafkaSaslPassword?: pulumi.Output<string>;
  /** `kafkaUserPasswords`, by user name. */
  kafkaUserPasswords?: Record<string, pulumi.Output<string>>;
  backupSecretAccessKey?: pulumi.Output<string>;
  sequencerDbPassword?: pulumi.Output<string>;
}

export type StackOutputs = Record<string, pulumi.Input<unknown>>;

export async function declareStreamingBackbone(
  config: StackConfig,
  secrets: StackSecrets = {},
): Promise<StackOutputs> {
  const common = { environment: config.environment, probeTopic: config.probeTopic };
  switch (PROFILES[config.environment].platform) {
    case "docker":
      return declareDev(config, secrets, common);
    case "none":
      return declareExternal(config, secrets, common);
    case "kubernetes":
      return declareKubernetes(config, secrets, common);
  }
}

// --- nothing deployed (external): topics (and env injection) on an existing cluster ---
async function declareExternal(
  config: StackConfig,
  secrets: StackSecrets,
  common: StackOutputs,
): Promise<StackOutputs> {
  const brokers = config.kafka.brokers ?? [];
  const users = await declareUsers(config, secrets, {
    brokers,
    kafka: config.kafka,
    ...(secrets.kafkaSaslPassword ? { saslPassword: secrets.kafkaSaslPassword } : {}),
  });
  const topics = new TopicBootstrap(TOPIC_BOOTSTRAP.name, {
    topics: config.topics,
    brokers,
    kafka: config.kafka,
    ...(secrets.kafkaSaslPassword ? { saslPassword: secrets.kafkaSaslPassword } : {}),
    protect: config.protectTopics,
    brokersReady: users?.superuserReady ?? [],
  });
  const outputs: StackOutputs = {
    ...common,
    topics: topics.topics,
    brokerUrl: brokers.join(","),
    ...(users && config.users.length > 0 ? { kafkaUsers: users.credentials } : {}),
  };
  if (config.streaming.enabled) {
    const { StreamingEnv } = await import("../components/StreamingEnv");
    new StreamingEnv("apphub-streaming-env", {
      namespace: config.namespace,
      streaming: config.streaming,
      topics: config.topics,
      gates: topics.topicResources,
    });
  }
  outputs.streamingEnabled = config.streaming.enabled;
  return outputs;
}

// --- docker (dev): the local Docker stack ---
async function declareDev(
  config: StackConfig,
  secrets: StackSecrets,
  common: StackOutputs,
): Promise<StackOutputs> {
  const { DevStack } = await import("../components/DevStack");
  const dev = new DevStack("apphub-dev", {
    dev: config.dev,
    topics: config.topics,
    kafka: config.kafka,
    streaming: config.streaming,
    ...(secrets.sequencerDbPassword ? { sequencerDbPassword: secrets.sequencerDbPassword } : {}),
    protectTopics: config.protectTopics,
  });
  const users = await declareUsers(config, secrets, {
    brokers: config.kafka.brokers ?? [devEndpoints(config.dev).hostBrokers],
    kafka: config.kafka,
    brokersReady: [dev.broker],
  });
  return {
    ...common,
    ...(users && config.users.length > 0 ? { kafkaUsers: users.credentials } : {}),
    topics: dev.topicBootstrap.topics,
    brokerUrl: dev.hostBrokerUrl,
    containerBrokerUrl: dev.containerBrokerUrl,
    adminUrl: dev.adminUrl,
    ...(config.dev.console.enabled ? { consoleUrl: dev.consoleUrl } : {}),
    networkName: dev.networkName,
    // Named like the variable so `pulumi stack output --shell --show-secrets` can be sourced.
    ...(config.dev.sequencer.enabled
      ? { APPHUB_EVENT_SEQUENCE_DATABASE_URL: dev.sequenceDatabaseUrl }
      : {}),
    dotenv: dev.dotenv,
  };
}

// --- kubernetes (minikube, prod): the Redpanda StatefulSet ---
async function declareKubernetes(
  config: StackConfig,
  secrets: StackSecrets,
  common: StackOutputs,
): Promise<StackOutputs> {
  const [{ RedpandaCluster }, { StreamingEnv }] = await Promise.all([
    import("../components/RedpandaCluster"),
    import("../components/StreamingEnv"),
  ]);
  const { protect } = PROFILES[config.environment];
  const cluster = new RedpandaCluster("apphub-redpanda", {
    namespace: config.namespace,
    cluster: config.cluster,
    // A replaced StatefulSet restarts every broker at once: prod must refuse it (docs/kubernetes.md).
    protect: protect.statefulSet,
    ...(secrets.kafkaSaslPassword ? { superuserPassword: secrets.kafkaSaslPassword } : {}),
  });

  // Through the external listener, with its TLS and SCRAM superuser, unless kafka.brokers says otherwise.
  const client = bootstrapClientSettings(config.kafka, config.cluster);
  const saslPassword = client.usesSuperuser ? cluster.superuserPassword : secrets.kafkaSaslPassword;
  // The program's own CA signs the external listener unless cert-manager does: trust exactly it.
  const programCa =
    client.usesSuperuser &&
    config.cluster.external.tls.enabled &&
    !config.cluster.external.tls.certManagerIssuer;
  const connection = {
    brokers: config.kafka.brokers ?? cluster.externalBrokers,
    kafka: client.kafka,
    ...(saslPassword ? { saslPassword } : {}),
    ...(programCa
      ? { tlsCaCertificate: cluster.externalCaCertificate.apply((pem) => pem ?? "") }
      : {}),
  };
  // The superuser's password rotation reaches the brokers before the topic bootstrap logs in with it.
  const users = await declareUsers(config, secrets, {
    ...connection,
    manageSuperuser: client.usesSuperuser || (client.kafka.sasl?.managePassword ?? false),
    brokersReady: cluster.readyResources,
    secretsNamespace: config.namespace,
    // With authorization on, AppHub's anonymous in-cluster clients reach only what these grant.
    ...(authorizationEnabled(config.cluster)
      ? { wildcardAcls: wildcardAcls(appHubGrants(config.topics.map((topic) => topic.name))) }
      : {}),
  });
  const topics = new TopicBootstrap(TOPIC_BOOTSTRAP.name, {
    topics: config.topics,
    ...connection,
    protect: config.protectTopics,
    brokersReady: [...cluster.readyResources, ...(users?.superuserReady ?? [])],
  });

  const outputs: StackOutputs = {
    ...common,
    topics: topics.topics,
    ...(users && config.users.length > 0 ? { kafkaUsers: users.credentials } : {}),
    brokerUrl: cluster.bootstrapServers,
    adminUrl: cluster.adminUrl,
    externalBrokers: cluster.externalBrokers,
  };
  // What clients outside the cluster need to trust and log in to the external listener.
  if (
    config.cluster.external.enabled &&
    config.cluster.external.tls.enabled &&
    !config.cluster.external.tls.certManagerIssuer
  ) {
    outputs.externalCaCertificate = cluster.externalCaCertificate;
  }
  if (cluster.superuserPassword) outputs.superuserPassword = cluster.superuserPassword;

  if (config.backup.enabled) {
    const { SnapshotBackup } = await import("../components/SnapshotBackup");
    const backup = new SnapshotBackup("apphub-redpanda-backup", {
      namespace: config.namespace,
      backup: config.backup,
      brokerCount: config.brokerCount,
      protectBucket: protect.bucket,
      ...(secrets.backupSecretAccessKey ? { secretAccessKey: secrets.backupSecretAccessKey } : {}),
    });
    outputs.backupBucket = backup.bucketName;
    outputs.backupSchedule = backup.schedule;
    // Only where a role exists (IRSA on EKS): an undefined output makes every preview warn.
    if (backup.roleArn !== undefined) outputs.backupRoleArn = backup.roleArn;
    // For granting the same least-privilege access elsewhere (a MinIO user, an existing role).
    outputs.backupAccessPolicy = backup.accessPolicyJson;
  }

  new StreamingEnv("apphub-streaming-env", {
    namespace: config.namespace,
    streaming: config.streaming,
    topics: config.topics,
    gates: [...cluster.readyResources, ...topics.topicResources],
  });
  outputs.streamingEnabled = config.streaming.enabled;
  return outputs;
}

// --- users and ACLs, in every environment that has any ---
/**
 * The stack's users (`apphub-streaming:users`) and, when the stack manages it, its superuser;
 * none when there is neither. `settings` are the topic bootstrap's connection.
 */
async function declareUsers(
  config: StackConfig,
  secrets: StackSecrets,
  settings: Omit<KafkaUsersArgs, "users" | "passwords">,
): Promise<KafkaUsers | undefined> {
  const manageSuperuser = settings.manageSuperuser ?? config.kafka.sasl?.managePassword ?? false;
  if (config.users.length === 0 && !manageSuperuser) return undefined;
  const { KafkaUsers } = await import("../components/KafkaUsers");
  return new KafkaUsers("apphub-users", {
    ...settings,
    users: config.users,
    ...(secrets.kafkaUserPasswords ? { passwords: secrets.kafkaUserPasswords } : {}),
    manageSuperuser,
  });
}
