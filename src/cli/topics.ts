/**
 * `npm run topics -- plan|apply|probe ...` — the topic engine without Pulumi, for the dev
 * runner and for operators. See `USAGE` in `src/topics/cli.ts` and docs/topics.md.
 *
 * plan / apply read `Pulumi.<stack>.yaml` from the current directory, validate it (every
 * problem at once, before any broker is contacted), then talk to the brokers.
 */
import { ConfigError, loadStackConfig } from "../config/load";
import { DEFAULT_KAFKA_CLIENT, type StackConfig } from "../config/schema";
import { SEED_TOPICS } from "../topics/catalog";
import {
  SASL_PASSWORD_ENV,
  parseCommand,
  planExitCode,
  resolveBrokers,
  type TopicsCommand,
} from "../topics/cli";
import { applyPlans, planTopics } from "../topics/engine";
import { withSession } from "../topics/kafka";
import { connectionFromConfig, desiredFromSpec, type ConnectionSettings } from "../topics/model";
import { formatPlan, summarize, toReport } from "../topics/plan";
import { probe } from "../topics/probe";

import {
  EXIT,
  parseCli,
  processIo,
  runCli,
  runMain,
  UsageError,
  type CliSpec,
  type Io,
} from "./kit";

export const TOPICS_CLI: CliSpec<{
  stack: { type: "string"; description: string; value: string };
  brokers: { type: "string"; description: string; value: string };
  json: { type: "boolean"; description: string };
  "detailed-exitcode": { type: "boolean"; description: string };
}> = {
  name: "topics",
  summary:
    "Plans, applies or probes the topic catalog of a stack directly against the brokers, without Pulumi.",
  usage: [
    "plan  --stack <s> [--brokers <csv>] [--json] [--detailed-exitcode]",
    "apply --stack <s> [--brokers <csv>] [--json]",
    "probe [--stack <s>] [--brokers <csv>]",
  ],
  commands: ["plan", "apply", "probe"],
  options: {
    stack: {
      type: "string",
      description: "the stack: reads Pulumi.<stack>.yaml in the current directory",
      value: "<s>",
    },
    brokers: {
      type: "string",
      description: "comma-separated host:port of the brokers",
      value: "<csv>",
    },
    json: { type: "boolean", description: "print the plan as JSON" },
    "detailed-exitcode": { type: "boolean", description: "plan: exit 3 when changes are pending" },
  },
  notes: [
    "Brokers: --brokers, else APPHUB_STREAM_BROKER_URL, else apphub-streaming:kafka.brokers, else the dev listener",
    "(127.0.0.1:<dev.kafkaPort>) or the Kubernetes external listener (apphub-streaming:cluster.external).",
    `SASL password (when apphub-streaming:kafka.sasl is set): ${SASL_PASSWORD_ENV}.`,
  ],
  attention: "a topic is blocked (nothing applied), or plan --detailed-exitcode: changes pending",
};

let out = processIo.out;
let err = processIo.err;

const loadConfig = (stack: string): StackConfig => loadStackConfig(stack);

function saslPassword(config: StackConfig | undefined): string | undefined {
  if (!config?.kafka.sasl) return undefined;
  const password = process.env[SASL_PASSWORD_ENV];
  if (!password) {
    throw new ConfigError(
      `apphub-streaming:kafka.sasl is set (user ${config.kafka.sasl.username}): export ${SASL_PASSWORD_ENV} with its password (stack secrets cannot be decrypted offline)`,
    );
  }
  return password;
}

function connectionFor(
  command: Exclude<TopicsCommand, { command: "help" }>,
  config: StackConfig | undefined,
): ConnectionSettings {
  const { brokers } = resolvedBrokers({
    ...(command.brokers !== undefined ? { flag: command.brokers } : {}),
    env: process.env,
    ...(config ? { config } : {}),
    ...(command.stack ? { stack: command.stack } : {}),
  });
  return config
    ? connectionFromConfig(config.kafka, brokers)
    : { ...DEFAULT_KAFKA_CLIENT, brokers };
}

async function planOrApply(
  command: Extract<TopicsCommand, { command: "plan" | "apply" }>,
): Promise<number> {
  const config = loadConfig(command.stack);
  const connection = connectionFor(command, config);
  const desired = config.topics.map(desiredFromSpec);
  const password = saslPassword(config);

  return withSession(connection, password, async (session) => {
    const { plans, cluster } = await planTopics(session, desired);
    const header = `${command.command} for stack ${command.stack}: ${desired.length} topics on ${connection.brokers.join(",")} (${cluster.brokerIds.length} broker${cluster.brokerIds.length === 1 ? "" : "s"})`;
    const show = () =>
      command.json
        ? out(JSON.stringify(toReport(plans), null, 2))
        : out(`${header}\n${formatPlan(plans)}`);

    if (command.command === "plan") {
      show();
      return planExitCode(plans, command.detailedExitcode);
    }

    const blocked = plans.filter((plan) => plan.action === "blocked");
    if (blocked.length > 0) {
      show();
      err(
        `apply changed nothing: ${blocked.length} topic(s) blocked — ${blocked.map((plan) => `${plan.name}: ${plan.reason}`).join("; ")}`,
      );
      return EXIT.attention;
    }
    await applyPlans(session, plans);
    show();
    if (!command.json) {
      const summary = summarize(plans);
      out(
        summary.create + summary.update === 0
          ? "nothing to do: every topic is in sync"
          : `applied: ${summary.create} created, ${summary.update} updated; verified on the broker`,
      );
    }
    return 0;
  });
}

async function runProbe(command: Extract<TopicsCommand, { command: "probe" }>): Promise<number> {
  const config = command.stack ? loadConfig(command.stack) : undefined;
  const connection = connectionFor(command, config);
  const topic = config?.probeTopic ?? "apphub.streaming.probe";
  const domainTopics = (config?.topics ?? SEED_TOPICS).map((entry) => entry.name);
  const result = await probe(connection, saslPassword(config), { topic, domainTopics });
  out(
    `probe ok: ${result.topic} on ${result.brokers}${result.createdTopic ? " (topic created)" : ""}: ` +
      `round trip ${result.roundTripMs} ms (produce ack ${result.produceMs} ms), partition ${result.partition} offset ${result.offset}`,
  );
  return 0;
}

/** Broker resolution errors are bad input (a malformed --brokers or no address at all). */
function resolvedBrokers(
  input: Parameters<typeof resolveBrokers>[0],
): ReturnType<typeof resolveBrokers> {
  try {
    return resolveBrokers(input);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function topicsCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  ({ out, err } = io);
  return runMain(
    "topics",
    async () => {
      if (!parseCli(TOPICS_CLI, argv, out)) return EXIT.ok;
      let command: TopicsCommand;
      try {
        command = parseCommand(argv);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      switch (command.command) {
        case "help":
          return EXIT.ok;
        case "probe":
          return runProbe(command);
        default:
          return planOrApply(command);
      }
    },
    io,
  );
}

if (require.main === module) runCli("topics", () => topicsCommand(process.argv.slice(2)));
