// `topics import` for users and ACLs, the pure part: DescribeAcls bindings (every principal) and
// the KIP-554 credential list → `apphub-streaming:users` entries, the bindings left out and why,
// the merge into a stack file (idempotent), and the stack rule that an adopted user's password
// must be set before `pulumi up`. The CLI against the real ACL peer:
// test/integration/users-import.test.ts.
import { describe, expect, it } from "vitest";
import { stackFileFromText, SECRET_PLACEHOLDER } from "../../src/config/load";
import { parseStackConfig } from "../../src/config/schema";
import { topicsCommand } from "../../src/cli/topics";
import { seedTopicsOff } from "../support/config";
import { existingStack, formatImport, importStack } from "../../src/topics/import";
import {
  aclEntriesOf,
  importUsers,
  passwordsPending,
  type ClusterUsers,
  type PrincipalBinding,
} from "../../src/users/import";
import { runCommand } from "../support/cli";

const FILE = "Pulumi.adopted.yaml";

/** One allow-from-anywhere binding, as DescribeAcls decodes it. */
function binding(
  principal: string,
  resourceType: string,
  resourceName: string,
  operation: string,
  more: Partial<PrincipalBinding> = {},
): PrincipalBinding {
  return {
    principal,
    resourceType,
    resourceName,
    pattern: "literal",
    permission: "allow",
    host: "*",
    operation,
    ...more,
  } as PrincipalBinding;
}

const ALICE = [
  binding("User:alice", "topic", "orders", "read"),
  binding("User:alice", "topic", "orders", "describe"),
  binding("User:alice", "group", "billing", "read"),
  binding("User:alice", "topic", "audit.", "write", { pattern: "prefixed" }),
  binding("User:alice", "cluster", "kafka-cluster", "idempotentWrite"),
];

const ALICE_ENTRIES = [
  { cluster: true, operations: ["idempotentWrite"] },
  { group: "billing", operations: ["read"] },
  { topic: "audit.", pattern: "prefixed", operations: ["write"] },
  { topic: "orders", operations: ["describe", "read"] },
];

const cluster = (
  acls: PrincipalBinding[],
  /** null: the brokers do not serve KIP-554. */
  credentials: Record<string, string[]> | null = { alice: ["SCRAM-SHA-512"] },
): ClusterUsers => ({
  acls,
  credentials: credentials === null ? undefined : new Map(Object.entries(credentials)),
});

/** The whole import (topics: none) into `text`, users from `users`. */
function run(users: ClusterUsers, text?: string, connectionUser?: string) {
  const existing = existingStack(text, FILE);
  return importStack({
    stack: "adopted",
    file: FILE,
    existing,
    connection: { brokers: ["127.0.0.1:49092"], brokerCount: 1 },
    topics: [],
    skipped: [],
    onCluster: new Set(),
    importFile: "pulumi-import.adopted.json",
    users: importUsers(users, { raw: existing.raw, connectionUser }),
  });
}

const valuesOf = (text: string) => stackFileFromText(text, FILE).raw;
const usersOf = (text: string) =>
  stackFileFromText(text, FILE).raw.users as Record<string, unknown>;

describe("importUsers: one users entry per SCRAM user with ACLs", () => {
  it("groups each resource and pattern into one ACL entry with sorted operations, mechanism from the credential list, adopt: true", () => {
    const imported = importUsers(cluster(ALICE), { raw: {} });
    expect(imported.users).toEqual([
      {
        name: "alice",
        entry: "added",
        mechanism: "scram-sha-512",
        mechanismFrom: "cluster",
        acls: ALICE_ENTRIES,
        adopt: true,
        passwordSet: false,
      },
    ]);
    expect(imported.sets).toEqual([
      {
        path: ["config", "apphub-streaming:users", "alice"],
        value: { mechanism: "scram-sha-512", acls: ALICE_ENTRIES, adopt: true },
      },
    ]);
    expect(imported.leftOutAcls).toEqual([]);
    expect(imported.note).toBeNull();
  });

  it("reads back what it wrote: the entries parse to the same bindings", () => {
    expect(aclEntriesOf(ALICE)).toEqual(ALICE_ENTRIES);
  });

  it("leaves out what the users key cannot express, each binding with its reason, and a user with a deny not at all", () => {
    const acls = [
      binding("User:bob", "topic", "orders", "read"),
      binding("User:bob", "topic", "orders", "write", { permission: "deny" }),
      binding("User:carol", "topic", "orders", "read", { host: "10.0.0.7" }),
      binding("User:*", "topic", "public", "read"),
      binding("RedpandaRole:ops", "topic", "orders", "read"),
      binding("User:dave", "topic", "orders", "op:99"),
      binding("User:erin", "type:9", "x", "read"),
      binding("User:ghost", "topic", "orders", "read"),
      binding("User:admin", "topic", "orders", "read"),
      binding("User:frank", "group", "g", "write"),
    ];
    const credentials = Object.fromEntries(
      ["bob", "carol", "dave", "erin", "admin", "frank"].map((name) => [name, ["SCRAM-SHA-256"]]),
    );
    const imported = importUsers(cluster(acls, credentials), { raw: {}, connectionUser: "admin" });
    expect(imported.users).toEqual([]);
    expect(imported.sets).toEqual([]);
    const reasons = Object.fromEntries(
      imported.leftOutAcls.map((left) => [
        `${left.principal} ${left.permission} ${left.operation}`,
        left.reason,
      ]),
    );
    expect(reasons).toEqual({
      "RedpandaRole:ops allow read": expect.stringContaining("SCRAM users (User:<name>) only"),
      "User:* allow read": expect.stringContaining("no entry for the wildcard principal"),
      "User:admin allow read": expect.stringContaining("the import's own user"),
      "User:bob allow read": expect.stringContaining(
        "User:bob is not imported: it also has bindings",
      ),
      "User:bob deny write": "a deny binding: the users key grants (allow) only",
      "User:carol allow read": "host 10.0.0.7: the users key grants from every host (*) only",
      "User:dave allow op:99": expect.stringContaining("expected an operation on a topic"),
      "User:erin allow read": expect.stringContaining("resource type type:9"),
      "User:frank allow write": expect.stringContaining("write means nothing on a group"),
      "User:ghost allow read": expect.stringContaining("no SCRAM credential on the cluster"),
    });
  });

  it("without a credential list writes no mechanism, reports the default, and says why once", () => {
    const imported = importUsers(cluster(ALICE, null), { raw: {} });
    expect(imported.users[0]).toMatchObject({
      mechanism: "scram-sha-256",
      mechanismFrom: "default",
    });
    expect(imported.sets[0]?.value).toEqual({ acls: ALICE_ENTRIES, adopt: true });
    expect(imported.note).toContain("did not list SCRAM credentials");
    const stackSays = importUsers(cluster(ALICE, null), {
      raw: { users: { alice: { mechanism: "scram-sha-512", acls: ALICE_ENTRIES } } },
    });
    expect(stackSays.users[0]).toMatchObject({
      mechanism: "scram-sha-512",
      mechanismFrom: "stack",
    });
    expect(stackSays.sets).toEqual([]);
  });

  it("keeps the stack's mechanism when the user has both credentials", () => {
    const both = { alice: ["SCRAM-SHA-256", "SCRAM-SHA-512"] };
    expect(importUsers(cluster(ALICE, both), { raw: {} }).users[0]?.mechanism).toBe(
      "scram-sha-256",
    );
    const imported = importUsers(cluster(ALICE, both), {
      raw: { users: { alice: { mechanism: "scram-sha-512", acls: ALICE_ENTRIES } } },
    });
    expect(imported.users[0]).toMatchObject({ mechanism: "scram-sha-512", entry: "unchanged" });
  });

  it("honours the --users filter and reads nothing when the cluster did not list ACLs", () => {
    expect(
      importUsers(cluster([...ALICE, binding("User:*", "topic", "t", "read")]), {
        raw: {},
        filter: /^bob$/,
      }),
    ).toMatchObject({ users: [], leftOutAcls: [], sets: [] });
    const off = importUsers({ unavailable: "authorization is off" }, { raw: {} });
    expect(off).toEqual({
      sets: [],
      users: [],
      leftOutAcls: [],
      note: "authorization is off",
    });
  });
});

describe("merging users into the stack file", () => {
  it("writes a valid stack, says how to set each password, and a second run changes nothing", () => {
    const first = run(cluster(ALICE));
    expect(first.report.problems).toEqual([]);
    const text = first.text!;
    expect(usersOf(text)).toEqual({
      alice: { mechanism: "scram-sha-512", acls: ALICE_ENTRIES, adopt: true },
    });
    expect(first.report.next[0]).toContain(
      `pulumi config set --secret --path 'apphub-streaming:kafkaUserPasswords["alice"]' <current password> --stack adopted`,
    );
    const second = run(cluster(ALICE), text);
    expect(second.report.changed).toBe(false);
    expect(second.text).toBe(text);
    expect(second.report.users.map((user) => user.entry)).toEqual(["unchanged"]);
  });

  it("brings an existing entry's ACLs to the cluster's, keeps its other keys and adds no adopt", () => {
    const text = [
      "config:",
      "  apphub-streaming:environment: external",
      "  apphub-streaming:users:",
      "    alice:",
      "      # managed here since March",
      "      rotate: 2",
      "      acls:",
      "        - topic: orders",
      "          pattern: literal",
      "          operations: [read, describe, read]",
      "",
    ].join("\n");
    const result = run(cluster(ALICE), text);
    expect(result.report.users[0]).toMatchObject({ entry: "updated", adopt: false });
    expect(result.text).toContain("# managed here since March");
    expect(usersOf(result.text!)).toEqual({
      alice: { rotate: 2, mechanism: "scram-sha-512", acls: ALICE_ENTRIES },
    });
    expect(result.report.next.join("\n")).not.toContain("kafkaUserPasswords");

    const same = run(cluster(ALICE.slice(0, 2)), text);
    expect(same.report.users[0]?.entry).toBe("updated"); // only the mechanism
    expect(usersOf(same.text!).alice).toMatchObject({ acls: [{ topic: "orders" }] });
  });

  it("still asks for an earlier import's adopted user when this run reads no users, and writes a valid stack", () => {
    const first = run(cluster(ALICE)).text!;
    const again = run({ unavailable: "not read (--no-users)" }, first);
    expect(again.report.problems).toEqual([]);
    expect(again.report.changed).toBe(false);
    expect(again.report.usersNote).toBe("not read (--no-users)");
    expect(again.report.next[0]).toContain(`kafkaUserPasswords["alice"]`);
    expect(passwordsPending(valuesOf(first))).toEqual(["alice"]);
  });

  it("asks for no password the stack already holds as a secret", () => {
    const text = [
      "config:",
      "  apphub-streaming:kafkaUserPasswords:",
      "    alice:",
      "      secure: v1:abc",
      "",
    ].join("\n");
    const result = run(cluster(ALICE), text);
    expect(result.report.problems).toEqual([]);
    expect(result.report.users[0]?.passwordSet).toBe(true);
    expect(result.report.next.join("\n")).not.toContain("kafkaUserPasswords");
  });

  it("prints users, left-out bindings grouped by reason, and the password step", () => {
    const { report } = run(
      cluster([
        ...ALICE,
        binding("User:*", "topic", "a", "read"),
        binding("User:*", "topic", "b", "read"),
      ]),
    );
    const text = formatImport(report);
    expect(text).toContain("  + user alice: scram-sha-512, adopt");
    expect(text).toContain("      topic orders: describe, read");
    expect(text).toContain("      topic audit. (prefixed): write");
    expect(text).toMatch(/left out 2 ACL bindings, User:\* \(every user\)/);
    expect(text).toContain(
      `next: pulumi config set --secret --path 'apphub-streaming:kafkaUserPasswords["alice"]'`,
    );
    expect(report.leftOutAcls).toHaveLength(2);
  });
});

describe("an adopted user's password is bad input until it is set", () => {
  const raw = {
    environment: "external",
    kafka: { brokers: ["127.0.0.1:49092"], brokerCount: 1 },
    topics: seedTopicsOff(),
    users: { alice: { acls: [{ topic: "orders", operations: ["read"] }], adopt: true } },
  };

  it("names kafkaUserPasswords.<name> and gives the command, before anything is declared", () => {
    const result = parseStackConfig(raw, {}, { secretKeys: [], stack: "adopted" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        key: "apphub-streaming:kafkaUserPasswords.alice",
        message: expect.stringContaining(
          "users.alice.adopt is true (an existing user; the import cannot read its password), and without it pulumi up would write a generated password",
        ),
      },
    ]);
    expect(result.issues[0]?.message).toContain(
      `run pulumi config set --secret --path 'apphub-streaming:kafkaUserPasswords["alice"]' <current password> --stack adopted`,
    );
  });

  it("passes once the secret is set (offline: its placeholder), and without adopt nothing is asked", () => {
    const withSecret = parseStackConfig(
      { ...raw, kafkaUserPasswords: { alice: SECRET_PLACEHOLDER } },
      {},
      { secretKeys: ["kafkaUserPasswords"], stack: "adopted" },
    );
    expect(withSecret.ok).toBe(true);
    if (withSecret.ok)
      expect(withSecret.config.users[0]).toMatchObject({ name: "alice", adopt: true });
    const generated = parseStackConfig(
      { ...raw, users: { alice: { acls: raw.users.alice.acls } } },
      {},
      { secretKeys: [], stack: "adopted" },
    );
    expect(generated.ok).toBe(true);
    if (generated.ok) expect(generated.config.users[0]).not.toHaveProperty("adopt");
  });

  it("refuses an adopt that is not a boolean, naming the key", () => {
    const result = parseStackConfig(
      { ...raw, users: { alice: { adopt: "yes" } } },
      {},
      { secretKeys: [], stack: "adopted" },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues).toContainEqual({
        key: "apphub-streaming:users.alice.adopt",
        message: expect.stringContaining("expected true or false"),
      });
  });
});

describe("topics import --users / --no-users", () => {
  const usage = async (...flags: string[]) => {
    const result = await runCommand(topicsCommand, [
      "import",
      "--brokers",
      "127.0.0.1:1",
      ...flags,
    ]);
    expect(result.status).toBe(2);
    return result.stderr;
  };

  it("refuses both together, and a --users that is not a regex, before any broker is contacted", async () => {
    expect(await usage("--users", "^app$", "--no-users")).toContain(
      "--users and --no-users exclude each other",
    );
    expect(await usage("--users", "(")).toContain("--users: not a valid regular expression");
  });
});
