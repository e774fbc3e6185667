// Users and ACLs without a broker: the stack config's rules and defaults, the provider's pure
// decisions (check, diff, what a change grants or revokes), and the Redpanda Admin API client
// driven by the answers Redpanda's source documents (docs/security.md).
import { describe, expect, it } from "vitest";
import { formatIssues } from "../../src/config/schema";
import {
  redpandaUsers,
  type AdminApiRequest,
  type AdminApiResponse,
} from "../../src/users/adminApi";
import { grantsFromSpec, type KafkaUserInputs } from "../../src/users/model";
import { aclChangeReport, checkUser, diffUser } from "../../src/users/providerLogic";
import { configIssues, validConfig } from "../support/config";

const EXTERNAL = { environment: "external", kafka: { brokers: ["127.0.0.1:9092"] } };

describe("apphub-streaming:users in stack config", () => {
  it("resolves a user's defaults and its ACL entries to canonical grants", () => {
    const config = validConfig({
      ...EXTERNAL,
      users: {
        "flink-aggregator": {
          acls: [
            { topic: "apphub.streaming.input", operations: ["read", "describe", "read"] },
            { group: "flink-", pattern: "prefixed", operations: ["read"] },
            { cluster: true, operations: ["idempotentWrite"] },
          ],
        },
      },
    });
    expect(config.users).toEqual([
      {
        name: "flink-aggregator",
        mechanism: "SCRAM-SHA-256",
        rotate: 0,
        acls: [
          {
            resourceType: "topic",
            resourceName: "apphub.streaming.input",
            pattern: "literal",
            operations: ["describe", "read"],
          },
          {
            resourceType: "group",
            resourceName: "flink-",
            pattern: "prefixed",
            operations: ["read"],
          },
          {
            resourceType: "cluster",
            resourceName: "kafka-cluster",
            pattern: "literal",
            operations: ["idempotentWrite"],
          },
        ],
      },
    ]);
    expect(config.kafka.adminUrls).toBeUndefined();
  });

  it("refuses an unknown operation, an operation that means nothing there, and a bad user name, naming each key", () => {
    const report = formatIssues(
      configIssues({
        ...EXTERNAL,
        users: {
          app: {
            acls: [
              { topic: "orders", operations: ["produce"] },
              { group: "app-group", operations: ["write"] },
            ],
          },
          "bad name": { acls: [] },
        },
      }),
    );
    expect(report).toContain("apphub-streaming:users.app.acls.0.operations.0");
    expect(report).toContain('"produce"');
    expect(report).toContain("apphub-streaming:users.app.acls.1.operations.0");
    expect(report).toContain("write means nothing on a group");
    expect(report).toContain("bad name");
    expect(report).toContain("expected a user name of letters, digits and ._-");
  });

  it("refuses a user password with ':' without quoting it, and a password for an undeclared user", () => {
    const report = formatIssues(
      configIssues({
        ...EXTERNAL,
        users: { app: {} },
        kafkaUserPasswords: { app: "pass:word-Zq81", ghost: "whatever-Zq82" },
      }),
    );
    expect(report).toContain("apphub-streaming:kafkaUserPasswords.app");
    expect(report).toContain("expected a password without ':'");
    expect(report).toContain("apphub-streaming:kafkaUserPasswords.ghost");
    expect(report).not.toContain("pass:word-Zq81");
  });

  it("requires kafka.adminUrls on a Kubernetes stack with users: Redpanda writes them only there", () => {
    const report = formatIssues(
      configIssues({
        environment: "minikube",
        backup: { bucketName: "apphub-snapshots" },
        kafka: { brokers: ["10.0.0.1:31092"] },
        users: { app: {} },
      }),
    );
    expect(report).toContain("apphub-streaming:kafka.adminUrls");
    expect(report).toContain("port-forward");
  });
});

const CONNECTION = {
  brokers: ["127.0.0.1:49092"],
  clientId: "apphub-streaming-bootstrap",
  connectTimeoutMs: 5000,
  requestTimeoutMs: 30000,
  tls: { enabled: false, rejectUnauthorized: true },
  sasl: { mechanism: "scram-sha-512", username: "admin" },
};

function userInputs(overrides: Partial<KafkaUserInputs> = {}): KafkaUserInputs {
  return {
    name: "app",
    mechanism: "SCRAM-SHA-512",
    password: "Secret-Zq83",
    rotate: 0,
    acls: grantsFromSpec([
      { resourceType: "topic", resourceName: "orders", pattern: "literal", operations: ["write"] },
    ]),
    self: false,
    providerVersion: "1",
    connection: CONNECTION as KafkaUserInputs["connection"],
    saslPassword: "Admin-Zq84",
    adminUrls: [],
    ...overrides,
  };
}

const asRecord = (inputs: KafkaUserInputs) => inputs as unknown as Record<string, unknown>;

describe("the KafkaUser provider's decisions", () => {
  it("check refuses a password with ':' naming the property, never the password", () => {
    const failures = checkUser(asRecord(userInputs({ password: "a:Secret-Zq85" })));
    expect(failures).toEqual([{ property: "password", reason: expect.stringContaining("':'") }]);
    expect(JSON.stringify(failures)).not.toContain("Secret-Zq85");
  });

  it("diff: nothing when equal, an update for a rotation, a replacement for a new name", () => {
    const olds = asRecord(userInputs());
    expect(diffUser(olds, asRecord(userInputs()))).toEqual({ changes: false });
    expect(diffUser(olds, asRecord(userInputs({ rotate: 1 })))).toEqual({ changes: true });
    expect(diffUser(olds, asRecord(userInputs({ name: "app2" })))).toMatchObject({
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
  });

  it("reports what a change grants and what it revokes, hand-added bindings included", () => {
    const live = userInputs({
      acls: grantsFromSpec([
        {
          resourceType: "topic",
          resourceName: "orders",
          pattern: "literal",
          operations: ["write"],
        },
        {
          resourceType: "topic",
          resourceName: "payments",
          pattern: "literal",
          operations: ["read"],
        },
      ]),
    });
    const wanted = userInputs({
      acls: grantsFromSpec([
        {
          resourceType: "topic",
          resourceName: "orders",
          pattern: "literal",
          operations: ["write", "describe"],
        },
      ]),
    });
    expect(aclChangeReport(asRecord(live), asRecord(wanted))).toEqual([
      "User:app: grants topic orders (literal): describe",
      "User:app: revokes topic payments (literal): read",
    ]);
  });
});

describe("Redpanda's Admin API users client", () => {
  /** A transport answering from `answer`, recording every request. */
  function recording(answer: (url: string, request: AdminApiRequest) => AdminApiResponse) {
    const calls: { url: string; method: string; body?: string; authorization?: string }[] = [];
    const transport = async (url: string, request: AdminApiRequest) => {
      calls.push({
        url,
        method: request.method,
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      return answer(url, request);
    };
    return { calls, transport };
  }
  const ok = (body = "") => ({ status: 200, location: null, body });

  it("creates a missing user with POST and replaces an existing one's credential with PUT", async () => {
    const { calls, transport } = recording((_url, request) =>
      request.method === "GET" ? ok('["admin","app"]') : ok(),
    );
    const users = redpandaUsers(
      {
        urls: ["http://127.0.0.1:19644"],
        credentials: { username: "admin", password: "Admin-Zq86" },
        timeoutMs: 1000,
      },
      transport,
    );
    await users.upsert("app", "Secret-Zq87", "SCRAM-SHA-512");
    await users.upsert("new", "Secret-Zq88", "SCRAM-SHA-256");
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      "GET http://127.0.0.1:19644/v1/security/users",
      "PUT http://127.0.0.1:19644/v1/security/users/app",
      "GET http://127.0.0.1:19644/v1/security/users",
      "POST http://127.0.0.1:19644/v1/security/users",
    ]);
    expect(JSON.parse(calls[3]!.body!)).toEqual({
      username: "new",
      password: "Secret-Zq88",
      algorithm: "SCRAM-SHA-256",
    });
    expect(calls[1]!.authorization).toBe(
      `Basic ${Buffer.from("admin:Admin-Zq86").toString("base64")}`,
    );
  });

  it("follows the leader's 307 only within kafka.adminUrls, so the credential goes nowhere else", async () => {
    const { calls, transport } = recording((url) =>
      url.startsWith("http://10.0.0.1:9644")
        ? {
            status: 307,
            location: "http://10.9.9.9:9644/v1/security/users/app?redirect=1",
            body: "",
          }
        : ok(),
    );
    const users = redpandaUsers(
      { urls: ["http://10.0.0.1:9644", "http://10.0.0.2:9644"], timeoutMs: 1000 },
      transport,
    );
    await users.delete("app");
    expect(calls.map((call) => call.url)).toEqual([
      "http://10.0.0.1:9644/v1/security/users/app",
      "http://10.0.0.2:9644/v1/security/users/app",
    ]);
  });

  it("names a refused credential as such", async () => {
    const { transport } = recording(() => ({
      status: 401,
      location: null,
      body: '{"message":"Unauthorized","code":401}',
    }));
    const users = redpandaUsers({ urls: ["http://127.0.0.1:19644"], timeoutMs: 1000 }, transport);
    await expect(users.list()).rejects.toThrow(/refused the credential \(401 Unauthorized\)/);
  });
});
