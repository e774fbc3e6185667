/**
 * Clients of the ACL peer (Kafka with SCRAM and enforced ACLs, test/peers/kafka.ts) that check
 * what a user can do the way an application would: log in, produce, read ACLs, all through
 * kafkajs' public API, independent of the product's wire code. Only writing a SCRAM credential
 * (which kafkajs cannot) goes through the product's KIP-554 encoding.
 */
import {
  type SASLOptions,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  logLevel,
  ResourcePatternTypes,
} from "kafkajs";
import type { SaslMechanism } from "../../src/config/rules";
import { quietKafkajsClockWarning, withSession } from "../../src/topics/kafka";
import { alterScramCredentials, describeScramCredentials } from "../../src/users/wire";
import { ACL_BROKERS, ACL_SUPERUSER, ACL_SUPERUSER_PASSWORD } from "../peers/kafka";
import { type PeerClient, withKafkaAdmin } from "./kafkaAdmin";

export const ACL_ADMIN: PeerClient = {
  brokers: ACL_BROKERS,
  sasl: { mechanism: "scram-sha-512", username: ACL_SUPERUSER, password: ACL_SUPERUSER_PASSWORD },
};

/** The product's connection settings for the ACL peer as its superuser. */
export const ACL_ADMIN_CONNECTION = {
  brokers: ACL_BROKERS,
  clientId: "apphub-test-acl",
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  tls: { enabled: false, rejectUnauthorized: true },
  sasl: { mechanism: "scram-sha-512" as SaslMechanism, username: ACL_SUPERUSER },
};

export interface Login {
  username: string;
  password: string;
  mechanism: "scram-sha-256" | "scram-sha-512";
}

function client(login: Login) {
  quietKafkajsClockWarning();
  return new Kafka({
    clientId: "apphub-test-user",
    brokers: ACL_BROKERS,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 10_000,
    retry: { retries: 0 },
    // A fresh object each time: kafkajs caches its authenticator (bound to the password) on the
    // options object it is given, so a login spread from a used one would keep the old password.
    sasl: {
      mechanism: login.mechanism,
      username: login.username,
      password: login.password,
    } as SASLOptions,
  });
}

/** The kafkajs error type (e.g. TOPIC_AUTHORIZATION_FAILED), or the message, of a failure. */
function failureOf(error: unknown): string {
  const typed = error as { type?: string; name?: string; message?: string };
  if (typed.name === "KafkaJSSASLAuthenticationError") return "SASL_AUTHENTICATION_FAILED";
  if (typed.type) return typed.type;
  // kafkajs wraps the broker's error once its retries are exhausted.
  const inner =
    (error as { originalError?: unknown; cause?: unknown }).originalError ??
    (error as { cause?: unknown }).cause;
  return inner ? failureOf(inner) : (typed.message ?? String(error));
}

/** Produces one message as `login`: "ok", or why the broker said no. */
export async function produceAs(login: Login, topic: string): Promise<string> {
  const producer = client(login).producer({ allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "acl-check" }], acks: -1 });
    return "ok";
  } catch (error) {
    return failureOf(error);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** A fresh connection as `login` (sessions already open are not re-authenticated): "ok" or why not. */
export async function loginAs(login: Login): Promise<string> {
  const admin = client(login).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return "ok";
  } catch (error) {
    return failureOf(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Asks `probe` (a login or a produce) until it answers `expected` or `timeoutMs` passes, and
 * returns the answer last seen. A KRaft broker applies credential and ACL changes from the
 * metadata log after the controller has acknowledged them, so right after a write the broker
 * may briefly still answer as before.
 */
export async function settles(
  probe: () => Promise<string>,
  expected: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer === expected || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface PeerAcl {
  resourceType: string;
  resourceName: string;
  pattern: string;
  operation: string;
  permission: string;
}

/** A kafkajs enum's member name for `code` (its enums map names to numbers and back). */
const nameOf = (table: object, code: number) =>
  Object.entries(table).find(([, value]) => value === code)?.[0] ?? String(code);

/** Every ACL binding of `principal`, as kafkajs' admin client describes them. */
export async function aclsOf(principal: string): Promise<PeerAcl[]> {
  return withKafkaAdmin("apphub-test-acl", ACL_ADMIN, async (admin) => {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    return resources
      .flatMap((resource) =>
        resource.acls.map((acl) => ({
          resourceType: nameOf(AclResourceTypes, resource.resourceType),
          resourceName: resource.resourceName,
          pattern: nameOf(ResourcePatternTypes, resource.resourcePatternType),
          operation: nameOf(AclOperationTypes, acl.operation),
          permission: nameOf(AclPermissionTypes, acl.permissionType),
        })),
      )
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  });
}

/** Grants `operation` on a topic to `principal` by hand, as an operator with kafka-acls would. */
export async function grantByHand(
  principal: string,
  topic: string,
  operation: keyof typeof AclOperationTypes,
): Promise<void> {
  await withKafkaAdmin("apphub-test-acl", ACL_ADMIN, (admin) =>
    admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal,
          host: "*",
          operation: AclOperationTypes[operation],
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    }),
  );
}

/** Sets a user's SCRAM credential as the peer's superuser (kafkajs cannot: product KIP-554 encoding). */
export async function setScramCredential(
  username: string,
  mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512",
  password: string,
): Promise<void> {
  await withSession(ACL_ADMIN_CONNECTION, ACL_SUPERUSER_PASSWORD, (session) =>
    alterScramCredentials(session, {
      upsertions: [{ name: username, mechanism, password }],
      deletions: [],
    }),
  );
}

/** Removes test users' credentials and ACLs (the peer is shared: each test names its own users). */
export async function deleteTestUsers(names: readonly string[]): Promise<void> {
  await withSession(ACL_ADMIN_CONNECTION, ACL_SUPERUSER_PASSWORD, async (session) => {
    const live = await describeScramCredentials(session, names);
    await alterScramCredentials(session, {
      upsertions: [],
      deletions: [...live].flatMap(([name, credentials]) =>
        credentials.flatMap((credential) =>
          credential.mechanism.startsWith("SCRAM-")
            ? [{ name, mechanism: credential.mechanism as "SCRAM-SHA-256" | "SCRAM-SHA-512" }]
            : [],
        ),
      ),
    });
  });
  await withKafkaAdmin("apphub-test-acl", ACL_ADMIN, async (admin) => {
    for (const name of names)
      await admin.deleteAcls({
        filters: [
          {
            resourceType: AclResourceTypes.ANY,
            resourcePatternType: ResourcePatternTypes.ANY,
            principal: `User:${name}`,
            operation: AclOperationTypes.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        ],
      });
  });
}
