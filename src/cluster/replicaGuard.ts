/**
 * Refuses a decrease of `cluster.replicas` before the StatefulSet changes: scaling the
 * StatefulSet down deletes the highest-ordinal brokers with their partition replicas still
 * assigned. Stack config alone cannot know the previous broker count, so a tiny dynamic
 * resource carries it in state and its `check(olds, news)` (which preview and up call, refresh
 * does not) compares: a decrease passes only with `cluster.replicasDecreaseDecommissioned: true`,
 * the operator's word that the decommission runbook (docs/kubernetes.md, "Scaling") was run.
 *
 * The provider is serialized into state: it captures nothing but the pure function below.
 */
import * as pulumi from "@pulumi/pulumi";

/** Bump when the provider's behaviour changes: state keeps the serialized code it ran. */
export const REPLICA_GUARD_VERSION = "1";

export interface ReplicaGuardInputs {
  replicas: number;
  decreaseDecommissioned: boolean;
  guardVersion: string;
}

/** The refusal for going from `previous` to `next` brokers, or undefined when allowed. */
export function replicaDecreaseRefusal(
  previous: unknown,
  next: number,
  decreaseDecommissioned: boolean,
): string | undefined {
  if (typeof previous !== "number" || next >= previous || decreaseDecommissioned) return undefined;
  const gone = Array.from(
    { length: previous - next },
    (_, index) => `apphub-redpanda-${next + index}`,
  ).join(", ");
  return (
    `apphub-streaming:cluster.replicas: expected at least ${previous} (the running broker count): lowering it to ${next} deletes ${gone} ` +
    `with their partition replicas. First decommission them (rpk redpanda admin brokers decommission <node id>, then wait until ` +
    `rpk redpanda admin brokers decommission-status <node id> says it is decommissioned successfully), ` +
    `then set apphub-streaming:cluster.replicasDecreaseDecommissioned: true (docs/kubernetes.md, "Scaling")`
  );
}

export const replicaGuardProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
    const reason = replicaDecreaseRefusal(
      olds?.replicas,
      Number(news.replicas),
      news.decreaseDecommissioned === true,
    );
    return { inputs: news, failures: reason ? [{ property: "replicas", reason }] : [] };
  },
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    return {
      changes:
        olds.replicas !== news.replicas ||
        olds.decreaseDecommissioned !== news.decreaseDecommissioned ||
        olds.guardVersion !== news.guardVersion,
    };
  },
  async create(inputs: Record<string, unknown>) {
    return { id: "apphub-redpanda-replicas", outs: inputs };
  },
  async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    return { outs: news };
  },
};

export class ReplicaGuard extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: { [K in keyof ReplicaGuardInputs]: pulumi.Input<ReplicaGuardInputs[K]> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(replicaGuardProvider, name, { ...args }, opts, "streaming", "ReplicaGuard");
  }
}
