/**
 * `npm run topics -- plan|apply|probe ...` — the topic engine without Pulumi, for the dev
 * runner and for operators. See `TOPICS_CLI` below (`--help`) and docs/topics.md.
 *
 * plan / apply read `Pulumi.<stack>.yaml` from the current directory, validate it (every
 * problem at once, before any broker is contacted), then talk to the brokers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, loadStackConfig, stackFilePath } from "../config/load";
import { SASL_MECHANISMS } from "../config/rules";
import { DEFAULT_KAFKA_CLIENT, type StackConfig } from "../config/schema";
import { STREAM_BROKER_URL } from "../env/variables";
import { DEFAULT_PROBE_TOPIC, SEED_TOPICS } from "../topics/catalog";
import { SASL_PASSWORD_ENV, resolveBrokers } from "../topics/cli";
import { applyPlans, planTopics } from "../topics/engine";
import {
  existingStack,
  existingStackProblem,
  formatImport,
  importConnection,
  importStack,
  selectTopics,
  type ClusterTopic,
  type ExistingStack,
} from "../topics/import";
import { importFilePath } from "../topics/importFile";
import { type KafkaSession, withSession } from "../topics/kafka";
import { connectionFromConfig, desiredFromSpec, type ConnectionSettings } from "../topics/model";
import { formatPlan, planVerdict, summarize, toReport, type PlanVerdict } from "../topics/plan";
import { probe } from "../topics/probe";
import { readClusterUsers } from "../users/clusterUsers";
import { importUsers } from "../users/import";

import {
  asUsage,
  defineCommands,
  EXIT,
  processIo,
  required,
  runCli,
  runParsed,
  STACK_VALUE,
  UsageError,
  type ExitCode,
  type Io,
} from "./kit";

const STACK = {
  type: "string",
  description: "the stack: reads Pulumi.<stack>.yaml in the current directory",
  value: "<s>",
} as const;
const BROKERS = {
  type: "string",
  description: "comma-separated host:port of the brokers",
  value: "<csv>",
} as const;
const JSON_OUTPUT = { type: "boolean", description: "print the plan as JSON" } as const;
/** The stack `import` writes when --stack is not given. */
const IMPORT_STACK = "external";

export const TOPICS_CLI = defineCommands({
  name: "topics",
  summary:
    "Plans, applies or probes the topic catalog of a stack directly against the brokers, without Pulumi.",
  commands: {
    plan: {
      summary: "Prints what apply would change on the brokers, topic by topic; changes nothing.",
      usage: "--stack <s> [--brokers <csv>] [--json] [--detailed-exitcode]",
      options: {
        stack: STACK,
        brokers: BROKERS,
        json: JSON_OUTPUT,
        "detailed-exitcode": { type: "boolean", description: "exit 3 when changes are pending" },
      },
      attention: "a topic is blocked, or with --detailed-exitcode: changes pending",
    },
    apply: {
      summary:
        "Creates and updates the stack's topics and verifies them on the brokers; changes nothing when a topic is blocked.",
      usage: "--stack <s> [--brokers <csv>] [--json]",
      options: { stack: STACK, brokers: BROKERS, json: JSON_OUTPUT },
      attention: "a topic is blocked; nothing was applied",
    },
    probe: {
      summary:
        "Produces one message into the probe topic and consumes it back: a round trip through the brokers.",
      usage: "[--stack <s>] [--brokers <csv>]",
      options: { stack: STACK, brokers: BROKERS },
    },
    import: {
      summary:
        "Reads an existing cluster's topics, and its users with ACLs, and writes (or merges into) Pulumi.<stack>.yaml an external stack that adopts them as they are, and pulumi-import.<stack>.json, which `pulumi import --file` records them from; changes nothing on the brokers.",
      usage:
        "--brokers <csv> [--stack <s>] [--include <regex>] [--exclude <regex>] [--users <regex> | --no-users] [--tls] [--tls-insecure] [--sasl-mechanism <m> --sasl-username <u>] [--dry-run] [--json]",
      options: {
        stack: {
          type: "string",
          description: "the stack file to write or merge into, Pulumi.<stack>.yaml",
          value: "<s>",
          default: IMPORT_STACK,
        },
        brokers: {
          ...BROKERS,
          description: `${BROKERS.description} (else ${STREAM_BROKER_URL}, else the stack file's kafka.brokers)`,
        },
        include: {
          type: "string",
          description: "import only topics matching this regex",
          value: "<regex>",
        },
        exclude: {
          type: "string",
          description: "leave out topics matching this regex",
          value: "<regex>",
        },
        users: {
          type: "string",
          description:
            "import only ACL principals whose name matches this regex (default: every user with ACLs)",
          value: "<regex>",
        },
        "no-users": {
          type: "boolean",
          description: "import topics only: read no ACLs, write no users",
        },
        tls: { type: "boolean", description: "connect with TLS (writes kafka.tls.enabled: true)" },
        "tls-insecure": {
          type: "boolean",
          description:
            "TLS without checking the brokers' certificates (writes kafka.tls.rejectUnauthorized: false)",
        },
        "sasl-mechanism": {
          type: "string",
          description: SASL_MECHANISMS.join(", "),
          value: "<m>",
        },
        "sasl-username": {
          type: "string",
          description: "the SASL user (written; its password never is)",
          value: "<u>",
        },
        "dry-run": { type: "boolean", description: "report what would be written; write nothing" },
        json: { type: "boolean", description: "print the report as JSON" },
      },
      attention: "the result would not be a valid stack config; nothing was written",
    },
  },
  notes: [
    `Brokers: --brokers, else ${STREAM_BROKER_URL}, else apphub-streaming:kafka.brokers, else the dev listener`,
    "(127.0.0.1:<dev.kafkaPort>) or the Kubernetes external listener (apphub-streaming:cluster.external).",
    `SASL password (when apphub-streaming:kafka.sasl is set): ${SASL_PASSWORD_ENV}.`,
  ],
  attention:
    "a topic is blocked (nothing applied), plan --detailed-exitcode: changes pending, or import: the result would not be a valid stack (nothing written)",
});

/** plan: 3 (stopped for a human) when anything is blocked, or with `--detailed-exitcode` when changes are pending; else 0. */
export function planExitCode(verdict: PlanVerdict, detailedExitcode: boolean): ExitCode {
  switch (verdict) {
    case "blocked":
      return EXIT.attention;
    case "pending":
      return detailedExitcode ? EXIT.attention : EXIT.ok;
    case "clean":
      return EXIT.ok;
  }
}

/** Where the command connects: `--stack` and `--brokers` as given. */
interface Target {
  stack?: string | undefined;
  brokers?: string | undefined;
}

function saslPassword(config: StackConfig | undefined): string | undefined {
  if (!config?.kafka.sasl) return undefined;
  return requiredPassword(
    `apphub-streaming:kafka.sasl is set (user ${config.kafka.sasl.username})`,
    "stack secrets cannot be decrypted offline",
  );
}

/** The SASL password from the environment, or bad input saying how to give it. */
function requiredPassword(who: string, why: string): string {
  const password = process.env[SASL_PASSWORD_ENV];
  if (!password)
    throw new ConfigError(`${who}: export ${SASL_PASSWORD_ENV} with its password (${why})`);
  return password;
}

/** Broker resolution errors are bad input (a malformed --brokers or no address at all). */
function connectionFor(target: Target, config: StackConfig | undefined): ConnectionSettings {
  const { brokers } = asUsage(() =>
    resolveBrokers({
      ...(target.brokers !== undefined ? { flag: target.brokers } : {}),
      env: process.env,
      ...(config ? { config } : {}),
      ...(target.stack ? { stack: target.stack } : {}),
    }),
  );
  return config
    ? connectionFromConfig(config.kafka, brokers)
    : { ...DEFAULT_KAFKA_CLIENT, brokers };
}

async function planOrApply(
  command: "plan" | "apply",
  values: Target & { json?: boolean | undefined; "detailed-exitcode"?: boolean | undefined },
  io: Io,
): Promise<number> {
  const stack = required(values, "stack", `the stack to ${command}, ${STACK_VALUE}`);
  const config = loadStackConfig(stack);
  const connection = connectionFor(values, config);
  const desired = config.topics.map(desiredFromSpec);
  const password = saslPassword(config);

  return withSession(connection, password, async (session) => {
    const { plans, cluster } = await planTopics(session, desired);
    const verdict = planVerdict(plans);
    const header = `${command} for stack ${stack}: ${desired.length} topics on ${connection.brokers.join(",")} (${cluster.brokerIds.length} broker${cluster.brokerIds.length === 1 ? "" : "s"})`;
    const show = () =>
      values.json
        ? io.out(JSON.stringify(toReport(plans), null, 2))
        : io.out(`${header}\n${formatPlan(plans)}`);

    if (command === "plan") {
      show();
      return planExitCode(verdict, values["detailed-exitcode"] ?? false);
    }

    if (verdict === "blocked") {
      const blocked = plans.filter((plan) => plan.action === "blocked");
      show();
      io.err(
        `apply changed nothing: ${blocked.length} topic(s) blocked — ${blocked.map((plan) => `${plan.name}: ${plan.reason}`).join("; ")}`,
      );
      return EXIT.attention;
    }
    await applyPlans(session, plans);
    show();
    if (!values.json) {
      const summary = summarize(plans);
      io.out(
        verdict === "clean"
          ? "nothing to do: every topic is in sync"
          : `applied: ${summary.create} created, ${summary.update} updated; verified on the broker`,
      );
    }
    return EXIT.ok;
  });
}

async function runProbe(target: Target, io: Io): Promise<number> {
  const config = target.stack ? loadStackConfig(target.stack) : undefined;
  const connection = connectionFor(target, config);
  const topic = config?.probeTopic ?? DEFAULT_PROBE_TOPIC;
  const domainTopics = (config?.topics ?? SEED_TOPICS).map((entry) => entry.name);
  const result = await probe(connection, saslPassword(config), { topic, domainTopics });
  io.out(
    `probe ok: ${result.topic} on ${result.brokers}${result.createdTopic ? " (topic created)" : ""}: ` +
      `round trip ${result.roundTripMs} ms (produce ack ${result.produceMs} ms), partition ${result.partition} offset ${result.offset}`,
  );
  return EXIT.ok;
}

/** A --include / --exclude value as a regex, or a usage error naming the option. */
function regexOption(option: string, value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new UsageError(
      `--${option}: not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

/** Where import reads the cluster: --brokers, else the env variable, else the stack file's kafka.brokers. */
function importBrokers(flag: string | undefined, existing: ExistingStack): string[] {
  const kafka = existing.raw.kafka as { brokers?: unknown } | undefined;
  const fromFile = Array.isArray(kafka?.brokers) ? kafka.brokers.join(",") : undefined;
  const given = flag ?? (process.env[STREAM_BROKER_URL] || undefined) ?? fromFile;
  if (given === undefined)
    throw new UsageError("--brokers is required: the cluster to import, comma-separated host:port");
  return asUsage(() => resolveBrokers({ flag: given, env: {} })).brokers;
}

/** Every config of the selected topics, asked in batches so one answer stays a bounded size. */
async function describeSelected(
  session: KafkaSession,
  names: readonly string[],
): Promise<Map<string, ClusterTopic["configs"]>> {
  const configs = new Map<string, ClusterTopic["configs"]>();
  for (let start = 0; start < names.length; start += DESCRIBE_BATCH) {
    const batch = await session.describeTopicConfigs(names.slice(start, start + DESCRIBE_BATCH));
    for (const [name, entries] of batch) configs.set(name, entries);
  }
  return configs;
}

const DESCRIBE_BATCH = 200;

interface ImportOptions {
  stack?: string | undefined;
  brokers?: string | undefined;
  include?: string | undefined;
  exclude?: string | undefined;
  users?: string | undefined;
  "no-users"?: boolean | undefined;
  tls?: boolean | undefined;
  "tls-insecure"?: boolean | undefined;
  "sasl-mechanism"?: string | undefined;
  "sasl-username"?: string | undefined;
  "dry-run"?: boolean | undefined;
  json?: boolean | undefined;
}

/**
 * import: reads every topic of the cluster (one Metadata request, then DescribeConfigs of the
 * selected ones) and writes the stack that adopts them. Bad input (options, the existing file)
 * is refused before any broker is contacted.
 */
async function runImport(values: ImportOptions, io: Io): Promise<number> {
  const stack = values.stack ?? IMPORT_STACK;
  const file = stackFilePath(stack);
  const shownFile = path.relative(process.cwd(), file);
  const recordFile = importFilePath(file, stack);
  const filter = {
    include: regexOption("include", values.include),
    exclude: regexOption("exclude", values.exclude),
  };
  const usersFilter = regexOption("users", values.users);
  if (usersFilter && values["no-users"])
    throw new UsageError("--users and --no-users exclude each other: give one, or neither");
  const existing = existingStack(
    fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined,
    shownFile,
  );
  const refusal = existingStackProblem(existing, shownFile);
  if (refusal) throw new ConfigError(refusal);
  const { settings, write } = asUsage(() =>
    importConnection(
      {
        brokers: importBrokers(values.brokers, existing),
        tls: values.tls,
        tlsInsecure: values["tls-insecure"],
        saslMechanism: values["sasl-mechanism"],
        saslUsername: values["sasl-username"],
      },
      existing,
    ),
  );
  const password = settings.sasl
    ? requiredPassword(`SASL user ${settings.sasl.username}`, "the import never writes it")
    : undefined;

  return withSession(settings, password, async (session) => {
    const listing = await session.listTopics();
    const names = [...listing.topics.keys(), ...listing.unreadable.keys()];
    const { selected, skipped } = selectTopics(
      names.map((name) => ({ name, internal: listing.internal.has(name) })),
      filter,
      existing,
    );
    const readable = selected.filter((name) => !listing.unreadable.has(name));
    for (const name of selected.filter((entry) => listing.unreadable.has(entry)))
      skipped.push({
        name,
        reason: `the broker did not describe it: ${listing.unreadable.get(name)}`,
      });
    const configs = await describeSelected(session, readable);
    const users = importUsers(
      values["no-users"]
        ? { unavailable: "not read (--no-users)" }
        : await readClusterUsers(session),
      { raw: existing.raw, connectionUser: settings.sasl?.username, filter: usersFilter },
    );
    const { text, report, importFile } = importStack({
      stack,
      file: shownFile,
      existing,
      connection: { ...write, brokerCount: listing.brokerIds.length },
      topics: readable.map((name) => ({
        name,
        partitions: listing.topics.get(name) ?? [],
        configs: configs.get(name) ?? {},
      })),
      skipped,
      onCluster: new Set(names),
      users,
      env: process.env,
      importFile: path.relative(process.cwd(), recordFile),
    });
    if (text !== undefined && report.changed && !values["dry-run"]) {
      fs.writeFileSync(file, text);
      report.written = true;
    }
    if (importFile && report.importFile && !values["dry-run"]) {
      fs.writeFileSync(recordFile, `${JSON.stringify(importFile, null, 2)}\n`);
      report.importFile.written = true;
    }
    io.out(values.json ? JSON.stringify(report, null, 2) : formatImport(report));
    return report.problems.length > 0 ? EXIT.attention : EXIT.ok;
  });
}

/** The topics command without the process: exit code, output through `io`. */
export function topicsCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    TOPICS_CLI,
    argv,
    (parsed) => {
      switch (parsed.command) {
        case "probe":
          return runProbe(parsed.values, io);
        case "import":
          return runImport(parsed.values, io);
        default:
          return planOrApply(parsed.command, parsed.values, io);
      }
    },
    io,
  );
}

if (require.main === module) runCli("topics", () => topicsCommand(process.argv.slice(2)));
