/**
 * `topics import`, the pure part: what an existing cluster has → the `Pulumi.<stack>.yaml` that
 * adopts it, written new or merged into the file that is there. No I/O here: the CLI reads the
 * cluster (`src/cli/topics.ts`) and writes the text this returns.
 *
 * What is written, and why (docs/topics.md, "Adopting an existing cluster"):
 * - `environment: external`, `kafka.brokers`, `kafka.brokerCount` (what Metadata reports), and
 *   the TLS and SASL settings given; never a password.
 * - Per topic: partitions, replication factor, and only the configs **set on the topic**
 *   (DescribeConfigs source 1 on Kafka and Redpanda alike, `describeConfigs.ts`). A value
 *   inherited from the broker or cluster is left out, so a later change of that default is
 *   never drift. Retention follows the same rule: `retentionMs: null` when the topic inherits
 *   it. The few rows Redpanda reports as set although nobody may have chosen them are left out
 *   too, each with its reason in the report.
 * - `adopt: true` on every imported topic: the first `pulumi up` records it as it is.
 * - Seed topics keep their catalog role (nothing is written over it); a seed topic that is not
 *   imported (not on the cluster, or filtered out) is set to `null`, so `pulumi up` creates
 *   nothing the cluster does not have.
 * - Internal topics (`__*`, `_schemas`, Redpanda's `_redpanda*`) and the probe topic are skipped.
 *
 * Merging keeps every byte of the existing file outside the keys it sets (comments, order,
 * quoting: `applyYamlSets`), never removes a key, leaves a value alone when it already says the
 * same thing, and respects a topic the file sets to `null`. Run twice, it writes the same file.
 */
import { stackFileFromText, SECRET_PLACEHOLDER } from "../config/load";
import {
  CONFIG_NAMESPACE,
  DEFAULT_KAFKA_CLIENT,
  parseStackConfig,
  type StackConfig,
} from "../config/schema";
import {
  retentionMsProblem,
  saslMechanismProblem,
  saslUsernameProblem,
  type SaslMechanism,
} from "../config/rules";
import { isRecord } from "../config/values";
import { deepEqual } from "../ops/fieldDiff";
import { applyYamlSets, type YamlSet } from "../ops/yamlEdit";
import {
  formatUsersImport,
  passwordsPending,
  usersNextSteps,
  withPendingPasswords,
  type ImportedUserReport,
  type LeftOutAcl,
  type UsersImport,
} from "../users/import";
import { DEFAULT_PROBE_TOPIC, SEED_TOPICS } from "./catalog";
import { unchosenOverrideReason } from "./describeConfigs";
import { pulumiImportCommand, pulumiImportFile, type PulumiImportFile } from "./importFile";
import { RETENTION_KEY, type ConnectionSettings } from "./model";
import {
  liveReplication,
  sameConfigValue,
  type LiveConfigEntry,
  type PartitionState,
} from "./plan";

/** The broker's own topics: Kafka's `__*` (offsets, transactions, share groups), Redpanda's `_schemas`, `_redpanda.*`. */
export const INTERNAL_TOPIC = /^(__|_schemas$|_redpanda)/;

/** The environment an imported stack has: the cluster exists, this program deploys no brokers. */
const IMPORTED_ENVIRONMENT = "external";

/** One topic as the cluster described it. */
export interface ClusterTopic {
  name: string;
  partitions: PartitionState[];
  /** Every config DescribeConfigs reported (all keys), by name. */
  configs: Record<string, LiveConfigEntry>;
}

export interface NamedReason {
  name: string;
  reason: string;
}

/** A config set on the topic that the import did not write, and why. */
export interface LeftOutConfig {
  key: string;
  value: string | null;
  reason: string;
}

/** A topic as the stack now says it (after the merge), and what the import did to its entry. */
export interface ImportedTopicReport {
  name: string;
  seed: boolean;
  entry: "added" | "updated" | "unchanged";
  partitions: number;
  replicationFactor: number;
  /** null: the topic inherits retention.ms from the cluster and the stack does not manage it. */
  retentionMs: number | null;
  /** The configs set on the topic, as written (retention.ms aside). */
  config: Record<string, string>;
  leftOut: LeftOutConfig[];
}

/** What `topics import --json` prints (docs/topics.md documents every field). */
export interface ImportReport {
  stack: string;
  file: string;
  /** Whether the file's text changed (with --dry-run: would change). */
  changed: boolean;
  /** Whether the file was written: false with --dry-run, when nothing changed, or with problems. */
  written: boolean;
  brokers: string[];
  brokerCount: number;
  topics: ImportedTopicReport[];
  /** Topics on the cluster that were not imported. */
  skipped: NamedReason[];
  /** Seed topics the stack now sets to null (not managed), and why. */
  seedsLeftOut: NamedReason[];
  /** Topics the stack declares that are not on the cluster: `pulumi up` would create them. */
  notOnCluster: string[];
  /**
   * The Pulumi import file that records the imported topics (`pulumi import --file`), or null
   * when there is none (no topic imported, or problems).
   */
  importFile: { file: string; topics: number; written: boolean } | null;
  /** Users with ACLs, as the stack now says them (`src/users/import.ts`). */
  users: ImportedUserReport[];
  /** ACL bindings not written, each with its reason. */
  leftOutAcls: LeftOutAcl[];
  /** Why no user was read (--no-users, authorization off), or a caveat for all; else null. */
  usersNote: string | null;
  /** Why the result would not be a valid stack config (nothing is written then). */
  problems: string[];
  /** What to run next. */
  next: string[];
}

/** What the existing stack file says that decides the import (before any broker is read). */
export interface ExistingStack {
  text: string | undefined;
  raw: Record<string, unknown>;
  secretKeys: string[];
  /** Topics the file sets to null: not managed, never imported. */
  nulled: Set<string>;
  probeTopic: string;
}

/** Reads what the import needs from an existing file's text (undefined: no file yet). */
export function existingStack(text: string | undefined, file: string): ExistingStack {
  const { raw, secretKeys } =
    text === undefined ? { raw: {}, secretKeys: [] } : stackFileFromText(text, file);
  const topics = isRecord(raw.topics) ? raw.topics : {};
  return {
    text,
    raw,
    secretKeys,
    nulled: new Set(Object.keys(topics).filter((name) => topics[name] === null)),
    probeTopic: typeof raw.probeTopic === "string" ? raw.probeTopic : DEFAULT_PROBE_TOPIC,
  };
}

/** Why an existing file cannot take an import, or undefined. */
export function existingStackProblem(stack: ExistingStack, file: string): string | undefined {
  const environment = stack.raw.environment;
  if (environment === undefined || environment === IMPORTED_ENVIRONMENT) return undefined;
  return (
    `${file} has environment ${JSON.stringify(environment)}: topics import writes ${IMPORTED_ENVIRONMENT} stacks ` +
    `(a cluster this program does not deploy); import into a new stack with --stack <name>`
  );
}

export interface TopicFilter {
  include?: RegExp | undefined;
  exclude?: RegExp | undefined;
}

/** Which of the cluster's topics to import, and why each other one is not. */
export function selectTopics(
  listed: readonly { name: string; internal: boolean }[],
  filter: TopicFilter,
  stack: Pick<ExistingStack, "nulled" | "probeTopic">,
): { selected: string[]; skipped: NamedReason[] } {
  const selected: string[] = [];
  const skipped: NamedReason[] = [];
  for (const { name, internal } of [...listed].sort((a, b) => compare(a.name, b.name))) {
    const reason = skipReason(name, internal, filter, stack);
    if (reason === undefined) selected.push(name);
    else skipped.push({ name, reason });
  }
  return { selected, skipped };
}

function skipReason(
  name: string,
  internal: boolean,
  filter: TopicFilter,
  stack: Pick<ExistingStack, "nulled" | "probeTopic">,
): string | undefined {
  if (internal || INTERNAL_TOPIC.test(name)) return "internal topic of the broker";
  if (name === stack.probeTopic) return "the probe's own topic (apphub-streaming:probeTopic)";
  if (stack.nulled.has(name)) return "set to null in the stack file: not managed";
  if (filter.include && !filter.include.test(name)) return "not matched by --include";
  if (filter.exclude?.test(name)) return "matched by --exclude";
  return undefined;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const SEED_NAMES = new Set(SEED_TOPICS.map((seed) => seed.name));

/** What the cluster says of one topic, in the stack's terms (before merging). */
interface ImportedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  retentionMs: number | null;
  /** The retention the topic has when it inherits it (to keep a stack value that agrees). */
  inheritedRetention: string | null;
  config: Record<string, string>;
  leftOut: LeftOutConfig[];
}

/** One topic's partitions, replication and the configs set on it. Pure. */
export function importTopic(topic: ClusterTopic): ImportedTopic {
  const config: Record<string, string> = {};
  const leftOut: LeftOutConfig[] = [];
  let retentionMs: number | null = null;
  for (const key of Object.keys(topic.configs).sort(compare)) {
    const entry = topic.configs[key]!;
    if (!entry.isOverride) continue;
    const reason = leftOutReason(key, entry);
    if (reason !== undefined) {
      leftOut.push({ key, value: entry.value, reason });
      continue;
    }
    const value = entry.value!;
    if (key === RETENTION_KEY) retentionMs = Number(value.trim());
    else config[key] = value;
  }
  const retention = topic.configs[RETENTION_KEY];
  return {
    name: topic.name,
    partitions: topic.partitions.length,
    // A topic whose partitions disagree (a reassignment under way) is written with the most.
    replicationFactor: Math.max(0, ...liveReplication(topic.partitions)),
    retentionMs,
    inheritedRetention: retention && !retention.isOverride ? retention.value : null,
    config,
    leftOut,
  };
}

function leftOutReason(key: string, entry: LiveConfigEntry): string | undefined {
  if (entry.value === null) return "the broker hides its value (sensitive)";
  if (entry.readOnly) return "read-only on the broker";
  if (key === RETENTION_KEY) {
    const problem = retentionMsProblem(Number(entry.value.trim()));
    if (!/^-?[0-9]+$/.test(entry.value.trim()) || problem !== undefined)
      return `not a value retentionMs takes (-1, or 1 up to 2^53-1 milliseconds); the topic keeps it, unmanaged`;
  }
  return unchosenOverrideReason(key, entry.value);
}

/** What the import writes besides topics: where and how to connect (never the password). */
export interface ConnectionToWrite {
  brokers: string[];
  brokerCount: number;
  tls?: { enabled: boolean; rejectUnauthorized?: boolean };
  sasl?: { mechanism: SaslMechanism; username: string };
}

/** The import's command-line connection options. */
export interface ImportFlags {
  brokers: string[];
  tls?: boolean | undefined;
  tlsInsecure?: boolean | undefined;
  saslMechanism?: string | undefined;
  saslUsername?: string | undefined;
}

/**
 * How the import connects, and what it writes about it: the flags, else what the existing file
 * says (client id, timeouts, TLS, SASL user), else the defaults. Throws naming the flag when a
 * SASL flag is missing its pair or has a bad value.
 */
export function importConnection(
  flags: ImportFlags,
  existing: Pick<ExistingStack, "raw">,
): { settings: ConnectionSettings; write: Omit<ConnectionToWrite, "brokerCount"> } {
  const kafka = isRecord(existing.raw.kafka) ? existing.raw.kafka : {};
  const fileTls = isRecord(kafka.tls) ? kafka.tls : {};
  const number = (value: unknown, fallback: number) =>
    typeof value === "number" ? value : fallback;
  const bool = (value: unknown, fallback: boolean) =>
    typeof value === "boolean" ? value : fallback;
  const tlsGiven = flags.tls === true || flags.tlsInsecure === true;
  const tls = {
    enabled: tlsGiven || bool(fileTls.enabled, DEFAULT_KAFKA_CLIENT.tls.enabled),
    rejectUnauthorized:
      flags.tlsInsecure === true
        ? false
        : bool(fileTls.rejectUnauthorized, DEFAULT_KAFKA_CLIENT.tls.rejectUnauthorized),
  };
  const sasl = saslFromFlags(flags) ?? fileSasl(kafka.sasl);
  const settings: ConnectionSettings = {
    brokers: flags.brokers,
    clientId: typeof kafka.clientId === "string" ? kafka.clientId : DEFAULT_KAFKA_CLIENT.clientId,
    connectTimeoutMs: number(kafka.connectTimeoutMs, DEFAULT_KAFKA_CLIENT.connectTimeoutMs),
    requestTimeoutMs: number(kafka.requestTimeoutMs, DEFAULT_KAFKA_CLIENT.requestTimeoutMs),
    tls,
    ...(sasl ? { sasl } : {}),
  };
  return {
    settings,
    write: {
      brokers: flags.brokers,
      ...(tlsGiven
        ? { tls: { enabled: true, ...(flags.tlsInsecure ? { rejectUnauthorized: false } : {}) } }
        : {}),
      ...(flags.saslMechanism !== undefined && sasl ? { sasl } : {}),
    },
  };
}

function saslFromFlags(flags: ImportFlags): ConnectionToWrite["sasl"] {
  const { saslMechanism: mechanism, saslUsername: username } = flags;
  if (mechanism === undefined && username === undefined) return undefined;
  if (mechanism === undefined || username === undefined)
    throw new Error("--sasl-mechanism and --sasl-username go together: give both, or neither");
  const problem = saslMechanismProblem(mechanism);
  if (problem) throw new Error(`--sasl-mechanism: ${problem}`);
  const userProblem = saslUsernameProblem(username);
  if (userProblem) throw new Error(`--sasl-username: ${userProblem}`);
  return { mechanism: mechanism as SaslMechanism, username };
}

function fileSasl(value: unknown): ConnectionToWrite["sasl"] {
  if (!isRecord(value) || typeof value.username !== "string") return undefined;
  if (saslMechanismProblem(value.mechanism) !== undefined) return undefined;
  return { mechanism: value.mechanism as SaslMechanism, username: value.username };
}

export interface ImportInput {
  stack: string;
  /** The file as the report names it. */
  file: string;
  existing: ExistingStack;
  connection: ConnectionToWrite;
  /** The selected topics, described. */
  topics: readonly ClusterTopic[];
  /** Cluster topics not selected (from `selectTopics`). */
  skipped: readonly NamedReason[];
  /** Every topic name on the cluster, imported or not. */
  onCluster: ReadonlySet<string>;
  /** The users and ACLs to merge (`importUsers`); absent: users are not part of this import. */
  users?: UsersImport;
  env?: NodeJS.ProcessEnv;
  /** Where the Pulumi import file goes, as the report names it (`importFilePath`). */
  importFile: string;
}

const NS = CONFIG_NAMESPACE;
const topicsPath = (...rest: string[]) => ["config", `${NS}:topics`, ...rest];

const NEW_FILE_HEADER = [
  "# An existing cluster, adopted: written by `npm run topics -- import`. Each topic is what the",
  "# cluster had set on the topic itself; values it inherits are left out (docs/topics.md,",
  '# "Adopting an existing cluster").',
  "",
].join("\n");

/** The merged stack file and the report. `text` is undefined when there are problems. */
export function importStack(input: ImportInput): {
  text: string | undefined;
  report: ImportReport;
  /** What to write to `input.importFile`; undefined when `report.importFile` is null. */
  importFile: PulumiImportFile | undefined;
} {
  const { existing, connection } = input;
  const sets: YamlSet[] = [...connectionSets(existing.raw, connection)];
  const existingTopics = isRecord(existing.raw.topics) ? existing.raw.topics : {};
  const topics: ImportedTopicReport[] = [];
  for (const topic of input.topics) {
    const imported = importTopic(topic);
    const merged = mergeTopic(imported, existingTopics[topic.name]);
    sets.push(...merged.sets);
    topics.push({
      name: topic.name,
      seed: SEED_NAMES.has(topic.name),
      entry: merged.entry,
      ...merged.says,
      leftOut: imported.leftOut,
    });
  }

  const imported = new Set(input.topics.map((topic) => topic.name));
  const seedsLeftOut: NamedReason[] = [];
  for (const seed of SEED_TOPICS) {
    if (imported.has(seed.name) || seed.name in existingTopics) continue;
    seedsLeftOut.push({
      name: seed.name,
      reason: input.onCluster.has(seed.name)
        ? `not imported (${input.skipped.find((entry) => entry.name === seed.name)?.reason ?? "filtered out"})`
        : "not on the cluster; remove its null to have pulumi up create it",
    });
    sets.push({ path: topicsPath(seed.name), value: null });
  }
  const notOnCluster = Object.keys(existingTopics)
    .filter((name) => existingTopics[name] !== null && !input.onCluster.has(name))
    .sort(compare);

  sets.push(...(input.users?.sets ?? []));
  const before = existing.text ?? NEW_FILE_HEADER;
  const after = applyYamlSets(before, sets);
  const { problems, config, pendingPasswords } = validated(after, input);
  const importFile = config && topics.length > 0 ? pulumiImportFile(config, topics) : undefined;
  const report: ImportReport = {
    stack: input.stack,
    file: input.file,
    changed: existing.text === undefined || after !== existing.text,
    written: false,
    brokers: connection.brokers,
    brokerCount: connection.brokerCount,
    topics,
    skipped: [...input.skipped],
    seedsLeftOut,
    notOnCluster,
    importFile: importFile
      ? { file: input.importFile, topics: topics.length, written: false }
      : null,
    users: input.users?.users ?? [],
    leftOutAcls: input.users?.leftOutAcls ?? [],
    usersNote: input.users?.note ?? null,
    problems,
    next: [...usersNextSteps(pendingPasswords, input.stack), ...nextSteps(input, topics.length)],
  };
  return { text: problems.length > 0 ? undefined : after, report, importFile };
}

/** The top-level keys: environment, brokers and broker count, TLS and SASL as given. */
function connectionSets(raw: Record<string, unknown>, connection: ConnectionToWrite): YamlSet[] {
  const sets: YamlSet[] = [];
  const kafka = isRecord(raw.kafka) ? raw.kafka : {};
  const put = (path: string[], value: unknown, current: unknown) => {
    if (!deepEqual(current, value)) sets.push({ path, value });
  };
  put(["config", `${NS}:environment`], IMPORTED_ENVIRONMENT, raw.environment);
  const kafkaPath = (...rest: string[]) => ["config", `${NS}:kafka`, ...rest];
  put(kafkaPath("brokers"), connection.brokers, kafka.brokers);
  put(kafkaPath("brokerCount"), connection.brokerCount, kafka.brokerCount);
  const tls = isRecord(kafka.tls) ? kafka.tls : {};
  if (connection.tls) {
    put(kafkaPath("tls", "enabled"), connection.tls.enabled, tls.enabled);
    if (connection.tls.rejectUnauthorized !== undefined)
      put(
        kafkaPath("tls", "rejectUnauthorized"),
        connection.tls.rejectUnauthorized,
        tls.rejectUnauthorized,
      );
  }
  if (connection.sasl) put(kafkaPath("sasl"), connection.sasl, kafka.sasl);
  return sets;
}

/** The sets that make an existing entry (or none) say what the cluster has, and what it then says. */
function mergeTopic(
  imported: ImportedTopic,
  current: unknown,
): {
  sets: YamlSet[];
  entry: ImportedTopicReport["entry"];
  says: Pick<ImportedTopicReport, "partitions" | "replicationFactor" | "retentionMs" | "config">;
} {
  const { name, partitions, replicationFactor, config } = imported;
  if (!isRecord(current)) {
    const value = {
      partitions,
      replicationFactor,
      retentionMs: imported.retentionMs,
      ...(Object.keys(config).length > 0 ? { config } : {}),
      adopt: true,
    };
    return {
      sets: [{ path: topicsPath(name), value }],
      entry: "added",
      says: { partitions, replicationFactor, retentionMs: imported.retentionMs, config },
    };
  }
  const sets: YamlSet[] = [];
  const set = (path: string[], value: unknown) =>
    sets.push({ path: topicsPath(name, ...path), value });
  if (current.partitions !== partitions) set(["partitions"], partitions);
  if (current.replicationFactor !== replicationFactor)
    set(["replicationFactor"], replicationFactor);
  const retentionMs = mergedRetention(imported, current.retentionMs);
  if (retentionMs !== current.retentionMs) set(["retentionMs"], retentionMs);
  const currentConfig = isRecord(current.config) ? current.config : {};
  const says: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const stackValue = currentConfig[key];
    if (stackValue !== undefined && sameConfigValue(value, String(stackValue), key)) {
      says[key] = String(stackValue);
      continue;
    }
    set(["config", key], value);
    says[key] = value;
  }
  if (current.adopt !== true) set(["adopt"], true);
  return {
    sets,
    entry: sets.length > 0 ? "updated" : "unchanged",
    says: {
      partitions,
      replicationFactor,
      retentionMs: typeof retentionMs === "number" ? retentionMs : null,
      config: says,
    },
  };
}

/**
 * The retention the stack should say: the topic's own, else null (inherited) — but a number the
 * stack already has is kept when the topic's inherited retention is that value: the broker
 * agrees, and the user chose to manage it.
 */
function mergedRetention(imported: ImportedTopic, current: unknown): number | null | unknown {
  if (imported.retentionMs !== null) return imported.retentionMs;
  if (
    typeof current === "number" &&
    imported.inheritedRetention !== null &&
    sameConfigValue(imported.inheritedRetention, String(current), RETENTION_KEY)
  )
    return current;
  return null;
}

/**
 * Problems of the merged file as a stack config, found the way every command finds them. The
 * SASL password is not one: the import never writes it, and the next steps say how to set it.
 */
function validated(
  text: string,
  input: ImportInput,
): { problems: string[]; config: StackConfig | undefined; pendingPasswords: string[] } {
  const { raw, secretKeys } = stackFileFromText(text, input.file);
  const pendingPasswords = passwordsPending(raw);
  const withPassword = input.connection.sasl
    ? {
        raw: { ...raw, kafkaSaslPassword: SECRET_PLACEHOLDER },
        secretKeys: [...secretKeys, "kafkaSaslPassword"],
      }
    : { raw, secretKeys };
  const checked = withPendingPasswords(withPassword, pendingPasswords);
  const result = parseStackConfig(checked.raw, input.env ?? {}, {
    secretKeys: checked.secretKeys,
    stack: input.stack,
  });
  return result.ok
    ? { problems: [], config: result.config, pendingPasswords }
    : {
        problems: result.issues.map((issue) => `${issue.key}: ${issue.message}`),
        config: undefined,
        pendingPasswords,
      };
}

function nextSteps(input: ImportInput, imported: number): string[] {
  const steps: string[] = [];
  if (input.connection.sasl && !input.existing.secretKeys.includes("kafkaSaslPassword"))
    steps.push(
      `pulumi config set --secret ${NS}:kafkaSaslPassword --stack ${input.stack} (the password is never read from the cluster or written by the import)`,
    );
  if (imported === 0) return steps;
  const firstUp = input.connection.sasl
    ? "each topic shows an update that stores the SASL password (a secret) in its state and writes nothing to the brokers"
    : "the topics show unchanged";
  steps.push(
    `${pulumiImportCommand(input.stack, input.importFile)}: its preview says "import" for each topic; it records them without contacting the brokers`,
    `pulumi up --stack ${input.stack}: ${firstUp} (without the import, up adopts each topic on a "create" line saying "adopt: <topic> exists on the brokers ...")`,
  );
  return steps;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Names by reason, reasons in order of first appearance. */
function groupBy(entries: readonly NamedReason[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { name, reason } of entries) groups.set(reason, [...(groups.get(reason) ?? []), name]);
  return groups;
}

/** The report as the CLI prints it without --json. */
export function formatImport(report: ImportReport): string {
  const lines: string[] = [];
  const verb = report.written ? "wrote" : report.changed ? "would change" : "unchanged:";
  lines.push(
    `import for stack ${report.stack} from ${report.brokers.join(",")} (${plural(report.brokerCount, "broker")}): ${verb} ${report.file}`,
  );
  for (const topic of report.topics) {
    const retention =
      topic.retentionMs === null ? "retention inherited" : `retention.ms ${topic.retentionMs}`;
    const configs = Object.entries(topic.config).map(([key, value]) => `${key}=${value}`);
    lines.push(
      `  ${topic.entry === "added" ? "+" : topic.entry === "updated" ? "~" : "="} ${topic.name}${topic.seed ? " (seed)" : ""}: ` +
        [
          plural(topic.partitions, "partition"),
          `replication ${topic.replicationFactor}`,
          retention,
          ...configs,
        ].join(", "),
    );
    for (const left of topic.leftOut)
      lines.push(`      left out ${left.key}=${left.value ?? "(hidden)"}: ${left.reason}`);
  }
  for (const seed of report.seedsLeftOut)
    lines.push(`  - ${seed.name} (seed) set to null: ${seed.reason}`);
  for (const name of report.notOnCluster)
    lines.push(`  ! ${name} is in the stack but not on the cluster: pulumi up would create it`);
  for (const [reason, names] of groupBy(report.skipped)) {
    const shown =
      names.length <= 5 ? `: ${names.join(", ")}` : ` (${names.slice(0, 3).join(", ")}, ...)`;
    lines.push(
      `  skipped ${names.length} ${names.length === 1 ? "topic" : "topics"}, ${reason}${shown}`,
    );
  }
  if (report.importFile)
    lines.push(
      `${report.importFile.written ? "wrote" : "would write"} ${report.importFile.file}: the Pulumi import file recording ${plural(report.importFile.topics, "topic")}`,
    );
  lines.push(...formatUsersImport(report.users, report.leftOutAcls, report.usersNote));
  if (report.problems.length > 0)
    lines.push(
      `nothing written: the result would not be a valid stack config:`,
      ...report.problems.map((problem) => `  - ${problem}`),
    );
  for (const step of report.next) lines.push(`next: ${step}`);
  return lines.join("\n");
}
