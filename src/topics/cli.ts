/**
 * Pure parts of the topics CLI (`src/cli/topics.ts`): where the brokers are, kept here so it is
 * unit-tested without a process or a broker.
 */
import { externalBrokers } from "../cluster/addresses";
import { DEFAULT_DEV_LISTENER, type StackConfig } from "../config/schema";
import { PROFILES } from "../config/profiles";
import { brokerAddressProblem, parseBrokerList } from "../config/rules";
import { devEndpoints } from "../dev/plan";
import { STREAM_BROKER_URL } from "../env/variables";

export const SASL_PASSWORD_ENV = "APPHUB_KAFKA_SASL_PASSWORD";
/** Where the probe goes when no stack is given: the dev stack's default host listener. */
export const DEFAULT_DEV_BROKER = `${DEFAULT_DEV_LISTENER.bindAddress}:${DEFAULT_DEV_LISTENER.kafkaPort}`;

export interface ResolvedBrokers {
  brokers: string[];
  /** Where they came from, for messages. */
  source: string;
}

/**
 * `--brokers`, else `STREAM_BROKER_URL` (the variable core reads too), else the stack's `kafka.brokers`, else the dev
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
    [input.env[STREAM_BROKER_URL] || undefined, STREAM_BROKER_URL],
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
  if (PROFILES[input.config.environment].bootstrapBrokers === "devListener") {
    return {
      brokers: [devEndpoints(input.config.dev).hostBrokers],
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
    `no brokers for stack ${input.stack ?? input.config.environment}: pass --brokers, set ${STREAM_BROKER_URL}, set apphub-streaming:kafka.brokers to addresses reachable from here, or enable apphub-streaming:cluster.external`,
  );
}
