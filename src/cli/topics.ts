/**
 * `npm run topics -- plan|apply|probe ...` — the topic engine without Pulumi, for the dev
 * runner and for operators. See `TOPICS_CLI` below (`--help`) and docs/topics.md.
 *
 * plan / apply read `Pulumi.<stack>.yaml` from the current directory, validate it (every
 * problem at once, before any broker is contacted), then talk to the brokers.
 */
import { ConfigError, loadStackConfig } from "../config/load";
import { DEFAULT_KAFKA_CLIENT, type StackConfig } from "../config/schema";
import { STREAM_BROKER_URL } from "../env/variables";
import { DEFAULT_PROBE_TOPIC, SEED_TOPICS } from "../topics/catalog";
import { SASL_PASSWORD_ENV, resolveBrokers } from "../topics/cli";
import { applyPlans, planTopics } from "../topics/engine";
import { withSession } from "../topics/kafka";
import { connectionFromConfig, desiredFromSpec, type ConnectionSettings } from "../topics/model";
import { formatPlan, planVerdict, summarize, toReport, type PlanVerdict } from "../topics/plan";
import { probe } from "../topics/probe";

import {
  asUsage,
  defineCommands,
  EXIT,
  processIo,
  required,
  runCli,
  runParsed,
  STACK_VALUE,
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
  },
  notes: [
    `Brokers: --brokers, else ${STREAM_BROKER_URL}, else apphub-streaming:kafka.brokers, else the dev listener`,
    "(127.0.0.1:<dev.kafkaPort>) or the Kubernetes external listener (apphub-streaming:cluster.external).",
    `SASL password (when apphub-streaming:kafka.sasl is set): ${SASL_PASSWORD_ENV}.`,
  ],
  attention: "a topic is blocked (nothing applied), or plan --detailed-exitcode: changes pending",
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
  const password = process.env[SASL_PASSWORD_ENV];
  if (!password) {
    throw new ConfigError(
      `apphub-streaming:kafka.sasl is set (user ${config.kafka.sasl.username}): export ${SASL_PASSWORD_ENV} with its password (stack secrets cannot be decrypted offline)`,
    );
  }
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

/** The topics command without the process: exit code, output through `io`. */
export function topicsCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    TOPICS_CLI,
    argv,
    (parsed) =>
      parsed.command === "probe"
        ? runProbe(parsed.values, io)
        : planOrApply(parsed.command, parsed.values, io),
    io,
  );
}

if (require.main === module) runCli("topics", () => topicsCommand(process.argv.slice(2)));
