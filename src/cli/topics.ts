/**
 * `npm run topics -- plan|apply|probe ...` — the topic engine without Pulumi, for the dev
 * runner and for operators. See `USAGE` in `src/topics/cli.ts` and docs/topics.md.
 *
 * plan / apply read `Pulumi.<stack>.yaml` from the current directory, validate it (every
 * problem at once, before any broker is contacted), then talk to the brokers.
 */
import * as fs from "node:fs";
import { loadStackConfig, stackFilePath } from "../config/load";
import type { StackConfig } from "../config/schema";
import { SEED_TOPICS } from "../topics/catalog";
import { SASL_PASSWORD_ENV, USAGE, parseCommand, planExitCode, resolveBrokers, type TopicsCommand } from "../topics/cli";
import { applyPlans, planTopics } from "../topics/engine";
import { withSession } from "../topics/kafka";
import { connectionFromConfig, desiredFromSpec, type ConnectionSettings } from "../topics/model";
import { formatPlan, summarize, toReport } from "../topics/plan";
import { probe } from "../topics/probe";

/** Client settings when no stack is given (probe only): the schema's defaults. */
const DEFAULT_CLIENT = { clientId: "apphub-streaming-bootstrap", connectTimeoutMs: 5000, requestTimeoutMs: 30000, tls: { enabled: false, rejectUnauthorized: true } };

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

function loadConfig(stack: string): StackConfig {
  const file = stackFilePath(stack);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}: run from the project directory, or check --stack`);
  return loadStackConfig(stack);
}

function saslPassword(config: StackConfig | undefined): string | undefined {
  if (!config?.kafka.sasl) return undefined;
  const password = process.env[SASL_PASSWORD_ENV];
  if (!password) {
    throw new Error(`apphub-streaming:kafka.sasl is set (user ${config.kafka.sasl.username}): export ${SASL_PASSWORD_ENV} with its password (stack secrets cannot be decrypted offline)`);
  }
  return password;
}

function connectionFor(command: Exclude<TopicsCommand, { command: "help" }>, config: StackConfig | undefined): ConnectionSettings {
  const { brokers } = resolveBrokers({ ...(command.brokers !== undefined ? { flag: command.brokers } : {}), env: process.env, ...(config ? { config } : {}), ...(command.stack ? { stack: command.stack } : {}) });
  return config ? connectionFromConfig(config.kafka, brokers) : { ...DEFAULT_CLIENT, brokers };
}

async function planOrApply(command: Extract<TopicsCommand, { command: "plan" | "apply" }>): Promise<number> {
  const config = loadConfig(command.stack);
  const connection = connectionFor(command, config);
  const desired = config.topics.map(desiredFromSpec);
  const password = saslPassword(config);

  return withSession(connection, password, async (session) => {
    const { plans, cluster } = await planTopics(session, desired);
    const header = `${command.command} for stack ${command.stack}: ${desired.length} topics on ${connection.brokers.join(",")} (${cluster.brokerIds.length} broker${cluster.brokerIds.length === 1 ? "" : "s"})`;
    const show = () => (command.json ? out(JSON.stringify(toReport(plans), null, 2)) : out(`${header}\n${formatPlan(plans)}`));

    if (command.command === "plan") {
      show();
      return planExitCode(plans, command.detailedExitcode);
    }

    const blocked = plans.filter((plan) => plan.action === "blocked");
    if (blocked.length > 0) {
      show();
      err(`apply changed nothing: ${blocked.length} topic(s) blocked — ${blocked.map((plan) => `${plan.name}: ${plan.reason}`).join("; ")}`);
      return 1;
    }
    await applyPlans(session, plans);
    show();
    if (!command.json) {
      const summary = summarize(plans);
      out(summary.create + summary.update === 0 ? "nothing to do: every topic is in sync" : `applied: ${summary.create} created, ${summary.update} updated; verified on the broker`);
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

async function main(argv: string[]): Promise<number> {
  let command: TopicsCommand;
  try {
    command = parseCommand(argv);
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 1;
  }
  switch (command.command) {
    case "help":
      out(USAGE);
      return 0;
    case "probe":
      return runProbe(command);
    default:
      return planOrApply(command);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`topics: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
