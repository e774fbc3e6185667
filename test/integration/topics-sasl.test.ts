// The topic engine against the SASL peer (SCRAM on 127.0.0.1:39092): with the right password
// it plans and applies; with a wrong one it fails naming the brokers and the user, never the
// password. The e2e suite (test/e2e/topics-sasl.test.ts) drives the same peer through Pulumi.
import { randomUUID } from "node:crypto";
import { deleteTestTopics } from "../support/kafkaAdmin";
import { afterAll, describe, expect, it } from "vitest";
import { applyPlans, planTopics } from "../../src/topics/engine";
import { BrokerConnectError, withSession } from "../../src/topics/kafka";
import { closeAllSessions, sessionStats, withSharedSession } from "../../src/topics/sessions";
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
  await closeAllSessions();
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

  it("asks again after a refused login, which a rotation may make valid, but remembers a broker that is down", async () => {
    const failureOf = (settings: ConnectionSettings, password: string) =>
      withSharedSession(settings, password, async () => undefined).then(
        () => undefined,
        (error: unknown) => error,
      );
    const refused = settings("scram-sha-512");
    const before = sessionStats().opened;
    const first = await failureOf(refused, `wrong-${randomUUID()}`);
    const wrong = `wrong-${randomUUID()}`;
    await failureOf(refused, wrong);
    const again = await failureOf(refused, wrong);
    expect(first).toBeInstanceOf(BrokerConnectError);
    expect((again as BrokerConnectError).credentialsRefused).toBe(true);
    expect(sessionStats().opened - before).toBe(3);

    // Nothing listens on port 1: the second caller gets the first one's error without connecting.
    const down = { ...settings("scram-sha-512"), brokers: ["127.0.0.1:1"], connectTimeoutMs: 1000 };
    const opened = sessionStats().opened;
    const unreachable = await failureOf(down, SASL_PASSWORD);
    expect(await failureOf(down, SASL_PASSWORD)).toBe(unreachable);
    expect((unreachable as BrokerConnectError).credentialsRefused).toBe(false);
    expect(sessionStats().opened - opened).toBe(1);
  });
});
