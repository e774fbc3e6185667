// Users and ACLs through the real Pulumi CLI on the ACL peer (Kafka with SCRAM and enforced
// ACLs): one stack walks a user through its life — created with a grant (its produce works, an
// ungranted one is denied), a clean no-op preview, an ACL added by hand that preview --refresh
// shows and up revokes, a rotation (old password refused, new one works), removal (login and
// ACLs gone). A second stack rotates its own superuser's password on up, before the topic
// bootstrap logs in with it. Users and topics carry a per-run prefix: the peer is shared.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTopicsOff } from "../support/config";
import {
  ACL_BROKERS,
  ACL_ROTATING_SUPERUSER,
  ACL_SUPERUSER,
  ACL_SUPERUSER_PASSWORD,
} from "../peers/kafka";
import {
  ACL_ADMIN,
  aclsOf,
  deleteTestUsers,
  grantByHand,
  loginAs,
  settles,
  produceAs,
  setScramCredential,
  type Login,
} from "../support/aclPeer";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { escaped, PulumiWorkspace, type PulumiResult, uniqueStack } from "./support/pulumi";

const RUN = randomBytes(3).toString("hex");
const GRANTED = `e2e-users-${RUN}.granted`;
const OTHER = `e2e-users-${RUN}.other`;
const USER = `e2e-user-${RUN}`;
const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;

/** The stack's topics: these names, none of the seed's. */
function topics(names: readonly string[], retentionMs = 86_400_000): Record<string, unknown> {
  return {
    ...seedTopicsOff(),
    ...Object.fromEntries(names.map((name) => [name, { partitions: 1, retentionMs }])),
  };
}

const userConfig = (rotate = 0) => ({
  [USER]: {
    mechanism: "scram-sha-512",
    rotate,
    acls: [{ topic: GRANTED, operations: ["write", "describe"] }],
  },
});

/** `apphub-streaming:kafka` of a stack on the ACL peer, logging in as `sasl`. */
const aclPeerKafka = (sasl: Record<string, unknown>) => ({
  brokers: ACL_BROKERS,
  brokerCount: 1,
  connectTimeoutMs: 30_000,
  sasl,
});

async function userLogin(stack: string): Promise<Login> {
  const { stdout } = await ws.pulumi(
    ["stack", "output", "kafkaUsers", "--json", "--show-secrets"],
    {
      stack,
    },
  );
  const users = JSON.parse(stdout) as Record<string, { mechanism: string; password: string }>;
  const user = users[USER];
  if (!user) throw new Error(`kafkaUsers has no ${USER}: ${Object.keys(users).join(", ")}`);
  expect(user.mechanism).toBe("SCRAM-SHA-512");
  return { username: USER, password: user.password, mechanism: "scram-sha-512" };
}

const up = (stack: string) => ws.pulumi(["up", "--yes", "--skip-preview"], { stack });

beforeAll(async () => {
  ws = await PulumiWorkspace.create("users");
});

afterAll(async () => {
  ws?.dispose();
  await deleteTestUsers([USER, ACL_ROTATING_SUPERUSER]);
  await deleteTestTopics("e2e-users", ACL_ADMIN, (topic) => topic.includes(RUN));
});

describe("users and ACLs through the real Pulumi CLI on Kafka with enforced ACLs", () => {
  it(
    "grants, denies, stays clean, shows a hand-added ACL, rotates and revokes",
    async () => {
      const stack = uniqueStack("users");
      await ws.initStack(stack, {
        environment: "external",
        kafka: aclPeerKafka({ mechanism: "scram-sha-512", username: ACL_SUPERUSER }),
        topics: topics([GRANTED, OTHER]),
        users: userConfig(),
      });
      await ws.setSecret(stack, "kafkaSaslPassword", ACL_SUPERUSER_PASSWORD);
      const printed: PulumiResult[] = [await up(stack)];

      // The grant works, the rest is denied by the broker.
      const first = await userLogin(stack);
      expect(await settles(() => produceAs(first, GRANTED), "ok")).toBe("ok");
      expect(await produceAs(first, OTHER)).toBe("TOPIC_AUTHORIZATION_FAILED");
      expect(await aclsOf(`User:${USER}`)).toEqual([
        {
          resourceType: "TOPIC",
          resourceName: GRANTED,
          pattern: "LITERAL",
          operation: "DESCRIBE",
          permission: "ALLOW",
        },
        {
          resourceType: "TOPIC",
          resourceName: GRANTED,
          pattern: "LITERAL",
          operation: "WRITE",
          permission: "ALLOW",
        },
      ]);

      // Nothing to do after up.
      printed.push(await ws.pulumi(["preview", "--expect-no-changes", "--diff"], { stack }));

      // An ACL added by hand shows in preview --refresh, and up takes it away again.
      await grantByHand(`User:${USER}`, OTHER, "WRITE");
      expect(await settles(() => produceAs(first, OTHER), "ok")).toBe("ok");
      const drift = await ws.pulumi(["preview", "--refresh", "--diff"], { stack });
      printed.push(drift);
      expect(drift.output).toMatch(new RegExp(`KafkaUser: \\(update\\)\\s+\\[id=${USER}\\]`));
      expect(drift.output).toMatch(new RegExp(`- +resourceName: "${escaped(OTHER)}"`));
      expect(drift.output).toContain(`User:${USER}: revokes topic ${OTHER} (literal): write`);
      printed.push(await ws.pulumi(["up", "--yes", "--refresh", "--skip-preview"], { stack }));
      expect(await settles(() => produceAs(first, OTHER), "TOPIC_AUTHORIZATION_FAILED")).toBe(
        "TOPIC_AUTHORIZATION_FAILED",
      );

      // Rotation: the old password stops working, the new one works.
      ws.writeConfig(stack, { users: userConfig(1) });
      printed.push(await up(stack));
      const rotated = await userLogin(stack);
      expect(rotated.password).not.toBe(first.password);
      expect(await settles(() => loginAs(rotated), "ok")).toBe("ok");
      expect(await settles(() => loginAs(first), "SASL_AUTHENTICATION_FAILED")).toBe(
        "SASL_AUTHENTICATION_FAILED",
      );
      expect(await produceAs(rotated, GRANTED)).toBe("ok");

      // A password set as the secret kafkaUserPasswords.<user> replaces the generated one.
      const configured = `configured-${RUN}-${randomBytes(6).toString("hex")}`;
      await ws.pulumi(
        ["config", "set", "--secret", "--path", `apphub-streaming:kafkaUserPasswords["${USER}"]`],
        { stack },
        configured,
      );
      printed.push(await up(stack));
      expect((await userLogin(stack)).password).toBe(configured);
      expect(await settles(() => loginAs(rotated), "SASL_AUTHENTICATION_FAILED")).toBe(
        "SASL_AUTHENTICATION_FAILED",
      );
      const chosen: Login = { ...rotated, password: configured };
      expect(await settles(() => loginAs(chosen), "ok")).toBe("ok");
      expect(await produceAs(chosen, GRANTED)).toBe("ok");

      // Passwords are secrets in state, the CLI's output and the stack file.
      const exported = await ws.exportState(stack);
      const outputs = await ws.outputs(stack);
      expect(outputs.kafkaUsers).toBe("[secret]");
      const secrets = [first.password, rotated.password, configured, ACL_SUPERUSER_PASSWORD];
      for (const secret of secrets) {
        expect(exported.text).not.toContain(secret);
        expect(JSON.stringify(outputs)).not.toContain(secret);
        for (const file of ws.stateFiles())
          expect(fs.readFileSync(file, "utf8"), file).not.toContain(secret);
        for (const result of printed) expect(result.output).not.toContain(secret);
      }

      // Removal: the preview names what is revoked; up removes the login and every ACL.
      ws.writeConfig(stack, { users: undefined, kafkaUserPasswords: undefined });
      const removal = await ws.pulumi(["preview", "--diff"], { stack });
      expect(removal.output).toMatch(new RegExp(`- .*KafkaUser: \\(delete\\)\\s+\\[id=${USER}\\]`));
      expect(removal.output).toContain(GRANTED);
      const removed = await up(stack);
      expect(removed.output).toContain(`revoked the SCRAM-SHA-512 login of ${USER}`);
      expect(await settles(() => loginAs(chosen), "SASL_AUTHENTICATION_FAILED")).toBe(
        "SASL_AUTHENTICATION_FAILED",
      );
      expect(await aclsOf(`User:${USER}`)).toEqual([]);
      for (const secret of secrets) {
        expect(removal.output).not.toContain(secret);
        expect(removed.output).not.toContain(secret);
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "rotates the stack's own superuser on up, before the topic bootstrap logs in with the new password",
    async () => {
      const topic = `e2e-users-${RUN}.rotation`;
      const before = `rotating-${RUN}-before`;
      const after = `rotating-${RUN}-after`;
      await setScramCredential(ACL_ROTATING_SUPERUSER, "SCRAM-SHA-256", before);
      const stack = uniqueStack("superuser");
      await ws.initStack(stack, {
        environment: "external",
        kafka: aclPeerKafka({
          mechanism: "scram-sha-256",
          username: ACL_ROTATING_SUPERUSER,
          managePassword: true,
        }),
        topics: topics([topic]),
      });
      await ws.setSecret(stack, "kafkaSaslPassword", before);
      await up(stack);

      // A new password and a topic change in the same up: the topic is altered as the superuser
      // with the new password, which works only once the rotation reached the broker.
      await ws.setSecret(stack, "kafkaSaslPassword", after);
      ws.writeConfig(stack, { topics: topics([topic], 3_600_000) });
      const rotation = await up(stack);
      expect(rotation.output).not.toContain(after);
      const superuser = (password: string): Login => ({
        username: ACL_ROTATING_SUPERUSER,
        password,
        mechanism: "scram-sha-256",
      });
      expect(await settles(() => loginAs(superuser(before)), "SASL_AUTHENTICATION_FAILED")).toBe(
        "SASL_AUTHENTICATION_FAILED",
      );
      expect(await settles(() => loginAs(superuser(after)), "ok")).toBe("ok");
      const retention = await withKafkaAdmin("e2e-users", ACL_ADMIN, async (admin) => {
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: 2, name: topic, configNames: ["retention.ms"] }],
        });
        return described.resources[0]?.configEntries[0]?.configValue;
      });
      expect(retention).toBe("3600000");
    },
    RUN_TIMEOUT_MS,
  );
});
