/**
 * The I/O edge of the topic engine: one bounded kafkajs connection ("session") and exactly
 * one Kafka request per method, so round trips can be counted and kept constant.
 *
 * Why not `kafka.admin()`: every admin call re-fetches metadata before its own request
 * (`describeConfigs` = Metadata + DescribeConfigs, `fetchTopicMetadata` = two Metadata), its
 * metadata covers every topic of the cluster, and kafkajs throws a whole Metadata response
 * away as soon as any partition in it has no leader — one offline partition of an unrelated
 * topic would make every plan fail. The session uses the objects the admin client is built on
 * (cluster, connection pool, ApiVersions negotiation, TLS, SASL, retries, request timeouts),
 * sends every request to the broker it connected to (Redpanda and KRaft Kafka forward admin
 * requests to the controller), and asks Metadata only about the catalog's topics, reading
 * per-topic errors itself. kafkajs is pinned at 2.2.4 (its last release); the internals used
 * are typed in `kafkajs-internals.d.ts`, and `openSession` fails loudly if one is missing.
 *
 * Config changes use IncrementalAlterConfigs (KIP-339, API key 44; Apache Kafka 2.3+ and
 * Redpanda serve it), encoded here on kafkajs's own protocol layer (its Encoder, Decoder,
 * version negotiation and connection pool), because kafkajs 2.2.4's `alterConfigs` only sends
 * the legacy AlterConfigs request, which resets every override left out of it. Each entry
 * names only the keys to SET (or DELETE); nothing else of the topic is read or sent.
 *
 * Nothing here keeps state at module scope but the process-wide filter of one kafkajs warning
 * (`quietKafkajsClockWarning`): the provider reuses sessions through `sessions.ts`, the CLI
 * opens one per command.
 */
// Referenced, not just included by tsconfig: `pulumi up` type-checks through ts-node, which
// only sees the files the program imports; an ambient declaration file cannot be imported.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- see above
/// <reference path="./kafkajs-internals.d.ts" />
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from "kafkajs";
import Decoder from "kafkajs/src/protocol/decoder";
import Encoder from "kafkajs/src/protocol/encoder";
import { createErrorFromCode } from "kafkajs/src/protocol/error";
import {
  requests as protocolRequests,
  type RequestDefinitions,
} from "kafkajs/src/protocol/requests";
import apiKeys from "kafkajs/src/protocol/requests/apiKeys";
import { type DescribedConfigEntry, liveConfigsOf } from "./describeConfigs";
import type { ConnectionSettings } from "./model";
import type { ClusterView, LiveConfigEntry, PartitionAssignment, PartitionState } from "./plan";

/** DescribeConfigs / AlterConfigs resource type of a topic. */
const TOPIC_RESOURCE = 2;
/** Metadata error codes: the topic does not exist; it exists but has no leader yet (being created). */
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_NOT_AVAILABLE = 5;
/** IncrementalAlterConfigs operation types (KIP-339). */
const CONFIG_OPERATION = { set: 0, delete: 1 } as const;
/** Bounded retries: a dead broker must fail fast. */
const RETRY = { retries: 4, initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2, multiplier: 2 };

interface WireMetadata {
  brokers: { nodeId: number; host: string; port: number }[];
  topicMetadata: {
    topicErrorCode: number;
    topic: string;
    partitionMetadata: {
      partitionErrorCode: number;
      partitionId: number;
      leader: number;
      replicas: number[];
      isr: number[];
    }[];
    isInternal?: boolean;
  }[];
}

/** A Metadata topic's partitions, by id. */
function partitionStates(topic: WireMetadata["topicMetadata"][number]): PartitionState[] {
  return topic.partitionMetadata
    .map((partition) => ({
      id: partition.partitionId,
      leader: partition.leader,
      replicas: [...partition.replicas],
      isr: [...partition.isr],
    }))
    .sort((a, b) => a.id - b.id);
}

interface ProtocolRequest {
  request: unknown;
  response: { decode(data: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
}

interface WireBroker {
  /** The broker's ApiVersions answer, by API key (set once connected). */
  versions?: Record<number, { minVersion: number; maxVersion: number } | undefined>;
  lookupRequest(
    apiKey: number,
    definitions: RequestDefinitions,
  ): (options: object) => ProtocolRequest;
  connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
  describeConfigs(request: {
    resources: { type: number; name: string; configNames?: string[] }[];
    includeSynonyms?: boolean;
  }): Promise<{ resources: { resourceName: string; configEntries: DescribedConfigEntry[] }[] }>;
  createTopics(request: {
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<unknown>;
  createPartitions(request: {
    topicPartitions: { topic: string; count: number }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<unknown>;
  deleteTopics(request: { topics: string[]; timeout?: number }): Promise<unknown>;
  alterPartitionReassignments(request: {
    topics: { topic: string; partitionAssignment: { partition: number; replicas: number[] }[] }[];
    timeout?: number;
  }): Promise<unknown>;
  listPartitionReassignments(request: {
    topics: { topic: string; partitions: number[] }[] | null;
    timeout?: number;
  }): Promise<{
    topics: {
      name: string;
      partitions: {
        partition: number;
        replicas: number[];
        addingReplicas: number[];
        removingReplicas: number[];
      }[];
    }[];
  }>;
}

interface WireCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  brokerPool: { seedBroker?: WireBroker };
}

/** Called once per Kafka request on the wire (kafkajs instrumentation), e.g. `"Metadata"`. */
export type RequestObserver = (apiName: string) => void;

/** What one Metadata request tells: the brokers, and the partitions of the asked topics that exist. */
export interface ClusterSnapshot extends ClusterView {
  topics: Map<string, PartitionState[]>;
}

/** Every topic of the cluster as one Metadata request lists them (`topics import`). */
export interface ClusterListing extends ClusterSnapshot {
  /** Topics the broker marks internal (`__consumer_offsets`, Kafka's `__transaction_state`). */
  internal: Set<string>;
  /** Topics the broker listed with an error instead of partitions (e.g. not authorized), with its message. */
  unreadable: Map<string, string>;
}

export interface CreateTopicRequest {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

export interface TopicConfigChange {
  name: string;
  set: Record<string, string>;
  delete?: readonly string[];
}

export interface OngoingReassignment {
  topic: string;
  partitions: number[];
}

/** One connection to the cluster. Every method is exactly one Kafka request. */
export interface KafkaSession {
  readonly brokers: readonly string[];
  /** The per-request timeout of this session (`ConnectionSettings.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /**
   * One Metadata request about `names` (topics that do not exist are absent from the result),
   * repeated only while one of them is still being created (no leader yet), up to the request timeout.
   */
  metadata(names: readonly string[]): Promise<ClusterSnapshot>;
  /** One Metadata request about every topic of the cluster (those the client may see). */
  listTopics(): Promise<ClusterListing>;
  /**
   * One DescribeConfigs request for all `names` (which must exist). With `keys`, the broker is
   * asked about those config names only (the managed keys); without, about every config.
   */
  describeTopicConfigs(
    names: readonly string[],
    keys?: readonly string[],
  ): Promise<Map<string, Record<string, LiveConfigEntry>>>;
  /** One CreateTopics request for all of them. */
  createTopics(topics: readonly CreateTopicRequest[], validateOnly: boolean): Promise<void>;
  /**
   * One IncrementalAlterConfigs request: per topic, SET the keys in `set` and DELETE (back to
   * the default) the keys in `delete`; every other override of the topic is left as it is.
   */
  alterTopicConfigs(topics: readonly TopicConfigChange[], validateOnly: boolean): Promise<void>;
  /** One CreatePartitions request; the broker places the new partitions. */
  createPartitions(
    topics: readonly { name: string; count: number }[],
    validateOnly: boolean,
  ): Promise<void>;
  /** One AlterPartitionReassignments request for all of them. */
  reassignPartitions(
    topics: readonly { name: string; assignment: readonly PartitionAssignment[] }[],
  ): Promise<void>;
  /** One ListPartitionReassignments request. */
  ongoingReassignments(topics: readonly string[]): Promise<OngoingReassignment[]>;
  /** One DeleteTopics request. */
  deleteTopics(names: readonly string[]): Promise<void>;
  /** Whether the connected broker serves API `apiKey` (its ApiVersions answer). */
  serves(apiKey: number): boolean;
  /**
   * One request built from `definitions` (kafkajs' own or one encoded elsewhere on its protocol
   * layer), at the best version both sides serve; returns the decoded response without kafkajs'
   * parse step, so the caller reads every per-entry error itself. `what` names it in a failure.
   */
  send<Response>(
    apiKey: number,
    definitions: RequestDefinitions,
    options: object,
    what: string,
  ): Promise<Response>;
  close(): Promise<void>;
}

export function describeBrokers(brokers: readonly string[]): string {
  return brokers.join(",");
}

function messageOf(error: unknown): string {
  // Kafka's error code name (e.g. INVALID_CONFIG), which kafkajs keeps apart from its message.
  const kafkaCode = (error as { type?: unknown } | null)?.type;
  if (error instanceof Error && typeof kafkaCode === "string" && /^[A-Z_]+$/.test(kafkaCode))
    return `${error.message} (${kafkaCode})`;
  if (error instanceof Error) {
    const cause = (error as { originalError?: unknown }).originalError;
    const inner =
      cause instanceof Error && !error.message.includes(cause.message) ? ` (${cause.message})` : "";
    return `${error.message}${inner}`;
  }
  return String(error);
}

/** Kafka's per-topic errors (e.g. from CreateTopics) carry the topic; list them all. */
export function kafkaErrorMessage(error: unknown): string {
  const nested = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.length > 0) {
    return nested
      .map((inner) => {
        const topic = (inner as { topic?: string }).topic;
        return topic ? `${topic}: ${messageOf(inner)}` : messageOf(inner);
      })
      .join("; ");
  }
  return messageOf(error);
}

/** kafkajs client options for `settings`: bounded retries, enforced request timeouts, quiet logs. */
export function clientConfig(
  settings: ConnectionSettings,
  password: string | undefined,
): KafkaConfig {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: settings.connectTimeoutMs,
    authenticationTimeout: settings.connectTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    enforceRequestTimeout: true,
    retry: RETRY,
    logLevel: logLevel.NOTHING,
    ssl: settings.tls.enabled
      ? {
          rejectUnauthorized: settings.tls.rejectUnauthorized,
          ...(settings.tls.ca ? { ca: [settings.tls.ca] } : {}),
        }
      : false,
  };
  if (settings.sasl) {
    if (password === undefined) {
      throw new Error(
        `SASL user ${settings.sasl.username} is configured but no password was given (apphub-streaming:kafkaSaslPassword)`,
      );
    }
    config.sasl = {
      mechanism: settings.sasl.mechanism,
      username: settings.sasl.username,
      password,
    } as SASLOptions;
  }
  return config;
}

/** The cluster object kafkajs builds its admin client on; see the module comment. */
function createWireCluster(kafka: Kafka, observer: RequestObserver | undefined): WireCluster {
  const hook = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === "private:Kafka:createCluster",
  );
  const create =
    hook === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[hook];
  if (typeof create !== "function") {
    throw new Error(
      "this kafkajs build has no cluster factory; the topic engine needs kafkajs 2.2.x (see src/topics/kafka.ts)",
    );
  }
  // kafkajs only ever calls `emit` on the instrumentation emitter it is handed.
  const instrumentationEmitter = observer
    ? {
        emit(eventName: string, event: { apiName?: string }) {
          if (eventName === "network.request" && typeof event.apiName === "string")
            observer(event.apiName);
        },
      }
    : null;
  return (create as (options: object) => WireCluster)({
    allowAutoTopicCreation: false,
    instrumentationEmitter,
  });
}

/**
 * Connects within `connectTimeoutMs` overall (kafkajs' own retries included), or fails with
 * a message naming the brokers. The caller must `close()` the session.
 */
/**
 * Whether a process warning is the one kafkajs 2.2.4 causes on every connection under Node 23+:
 * its request queue schedules a check at `throttledUntil - Date.now()` while `throttledUntil`
 * is still 0, so Node reports "-<the clock> is a negative number" (tulios/kafkajs#1751; the
 * fixes in #1755/#1756 are unreleased). Node clamps that delay to 1 ms, so nothing misbehaves.
 * Only a delay of minus the clock (within a minute) matches; any other negative delay is
 * somebody's bug and is still reported.
 */
export function isKafkajsClockWarning(
  warning: string | Error,
  type: unknown,
  now = Date.now(),
): boolean {
  if (type !== "TimeoutNegativeWarning") return false;
  const match = /^-(\d+) is a negative number\./.exec(
    typeof warning === "string" ? warning : warning.message,
  );
  return match !== null && Math.abs(Number(match[1]) - now) < 60_000;
}

let clockWarningQuieted = false;

/**
 * Drops that one warning from this process: under `pulumi up` the provider's stderr is shown in
 * the stack's diagnostics, where it would appear on every run and teach operators to ignore
 * warnings. Idempotent; every other warning passes through unchanged.
 */
export function quietKafkajsClockWarning(): void {
  if (clockWarningQuieted) return;
  clockWarningQuieted = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type =
      typeof rest[0] === "object" && rest[0] !== null
        ? (rest[0] as { type?: unknown }).type
        : rest[0];
    if (isKafkajsClockWarning(warning, type)) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** What to check when the brokers cannot be reached: said once, in every connect failure. */
/**
 * A connect that failed. `credentialsRefused`: the brokers answered and refused the SASL login,
 * which a rotation in the same run may make valid any moment (unlike a broker that is down).
 */
export class BrokerConnectError extends Error {
  constructor(
    message: string,
    readonly credentialsRefused: boolean,
  ) {
    super(message);
    this.name = "BrokerConnectError";
  }
}

const isCredentialRefusal = (error: unknown): boolean =>
  (error as Error | undefined)?.name === "KafkaJSSASLAuthenticationError" ||
  /SASL .*authentication failed/i.test(messageOf(error));

export function unreachableAdvice(settings: ConnectionSettings): string {
  const security = [settings.tls.enabled ? "TLS" : "", settings.sasl ? "SASL" : ""]
    .filter(Boolean)
    .join(" and ");
  return (
    `Check that the brokers are running and reachable from this machine on those addresses ` +
    `(apphub-streaming:kafka.brokers)${security ? `, and the ${security} settings` : ""}; ` +
    `each connect waits up to kafka.connectTimeoutMs (${settings.connectTimeoutMs} ms)`
  );
}

export async function openSession(
  settings: ConnectionSettings,
  password?: string,
  observer?: RequestObserver,
): Promise<KafkaSession> {
  if (settings.brokers.length === 0) throw new Error("no Kafka brokers given");
  quietKafkajsClockWarning();
  const where = describeBrokers(settings.brokers);
  const kafka = new Kafka(clientConfig(settings, password));
  const cluster = createWireCluster(kafka, observer);

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `could not connect to Kafka brokers ${where} within ${settings.connectTimeoutMs} ms (connectTimeoutMs)`,
          ),
        ),
      settings.connectTimeoutMs,
    );
  });
  try {
    await Promise.race([cluster.connect(), deadline]);
  } catch (error) {
    // A broker that accepted the socket but never answers keeps kafkajs' disconnect waiting for
    // its in-flight request (up to requestTimeoutMs): give it a moment, then report anyway.
    await Promise.race([
      cluster.disconnect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 250).unref()),
    ]);
    const message = messageOf(error);
    throw new BrokerConnectError(
      `${
        message.startsWith("could not connect")
          ? message
          : `could not connect to Kafka brokers ${where}: ${message}`
      }. ${unreachableAdvice(settings)}`,
      isCredentialRefusal(error),
    );
  } finally {
    clearTimeout(timer);
  }

  const timeout = settings.requestTimeoutMs;
  const fail =
    (what: string) =>
    (error: unknown): never => {
      throw new Error(`${what} on ${where} failed: ${kafkaErrorMessage(error)}`);
    };
  const broker = cluster.brokerPool.seedBroker;
  if (!broker || typeof broker.lookupRequest !== "function" || !broker.connectionPool) {
    await cluster.disconnect().catch(() => undefined);
    throw new Error(
      "this kafkajs build does not expose its connected broker; the topic engine needs kafkajs 2.2.x (see src/topics/kafka.ts)",
    );
  }

  /** Metadata without kafkajs' all-or-nothing parse: per-topic and per-partition errors are read here. */
  const rawMetadata = async (names: readonly string[]): Promise<WireMetadata> => {
    const definitions = protocolRequests.Metadata;
    const apiKey = apiKeys.Metadata;
    if (!definitions || apiKey === undefined)
      throw new Error("kafkajs has no Metadata request definition");
    const request = broker.lookupRequest(
      apiKey,
      definitions,
    )({ topics: [...names], allowAutoTopicCreation: false });
    const tolerant: ProtocolRequest = {
      ...request,
      response: { ...request.response, parse: async (data: unknown) => data },
    };
    return (await broker.connectionPool.send(tolerant)) as WireMetadata;
  };

  return {
    brokers: settings.brokers,
    requestTimeoutMs: settings.requestTimeoutMs,

    async metadata(names) {
      // An empty list would mean "every topic of the cluster" on the wire.
      if (names.length === 0) throw new Error("metadata needs at least one topic name");
      const deadline = Date.now() + timeout;
      for (let attempt = 1; ; attempt += 1) {
        const metadata = await rawMetadata(names).catch(fail("reading topic metadata"));
        const topics = new Map<string, PartitionState[]>();
        const notReady: string[] = [];
        for (const topic of metadata.topicMetadata) {
          if (topic.topicErrorCode === UNKNOWN_TOPIC_OR_PARTITION) continue;
          if (topic.topicErrorCode === LEADER_NOT_AVAILABLE) {
            notReady.push(topic.topic);
            continue;
          }
          if (topic.topicErrorCode !== 0)
            fail(`reading metadata of ${topic.topic}`)(createErrorFromCode(topic.topicErrorCode));
          topics.set(topic.topic, partitionStates(topic));
        }
        if (notReady.length === 0)
          return {
            brokerIds: metadata.brokers.map((entry) => entry.nodeId).sort((a, b) => a - b),
            topics,
          };
        if (Date.now() > deadline)
          throw new Error(
            `topic(s) ${notReady.join(", ")} on ${where} still have no leader after ${timeout} ms (requestTimeoutMs)`,
          );
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
      }
    },

    async listTopics() {
      // An empty topic list goes on the wire as null: every topic of the cluster.
      const metadata = await rawMetadata([]).catch(fail("listing the cluster's topics"));
      const listing: ClusterListing = {
        brokerIds: metadata.brokers.map((entry) => entry.nodeId).sort((a, b) => a - b),
        topics: new Map(),
        internal: new Set(),
        unreadable: new Map(),
      };
      for (const topic of metadata.topicMetadata) {
        if (topic.topicErrorCode !== 0 && topic.topicErrorCode !== LEADER_NOT_AVAILABLE) {
          listing.unreadable.set(topic.topic, createErrorFromCode(topic.topicErrorCode).message);
          continue;
        }
        if (topic.isInternal === true) listing.internal.add(topic.topic);
        listing.topics.set(topic.topic, partitionStates(topic));
      }
      return listing;
    },

    async describeTopicConfigs(names, keys) {
      const result = new Map<string, Record<string, LiveConfigEntry>>();
      if (names.length === 0) return result;
      const configNames = keys === undefined ? {} : { configNames: [...keys] };
      const response = await broker
        .describeConfigs({
          resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, ...configNames })),
          includeSynonyms: false,
        })
        .catch(fail(`describing configs of ${names.length} topic(s)`));
      for (const resource of response.resources)
        result.set(resource.resourceName, liveConfigsOf(resource.configEntries));
      return result;
    },

    async createTopics(topics, validateOnly) {
      if (topics.length === 0) return;
      await broker
        .createTopics({
          topics: topics.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: topic.replicationFactor,
            configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
          })),
          validateOnly,
          timeout,
        })
        .catch(
          fail(
            `${validateOnly ? "validating the creation of" : "creating"} ${topics.map((topic) => topic.name).join(", ")}`,
          ),
        );
    },

    async alterTopicConfigs(topics, validateOnly) {
      if (topics.length === 0) return;
      const what = `${validateOnly ? "validating configs of" : "altering configs of"} ${topics.map((topic) => topic.name).join(", ")}`;
      const request = incrementalAlterConfigs(broker, topics, validateOnly);
      const response = (await broker.connectionPool
        .send(request)
        .catch(fail(what))) as IncrementalAlterConfigsResponse;
      const refused = response.resources.filter((resource) => resource.errorCode !== 0);
      if (refused.length > 0) {
        const reasons = refused.map(
          (resource) =>
            `${resource.resourceName}: ${resource.errorMessage ?? createErrorFromCode(resource.errorCode).message}`,
        );
        throw new Error(`${what} on ${where} failed: ${reasons.join("; ")}`);
      }
    },

    async createPartitions(topics, validateOnly) {
      if (topics.length === 0) return;
      await broker
        .createPartitions({
          topicPartitions: topics.map((topic) => ({ topic: topic.name, count: topic.count })),
          validateOnly,
          timeout,
        })
        .catch(
          fail(
            `${validateOnly ? "validating partitions of" : "adding partitions to"} ${topics.map((topic) => topic.name).join(", ")}`,
          ),
        );
    },

    async reassignPartitions(topics) {
      if (topics.length === 0) return;
      await broker
        .alterPartitionReassignments({
          topics: topics.map((topic) => ({
            topic: topic.name,
            partitionAssignment: topic.assignment.map((entry) => ({
              partition: entry.partition,
              replicas: [...entry.replicas],
            })),
          })),
          timeout,
        })
        .catch(fail(`reassigning partitions of ${topics.map((topic) => topic.name).join(", ")}`));
    },

    async ongoingReassignments(topics) {
      if (topics.length === 0) return [];
      const wanted = new Set(topics);
      // A null filter lists every ongoing reassignment: the request names no partitions we may not know.
      const response = await broker
        .listPartitionReassignments({ topics: null, timeout })
        .catch(fail("listing partition reassignments"));
      return response.topics
        .filter((topic) => wanted.has(topic.name) && topic.partitions.length > 0)
        .map((topic) => ({
          topic: topic.name,
          partitions: topic.partitions
            .map((partition) => partition.partition)
            .sort((a, b) => a - b),
        }));
    },

    async deleteTopics(names) {
      if (names.length === 0) return;
      await broker
        .deleteTopics({ topics: [...names], timeout })
        .catch(fail(`deleting ${names.join(", ")}`));
    },

    serves(apiKey) {
      return broker.versions?.[apiKey]?.maxVersion != null;
    },

    async send<Response>(
      apiKey: number,
      definitions: RequestDefinitions,
      options: object,
      what: string,
    ) {
      const request = broker.lookupRequest(apiKey, definitions)(options);
      const unparsed: ProtocolRequest = {
        ...request,
        response: { ...request.response, parse: async (data: unknown) => data },
      };
      return (await broker.connectionPool.send(unparsed).catch(fail(what))) as Response;
    },

    async close() {
      await cluster.disconnect().catch(() => undefined);
    },
  };
}

interface IncrementalAlterConfigsResponse {
  throttleTime: number;
  resources: {
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
  }[];
}

/**
 * IncrementalAlterConfigs Request (Version: 0) => [resources] validate_only
 *   resources => resource_type resource_name [configs]
 *     resource_type => INT8, resource_name => STRING
 *     configs => name config_operation value
 *       name => STRING, config_operation => INT8 (0 SET, 1 DELETE), value => NULLABLE_STRING
 *   validate_only => BOOLEAN
 * Response (Version: 0) => throttle_time_ms [responses]
 *   responses => error_code error_message resource_type resource_name
 * Version 1 only switches to the flexible encoding, so version 0 is all we implement; the
 * broker's ApiVersions answer decides whether it is served (kafkajs' lookup throws if not).
 */
const INCREMENTAL_ALTER_CONFIGS: RequestDefinitions = {
  versions: ["0"],
  protocol: () => (options: object) => {
    const { topics, validateOnly } = options as {
      topics: readonly TopicConfigChange[];
      validateOnly: boolean;
    };
    const entries = (topic: TopicConfigChange) => [
      ...Object.entries(topic.set).map(([name, value]) => ({
        name,
        operation: CONFIG_OPERATION.set,
        value: value as string | null,
      })),
      ...(topic.delete ?? []).map((name) => ({
        name,
        operation: CONFIG_OPERATION.delete,
        value: null,
      })),
    ];
    return {
      request: {
        apiKey: apiKeys.IncrementalAlterConfigs,
        apiVersion: 0,
        apiName: "IncrementalAlterConfigs",
        encode: async () =>
          new Encoder()
            .writeArray(
              topics.map((topic) =>
                new Encoder()
                  .writeInt8(TOPIC_RESOURCE)
                  .writeString(topic.name)
                  .writeArray(
                    entries(topic).map((entry) =>
                      new Encoder()
                        .writeString(entry.name)
                        .writeInt8(entry.operation)
                        .writeString(entry.value),
                    ),
                  ),
              ),
            )
            .writeBoolean(validateOnly),
      },
      response: {
        decode: async (data: Buffer): Promise<IncrementalAlterConfigsResponse> => {
          const decoder = new Decoder(data);
          const throttleTime = decoder.readInt32();
          const resources = decoder.readArray((inner) => ({
            errorCode: inner.readInt16(),
            errorMessage: inner.readString(),
            resourceType: inner.readInt8(),
            resourceName: inner.readString() ?? "",
          }));
          return { throttleTime, resources };
        },
        // Per-resource errors are read by the caller, which names every refused topic.
        parse: async (data: unknown) => data,
      },
    };
  },
};

function incrementalAlterConfigs(
  broker: WireBroker,
  topics: readonly TopicConfigChange[],
  validateOnly: boolean,
): ProtocolRequest {
  if (apiKeys.IncrementalAlterConfigs === undefined)
    throw new Error("kafkajs has no IncrementalAlterConfigs api key");
  return broker.lookupRequest(
    apiKeys.IncrementalAlterConfigs,
    INCREMENTAL_ALTER_CONFIGS,
  )({ topics, validateOnly });
}

/** Opens a session, runs `work`, and always closes it. */
export async function withSession<T>(
  settings: ConnectionSettings,
  password: string | undefined,
  work: (session: KafkaSession) => Promise<T>,
  observer?: RequestObserver,
): Promise<T> {
  const session = await openSession(settings, password, observer);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
