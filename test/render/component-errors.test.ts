/**
 * Components refuse bad arguments with `ResourceError(message, component)`: the engine reports
 * the message against the component, without a stack trace. The components are constructed
 * directly under Pulumi's mock runtime, with arguments the stack config would have refused
 * first, to reach their own checks.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { RedpandaCluster } from "../../components/RedpandaCluster";
import { SnapshotBackup } from "../../components/SnapshotBackup";
import { TopicBootstrap } from "../../components/TopicBootstrap";
import { saslPasswordProblem } from "../../src/config/rules";
import { KUBE_BASICS, validConfig } from "../support/config";

const prod = validConfig({ environment: "prod", ...KUBE_BASICS });

/** The error `construct` throws; fails the test when it throws none. */
function thrownBy(construct: () => unknown): unknown {
  try {
    construct();
  } catch (error) {
    return error;
  }
  throw new Error("expected the component to refuse its arguments");
}

function expectResourceError(error: unknown, component: string, message: RegExp): void {
  expect(error).toBeInstanceOf(pulumi.ResourceError);
  const { resource } = error as pulumi.ResourceError;
  expect(resource).toBeInstanceOf(pulumi.ComponentResource);
  expect((error as Error).message).toMatch(message);
  // The resource the engine reports it against is the refusing component itself.
  expect(resource?.constructor.name).toBe(component);
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    "apphub-streaming",
    "component-errors",
  );
});

describe("component errors are ResourceError(message, this)", () => {
  it("TopicBootstrap: a SASL user without a password, by the stack config's own rule", () => {
    const error = thrownBy(
      () =>
        new TopicBootstrap("refused-topics", {
          topics: prod.topics,
          brokers: ["127.0.0.1:19092"],
          kafka: { ...prod.kafka, sasl: { mechanism: "scram-sha-256", username: "apphub" } },
        }),
    );
    expectResourceError(error, "TopicBootstrap", /^TopicBootstrap refused-topics: /);
    expect((error as Error).message).toContain(`saslPassword: ${saslPasswordProblem(undefined)}`);
  });

  it("TopicBootstrap: a topic declared twice", () => {
    const [topic] = prod.topics;
    const error = thrownBy(
      () =>
        new TopicBootstrap("twice-topics", {
          topics: [topic!, topic!],
          brokers: ["127.0.0.1:19092"],
          kafka: prod.kafka,
        }),
    );
    expectResourceError(error, "TopicBootstrap", new RegExp(`${topic!.name}: declared twice`));
  });

  it("SnapshotBackup: an IAM role and static credentials at once", () => {
    const error = thrownBy(
      () =>
        new SnapshotBackup("refused-backup", {
          backup: { ...prod.backup, roleArn: "arn:aws:iam::1:role/x", accessKeyId: "AKIA" },
          brokerCount: 3,
        }),
    );
    expectResourceError(error, "SnapshotBackup", /expected either backup\.roleArn or static/);
  });

  it("RedpandaCluster: an external listener without an advertised host", () => {
    const external = { ...prod.cluster.external, enabled: true, advertisedHost: undefined };
    const error = thrownBy(
      () =>
        new RedpandaCluster("refused-cluster", {
          cluster: { ...prod.cluster, external },
        }),
    );
    expectResourceError(error, "RedpandaCluster", /advertisedHost is required/);
  });
});
