// The topic engine against the SASL peer (SCRAM on 127.0.0.1:39092): with the right password
// it plans and applies; with a wrong one it fails naming the brokers and the user, never the
// password. The e2e suite (test/e2e/topics-sasl.test.ts) drives the same peer through Pulumi.
import { randomUUID } from "node:crypto";
import { deleteTestTopics } from "../support/kafkaAdmin";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlans, planTopics } from "../../src/topics/engine";
import { withSession } from "../../src/topics/kafka";
import type { ConnectionSettings, DesiredTopic } from "../../src/topics/model";
import { SASL_BROKERS, SASL_PASSWORD, SASL_USERNAME } from "../peers/kafka";

const NAME = `it-sasl-${randomUUID().slice(0, 8)}.events`;

function settings(mechanism: "scram-sha-512" | "scram-sha-256"): ConnectionSettings {
  return {
    brokers: SASL_BROKERS,
    clientId: "sasl-test",
    connectTimeoutMs: 5000,
    requestTimeoutMs: 15000,
    tls: { enabled: false, rejectUnauthorized: true },
    sasl: { mechanism, username: SASL_USERNAME },
  };
}

afterAll(async () => {
  await deleteTestTopics(
    "sasl-test",
    {
      brokers: SASL_BROKERS,
      sasl: { mechanism: "scram-sha-512", username: SASL_USERNAME, password: SASL_PASSWORD },
    },
    (topic) => topic === NAME,
  );
});

describe("SASL/SCRAM peer", () => {
  it("plans and applies with the password, over SCRAM-SHA-512 and SCRAM-SHA-256", async () => {
    const desired: DesiredTopic = {
      name: NAME,
      partitions: 2,
      replicationFactor: 1,
      config: { "retention.ms": "86400000" },
      deletionPolicy: "retain",
    };
    await withSession(settings("scram-sha-512"), SASL_PASSWORD, async (session) =>
      applyPlans(session, (await planTopics(session, [desired])).plans),
    );
    const { plans } = await withSession(settings("scram-sha-256"), SASL_PASSWORD, (session) =>
      planTopics(session, [desired]),
    );
    expect(plans.map((plan) => plan.action)).toEqual(["noop"]);
  });

  it("fails with a wrong password, naming brokers and user but not the password", async () => {
    const wrong = `wrong-${randomUUID()}`;
    const failure = await withSession(settings("scram-sha-512"), wrong, (session) =>
      planTopics(session, []),
    ).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(failure).toBeDefined();
    expect(failure).toContain(SASL_BROKERS[0]);
    expect(failure).not.toContain(wrong);
    expect(failure).not.toContain(SASL_PASSWORD);
  });
});
