/**
 * Pure parts of the topics CLI (`src/cli/topics.ts`): argument parsing, broker resolution
 * and exit codes, kept here so they are unit-tested without a process or a broker.
 */
import { parseArgs } from "node:util";
import { EXIT } from "../cli/kit";
import { externalBrokers } from "../cluster/addresses";
import { DEFAULT_DEV_LISTENER, type StackConfig } from "../config/schema";
import { brokerAddressProblem, dialableHost, parseBrokerList } from "../config/rules";
import type { TopicPlan } from "./plan";

export const BROKER_URL_ENV = "APPHUB_STREAM_BROKER_URL";
export const SASL_PASSWORD_ENV = "APPHUB_KAFKA_SASL_PASSWORD";
/** Where the probe goes when no stack is given: the dev stack's default host listener. */
export const DEFAULT_DEV_BROKER = `${DEFAULT_DEV_LISTENER.bindAddress}:${DEFAULT_DEV_LISTENER.kafkaPort}`;

export type TopicsCommand =
  | { command: "plan"; stack: string; brokers?: string; json: boolean; detailedExitcode: boolean }
  | { command: "apply"; stack: string; brokers?: string; json: boolean }
  | { command: "probe"; stack?: string; brokers?: string }
  | { command: "help" };

/** Parses argv (without `node script`); throws with a message naming the problem. */
export function parseCommand(argv: readonly string[]): TopicsCommand {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      stack: { type: "string" },
      brokers: { type: "string" },
      json: { type: "boolean", default: false },
      "detailed-exitcode": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { command: "help" };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`unexpected argument(s): ${extra.join(" ")}`);
  const brokers = values.brokers;
  if (brokers !== undefined && parseBrokerList(brokers).length === 0)
    throw new Error("--brokers: expected comma-separated host:port, got nothing");
  switch (command) {
    case "plan":
    case "apply": {
      if (!values.stack) throw new Error(`${command}: --stack <dev|minikube|prod> is required`);
      if (command === "apply" && values["detailed-exitcode"])
        throw new Error("--detailed-exitcode only applies to plan");
      const base = {
        stack: values.stack,
        json: values.json ?? false,
        ...(brokers !== undefined ? { brokers } : {}),
      };
      return command === "plan"
        ? { command, ...base, detailedExitcode: values["detailed-exitcode"] ?? false }
        : { command, ...base };
    }
    case "probe":
      if (values.json || values["detailed-exitcode"])
        throw new Error("probe takes only --stack and --brokers");
      return {
        command,
        ...(values.stack ? { stack: values.stack } : {}),
        ...(brokers !== undefined ? { brokers } : {}),
      };
    case undefined:
      throw new Error("missing command: plan, apply or probe");
    default:
      throw new Error(`unknown command ${JSON.stringify(command)}: expected plan, apply or probe`);
  }
}

export interface ResolvedBrokers {
  brokers: string[];
  /** Where they came from, for messages. */
  source: string;
}

/**
 * `--brokers`, else `APPHUB_STREAM_BROKER_URL`, else the stack's `kafka.brokers`, else the dev
 * stack's host listener or a Kubernetes stack's external listener (what `pulumi up` uses);
 * a Kubernetes stack with neither must say where to connect.
 */
export function resolveBrokers(input: {
  flag?: string;
  env: NodeJS.ProcessEnv;
  config?: StackConfig;
  stack?: string;
}): ResolvedBrokers {
  const candidates: [string | string[] | undefined, string][] = [
    [input.flag, "--brokers"],
    [input.env[BROKER_URL_ENV] || undefined, BROKER_URL_ENV],
    [
      input.config?.kafka.brokers,
      `apphub-streaming:kafka.brokers of stack ${input.stack ?? ""}`.trim(),
    ],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined) continue;
    const brokers = Array.isArray(value) ? value : parseBrokerList(value);
    const problems = brokers
      .map(brokerAddressProblem)
      .filter((problem): problem is string => problem !== undefined);
    if (brokers.length === 0)
      throw new Error(`${source}: expected comma-separated host:port, got nothing`);
    if (problems.length > 0) throw new Error(`${source}: ${problems.join("; ")}`);
    return { brokers, source };
  }
  if (!input.config) return { brokers: [DEFAULT_DEV_BROKER], source: "the dev default" };
  if (input.config.environment === "dev") {
    return {
      brokers: [`${dialableHost(input.config.dev.bindAddress)}:${input.config.dev.kafkaPort}`],
      source: `the dev stack's host listener`,
    };
  }
  const external = externalBrokers(input.config.cluster);
  if (external.length > 0)
    return {
      brokers: external,
      source: "the cluster's external listener (apphub-streaming:cluster.external)",
    };
  throw new Error(
    `no brokers for stack ${input.stack ?? input.config.environment}: pass --brokers, set ${BROKER_URL_ENV}, set apphub-streaming:kafka.brokers to addresses reachable from here, or enable apphub-streaming:cluster.external`,
  );
}

/** plan: 3 (stopped for a human) when anything is blocked, or with `--detailed-exitcode` when changes are pending; else 0. */
export function planExitCode(plans: readonly TopicPlan[], detailedExitcode: boolean): number {
  if (plans.some((plan) => plan.action === "blocked")) return EXIT.attention;
  if (
    detailedExitcode &&
    plans.some((plan) => plan.action === "create" || plan.action === "update")
  )
    return EXIT.attention;
  return EXIT.ok;
}
