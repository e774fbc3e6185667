// `topics import` adopting users and ACLs, the built CLI against the ACL peer (Kafka with SCRAM
// and StandardAuthorizer on 127.0.0.1:49092). SCRAM users and ACLs are made by hand with a per-run
// prefix (the peer is shared): one user the users key can hold (literal, prefixed, group and
// cluster grants), one with a deny binding, one with ACLs but no credential, and a grant to
// User:*. The import writes the first as an adopted users entry and lists every other binding
// with its reason; the written stack is then refused until the adopted user's password is set.
// Against the single peer (no authorizer) it says why no users were read.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
} from "kafkajs";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SASL_PASSWORD_ENV } from "../../src/topics/cli";
import type { ImportReport } from "../../src/topics/import";
import { ACL_BROKERS, ACL_SUPERUSER, ACL_SUPERUSER_PASSWORD, SINGLE_BROKERS } from "../peers/kafka";
import { repoRoot } from "../peers/proc";
import { ACL_ADMIN, aclsOf, deleteTestUsers, setScramCredential } from "../support/aclPeer";
import { runChild } from "../support/child";
import { withKafkaAdmin } from "../support/kafkaAdmin";

const RUN = randomBytes(3).toString("hex");
const PREFIX = `imp-${RUN}`;
const APP = `${PREFIX}-app`;
const DENIED = `${PREFIX}-denied`;
const GHOST = `${PREFIX}-ghost`;
const ORDERS = `${PREFIX}.orders`;
const PUBLIC = `${PREFIX}.public`;
const CLI = path.join(repoRoot(), "dist/src/cli/topics.js");
const STACK = "imported";
const TIMEOUT_MS = 180_000;

let dir: string;

const acl = (
  principal: string,
  resourceType: AclResourceTypes,
  resourceName: string,
  operation: AclOperationTypes,
  more: Partial<AclEntry> = {},
) => ({
  principal,
  resourceType,
  resourceName,
  resourcePatternType: ResourcePatternTypes.LITERAL,
  host: "*",
  operation,
  permissionType: AclPermissionTypes.ALLOW,
  ...more,
});

const BY_HAND = [
  acl(`User:${APP}`, AclResourceTypes.TOPIC, ORDERS, AclOperationTypes.READ),
  acl(`User:${APP}`, AclResourceTypes.TOPIC, ORDERS, AclOperationTypes.DESCRIBE),
  acl(`User:${APP}`, AclResourceTypes.TOPIC, `${PREFIX}.audit.`, AclOperationTypes.WRITE, {
    resourcePatternType: ResourcePatternTypes.PREFIXED,
  }),
  acl(`User:${APP}`, AclResourceTypes.GROUP, `${PREFIX}-billing`, AclOperationTypes.READ),
  acl(`User:${APP}`, AclResourceTypes.CLUSTER, "kafka-cluster", AclOperationTypes.IDEMPOTENT_WRITE),
  acl(`User:${DENIED}`, AclResourceTypes.TOPIC, ORDERS, AclOperationTypes.READ),
  acl(`User:${DENIED}`, AclResourceTypes.TOPIC, ORDERS, AclOperationTypes.WRITE, {
    permissionType: AclPermissionTypes.DENY,
  }),
  acl(`User:${GHOST}`, AclResourceTypes.TOPIC, ORDERS, AclOperationTypes.READ),
  acl("User:*", AclResourceTypes.TOPIC, PUBLIC, AclOperationTypes.READ),
];

/** The wildcard grant is shared with whoever else grants to everyone: only ours is removed. */
async function deleteWildcardGrant(): Promise<void> {
  await withKafkaAdmin("it-users-import", ACL_ADMIN, (admin) =>
    admin.deleteAcls({
      filters: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: PUBLIC,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: "User:*",
          host: "*",
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    }),
  );
}

/** Waits until the broker lists `count` bindings of `principal` (KRaft applies ACLs from its log). */
async function listed(principal: string, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await aclsOf(principal)).length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 300));
}

function importCli(args: readonly string[]) {
  return runChild(
    process.execPath,
    [CLI, "import", "--stack", STACK, "--include", `^${PREFIX}\\.`, ...args],
    {
      cwd: dir,
      env: { ...process.env, [SASL_PASSWORD_ENV]: ACL_SUPERUSER_PASSWORD },
      timeoutMs: TIMEOUT_MS,
    },
  );
}

const ACL_PEER_ARGS = [
  "--brokers",
  ACL_BROKERS.join(","),
  "--sasl-mechanism",
  "scram-sha-512",
  "--sasl-username",
  ACL_SUPERUSER,
  "--users",
  `^(${PREFIX}-.*|\\*)$`,
];

const stackFile = () => path.join(dir, `Pulumi.${STACK}.yaml`);
const usersOf = () =>
  (
    parseDocument(fs.readFileSync(stackFile(), "utf8")).toJS() as {
      config: Record<string, unknown>;
    }
  ).config["apphub-streaming:users"];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "users-import-"));
  await setScramCredential(APP, "SCRAM-SHA-512", `app-${RUN}-pw`);
  await setScramCredential(DENIED, "SCRAM-SHA-256", `denied-${RUN}-pw`);
  await withKafkaAdmin("it-users-import", ACL_ADMIN, (admin) => admin.createAcls({ acl: BY_HAND }));
  await listed(`User:${APP}`, 5);
  await listed(`User:${DENIED}`, 2);
  await listed(`User:${GHOST}`, 1);
}, TIMEOUT_MS);

afterAll(async () => {
  await deleteTestUsers([APP, DENIED, GHOST]);
  await deleteWildcardGrant();
  fs.rmSync(dir, { recursive: true, force: true });
}, TIMEOUT_MS);

describe("topics import: users and ACLs on the ACL peer", () => {
  it(
    "writes the SCRAM user it can hold as an adopted entry and lists every other binding with its reason",
    async () => {
      const result = await importCli([...ACL_PEER_ARGS, "--json"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as ImportReport;
      expect(report.written).toBe(true);
      const entries = [
        { cluster: true, operations: ["idempotentWrite"] },
        { group: `${PREFIX}-billing`, operations: ["read"] },
        { topic: `${PREFIX}.audit.`, pattern: "prefixed", operations: ["write"] },
        { topic: ORDERS, operations: ["describe", "read"] },
      ];
      expect(usersOf()).toEqual({
        [APP]: { mechanism: "scram-sha-512", acls: entries, adopt: true },
      });
      expect(report.users).toEqual([
        {
          name: APP,
          entry: "added",
          mechanism: "scram-sha-512",
          mechanismFrom: "cluster",
          acls: entries,
          adopt: true,
          passwordSet: false,
        },
      ]);
      const ours = report.leftOutAcls
        .filter((left) => left.resourceName.startsWith(PREFIX))
        .map((left) => `${left.principal} ${left.permission} ${left.operation}: ${left.reason}`)
        .sort();
      expect(ours).toEqual([
        `User:* allow read: User:* (every user): the users key has no entry for the wildcard principal`,
        `User:${DENIED} allow read: User:${DENIED} is not imported: it also has bindings the users key cannot express, which pulumi up would revoke (the stack owns every binding of its users)`,
        `User:${DENIED} deny write: a deny binding: the users key grants (allow) only`,
        `User:${GHOST} allow read: no SCRAM credential on the cluster (not a SCRAM user: adopting it would create one)`,
      ]);
      expect(report.usersNote).toBeNull();
      expect(report.next[0]).toContain(
        `pulumi config set --secret --path 'apphub-streaming:kafkaUserPasswords["${APP}"]' <current password> --stack ${STACK}`,
      );
    },
    TIMEOUT_MS,
  );

  it(
    "changes nothing on a second run, and prints the users and left-out bindings as text",
    async () => {
      const before = fs.readFileSync(stackFile(), "utf8");
      const result = await importCli(ACL_PEER_ARGS);
      expect(result.code).toBe(0);
      expect(fs.readFileSync(stackFile(), "utf8")).toBe(before);
      expect(result.stdout).toContain(`unchanged: Pulumi.${STACK}.yaml`);
      expect(result.stdout).toContain(`  = user ${APP}: scram-sha-512`);
      expect(result.stdout).toContain(`      topic ${PREFIX}.audit. (prefixed): write`);
      expect(result.stdout).toMatch(/left out \d+ ACL bindings?, a deny binding/);
      expect(result.stdout).toContain(`User:${DENIED} deny write on topic ${ORDERS}`);
    },
    TIMEOUT_MS,
  );

  it(
    "leaves the stack refused until the adopted user's password is set, naming the key and the command",
    async () => {
      const result = await runChild(process.execPath, [CLI, "plan", "--stack", STACK], {
        cwd: dir,
        env: { ...process.env, [SASL_PASSWORD_ENV]: ACL_SUPERUSER_PASSWORD },
        timeoutMs: TIMEOUT_MS,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`apphub-streaming:kafkaUserPasswords.${APP}`);
      expect(result.stderr).toContain(
        `pulumi config set --secret --path 'apphub-streaming:kafkaUserPasswords["${APP}"]' <current password> --stack ${STACK}`,
      );
    },
    TIMEOUT_MS,
  );

  it(
    "reads no ACLs with --no-users, and says why when the brokers have no authorizer",
    async () => {
      const skipped = await importCli([
        ...ACL_PEER_ARGS.slice(0, 6),
        "--no-users",
        "--dry-run",
        "--json",
      ]);
      expect(skipped.code).toBe(0);
      expect(JSON.parse(skipped.stdout)).toMatchObject({
        users: [],
        leftOutAcls: [],
        usersNote: "not read (--no-users)",
      });
      const single = await runChild(
        process.execPath,
        [
          CLI,
          "import",
          "--stack",
          "single",
          "--brokers",
          SINGLE_BROKERS.join(","),
          "--include",
          `^${PREFIX}\\.`,
          "--dry-run",
        ],
        { cwd: dir, timeoutMs: TIMEOUT_MS },
      );
      expect(single.code).toBe(0);
      expect(single.stdout).toMatch(
        /^users: authorization is off on the brokers \(DescribeAcls answered SECURITY_DISABLED: .+\), so there are no ACLs to adopt and no users were imported$/m,
      );
    },
    TIMEOUT_MS,
  );
});
