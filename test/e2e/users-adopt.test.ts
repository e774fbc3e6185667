// Adopting a SCRAM user and its ACLs through the real Pulumi CLI on the ACL peer (Kafka with SCRAM
// and enforced ACLs): a user, its password and its grants made by hand, then `topics import`
// (the built CLI), the stack refused until the user's current password is set, `pulumi import
// --file` for the topic, `pulumi up`, and the user keeps logging in with the password it had, may
// still produce where it could, and has exactly the bindings it had. A refresh preview is clean
// afterwards. Names carry a per-run prefix: the peer is shared.
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SASL_PASSWORD_ENV } from "../../src/topics/cli";
import { ACL_BROKERS, ACL_SUPERUSER, ACL_SUPERUSER_PASSWORD } from "../peers/kafka";
import { repoRoot } from "../peers/proc";
import {
  ACL_ADMIN,
  aclsOf,
  deleteTestUsers,
  grantByHand,
  loginAs,
  produceAs,
  setScramCredential,
  settles,
  type Login,
} from "../support/aclPeer";
import { runChild } from "../support/child";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { escaped, PulumiWorkspace, uniqueStack } from "./support/pulumi";

const RUN = randomBytes(3).toString("hex");
const TOPIC = `e2e-uadopt-${RUN}.orders`;
const USER = `e2e-uadopt-${RUN}`;
const LOGIN: Login = {
  username: USER,
  password: `adopted-${randomBytes(9).toString("hex")}`,
  mechanism: "scram-sha-512",
};
const CLI = path.join(repoRoot(), "dist/src/cli/topics.js");
const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;
const stack = uniqueStack("uadopt");

beforeAll(async () => {
  ws = await PulumiWorkspace.create("users-adopt");
  await withKafkaAdmin("e2e-users-adopt", ACL_ADMIN, (admin) =>
    admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1 }] }),
  );
  await setScramCredential(USER, "SCRAM-SHA-512", LOGIN.password);
  await grantByHand(`User:${USER}`, TOPIC, "WRITE");
  await grantByHand(`User:${USER}`, TOPIC, "DESCRIBE");
});

afterAll(async () => {
  ws?.dispose();
  await deleteTestUsers([USER]);
  await deleteTestTopics("e2e-users-adopt", ACL_ADMIN, (topic) => topic.includes(RUN));
});

describe("adopting a SCRAM user and its ACLs through the real Pulumi CLI", () => {
  it(
    "imports the user, refuses the stack until its password is set, and up keeps its login and bindings as they were",
    async () => {
      expect(await settles(() => produceAs(LOGIN, TOPIC), "ok")).toBe("ok");
      const bindings = await aclsOf(`User:${USER}`);
      expect(bindings).toHaveLength(2);

      await ws.pulumi(["stack", "init", stack], {});
      const imported = await runChild(
        process.execPath,
        [
          CLI,
          "import",
          ...["--brokers", ACL_BROKERS.join(","), "--stack", stack],
          ...["--include", `^${escaped(TOPIC)}$`, "--users", `^${escaped(USER)}$`],
          ...["--sasl-mechanism", "scram-sha-512", "--sasl-username", ACL_SUPERUSER, "--json"],
        ],
        {
          cwd: ws.projectDir,
          env: { ...process.env, [SASL_PASSWORD_ENV]: ACL_SUPERUSER_PASSWORD },
          timeoutMs: 120_000,
        },
      );
      expect(imported.code, imported.output).toBe(0);
      const report = JSON.parse(imported.stdout) as {
        users: { name: string; adopt: boolean; mechanism: string }[];
        next: string[];
      };
      expect(report.users).toEqual([
        expect.objectContaining({ name: USER, adopt: true, mechanism: "scram-sha-512" }),
      ]);
      expect(report.next.join("\n")).toContain(`kafkaUserPasswords["${USER}"]`);

      // Without the user's current password, up would lock its clients out: refused first.
      await ws.setSecret(stack, "kafkaSaslPassword", ACL_SUPERUSER_PASSWORD);
      const refused = await ws.pulumi(["preview"], { stack, allowFailure: true });
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain(`kafkaUserPasswords.${USER}`);
      expect(refused.output).not.toMatch(/\n\s+at .*\.(ts|js):\d+/); // no stack trace

      await ws.pulumi(
        ["config", "set", "--secret", "--path", `apphub-streaming:kafkaUserPasswords["${USER}"]`],
        { stack },
        LOGIN.password,
      );
      await ws.pulumi(
        [
          "import",
          "--file",
          path.join(ws.projectDir, `pulumi-import.${stack}.json`),
          "--protect=false",
          "--generate-code=false",
          "--yes",
        ],
        { stack },
      );
      const up = await ws.pulumi(["up", "--yes"], { stack });
      expect(up.stdout).toMatch(/KafkaUser \S+ created/);
      expect(up.output).not.toContain(LOGIN.password);

      // The same password, the same bindings: the user's clients never noticed.
      expect(await settles(() => loginAs(LOGIN), "ok")).toBe("ok");
      expect(await produceAs(LOGIN, TOPIC)).toBe("ok");
      expect(await aclsOf(`User:${USER}`)).toEqual(bindings);
      await ws.pulumi(["preview", "--refresh", "--expect-no-changes"], { stack });
      const { text } = await ws.exportState(stack);
      expect(text).not.toContain(LOGIN.password);
    },
    RUN_TIMEOUT_MS,
  );
});
