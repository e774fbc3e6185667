/**
 * What the `KafkaUser` provider does on the brokers, for one user: write or remove its SCRAM
 * credential, bring its ACLs to the declared set, and read both back for refresh.
 *
 * Where credentials are written is the broker's answer to ApiVersions: over the Kafka protocol
 * (KIP-554) when it serves AlterUserScramCredentials (Apache Kafka), else through Redpanda's
 * Admin API at `kafka.adminUrls` (Redpanda serves CreateAcls/DescribeAcls/DeleteAcls but not
 * KIP-554). ACLs always go over the Kafka protocol.
 *
 * The stack's own superuser (`self`) is the one user the connection authenticates as: a new
 * password is written authenticated with the previous one, so the rotation reaches the brokers
 * before anything else (the topic bootstrap) logs in with it.
 */
import type { ScramMechanism } from "../config/rules";
import { BrokerConnectError, type KafkaSession } from "../topics/kafka";
import { withSharedSession } from "../topics/sessions";
import {
  ADMIN_URLS_HINT,
  isAdminAuthFailure,
  redpandaUsers,
  type AdminTransport,
  type RedpandaUsers,
} from "./adminApi";
import {
  bindingsIn,
  bindingsMissing,
  bindingsOf,
  principalOf,
  WILDCARD_USER,
  type AclBinding,
  type AclGrant,
  type KafkaUserInputs,
} from "./model";
import {
  alterScramCredentials,
  createAcls,
  deleteAcls,
  describeAclsOf,
  describeScramCredentials,
  servesScramApis,
} from "./wire";

/** Where one user's SCRAM credential lives: the Kafka protocol (KIP-554) or Redpanda's Admin API. */
interface CredentialStore {
  /** The user's mechanisms, or undefined when it has no credential. */
  mechanisms(name: string): Promise<string[] | undefined>;
  /** Writes the credential; afterwards the user has exactly this mechanism. */
  write(name: string, mechanism: ScramMechanism, password: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** Test hook: the Admin API transport (Node's fetch unless replaced). */
let adminTransport: AdminTransport | undefined;
export function useAdminTransport(transport: AdminTransport | undefined): void {
  adminTransport = transport;
}

function kafkaStore(session: KafkaSession): CredentialStore {
  const mechanismsOf = async (name: string) =>
    (await describeScramCredentials(session, [name])).get(name)?.map((entry) => entry.mechanism);
  return {
    async mechanisms(name) {
      return mechanismsOf(name);
    },
    async write(name, mechanism, password) {
      const others = ((await mechanismsOf(name)) ?? []).filter(
        (other): other is ScramMechanism => other !== mechanism && !other.startsWith("mechanism:"),
      );
      await alterScramCredentials(session, {
        upsertions: [{ name, mechanism, password }],
        deletions: others.map((other) => ({ name, mechanism: other })),
      });
    },
    async remove(name) {
      const live = ((await mechanismsOf(name)) ?? []).filter(
        (mechanism): mechanism is ScramMechanism => !mechanism.startsWith("mechanism:"),
      );
      await alterScramCredentials(session, {
        upsertions: [],
        deletions: live.map((mechanism) => ({ name, mechanism })),
      });
    },
  };
}

function adminStore(users: RedpandaUsers): CredentialStore {
  return {
    // Redpanda keeps one credential per user and does not say which mechanism.
    mechanisms: async (name) => ((await users.list()).includes(name) ? [] : undefined),
    write: (name, mechanism, password) => users.upsert(name, password, mechanism),
    remove: (name) => users.delete(name),
  };
}

/** The Admin API as the connection's user (the superuser) with `password`; no credential without SASL. */
function adminUsers(inputs: KafkaUserInputs, password: string | undefined): RedpandaUsers {
  const sasl = inputs.connection.sasl;
  return redpandaUsers(
    {
      urls: inputs.adminUrls,
      timeoutMs: inputs.connection.requestTimeoutMs,
      ...(sasl && password !== undefined
        ? { credentials: { username: sasl.username, password } }
        : {}),
    },
    adminTransport,
  );
}

/** The store this broker allows, or undefined when it lacks KIP-554 and no Admin API is configured. */
function storeFor(
  session: KafkaSession,
  inputs: KafkaUserInputs,
  password: string | undefined,
): CredentialStore | undefined {
  if (servesScramApis(session)) return kafkaStore(session);
  if (inputs.adminUrls.length > 0) return adminStore(adminUsers(inputs, password));
  return undefined;
}

function requireStore(
  session: KafkaSession,
  inputs: KafkaUserInputs,
  password: string | undefined,
): CredentialStore {
  const store = storeFor(session, inputs, password);
  if (store) return store;
  throw new Error(
    `the brokers at ${session.brokers.join(",")} do not serve AlterUserScramCredentials (KIP-554), so the SCRAM ` +
      `credential of ${inputs.name} can only be written through Redpanda's Admin API, and none is configured: ${ADMIN_URLS_HINT}`,
  );
}

/** The password the connection authenticates with: the user's own for the superuser, else the connection's. */
export const connectionPassword = (inputs: KafkaUserInputs): string | undefined =>
  inputs.self ? inputs.password : inputs.saslPassword;

/** A credential write is due on create, and when the password, mechanism or rotate counter changed. */
export function credentialChanged(previous: KafkaUserInputs | undefined, inputs: KafkaUserInputs) {
  return (
    previous === undefined ||
    previous.password !== inputs.password ||
    previous.mechanism !== inputs.mechanism ||
    previous.rotate !== inputs.rotate
  );
}

/**
 * Brings the live ACLs of the principal to `grants`. A named user's principal is the stack's
 * own: every other binding of it is revoked, hand-added ones included. The wildcard principal
 * `User:*` is shared with whoever else grants to everyone, so only bindings the stack declared
 * before (`previous`) and no longer declares are revoked.
 */
async function syncAcls(
  session: KafkaSession,
  name: string,
  grants: readonly AclGrant[],
  previous: readonly AclGrant[] | null | undefined,
): Promise<void> {
  const principal = principalOf(name);
  const live = await describeAclsOf(session, principal);
  const wanted = bindingsOf(grants);
  const stale =
    name === WILDCARD_USER
      ? bindingsIn(bindingsMissing(bindingsOf(previous ?? []), wanted), live)
      : bindingsMissing(live, wanted);
  await createAcls(session, principal, bindingsMissing(wanted, live));
  await deleteAcls(session, principal, stale);
}

const isAuthFailure = (error: unknown) =>
  isAdminAuthFailure(error) || (error instanceof BrokerConnectError && error.credentialsRefused);

/**
 * The superuser's credential: already live when the new password logs in (first create on a
 * cluster founded with it, or a retried rotation); else written authenticated with the
 * previous password, over the Kafka protocol or the Admin API; else, with an Admin API that
 * does not require auth (SASL being turned on for an existing cluster), written there.
 */
async function applySelf(inputs: KafkaUserInputs, previous: KafkaUserInputs | undefined) {
  const { name, mechanism, password } = inputs;
  if (!mechanism || password === undefined) return;
  const attempts: string[] = [];
  try {
    await withSharedSession(inputs.connection, password, async () => undefined);
    return;
  } catch (error) {
    if (!isAuthFailure(error)) throw error;
    attempts.push(`the new password: ${(error as Error).message}`);
  }
  const old = previous?.password;
  if (old !== undefined && old !== password) {
    try {
      await withSharedSession(inputs.connection, old, async (session) =>
        requireStore(session, inputs, old).write(name, mechanism, password),
      );
      return;
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
      attempts.push(`the previous password: ${(error as Error).message}`);
    }
  }
  if (inputs.adminUrls.length > 0) {
    await adminUsers(inputs, password).upsert(name, password, mechanism);
    return;
  }
  throw new Error(
    `cannot log in as ${name} with ${attempts.join("; nor with ")}. To set this user's password on the running ` +
      `cluster, pulumi up needs its previous password (the last applied kafkaSaslPassword) or an Admin API: ${ADMIN_URLS_HINT}`,
  );
}

/** Create (`previous` undefined) or update: the credential when due, then the ACLs. */
export async function applyUser(
  inputs: KafkaUserInputs,
  previous: KafkaUserInputs | undefined,
): Promise<void> {
  if (inputs.self) {
    if (credentialChanged(previous, inputs)) await applySelf(inputs, previous);
    return;
  }
  await withSharedSession(inputs.connection, inputs.saslPassword, async (session) => {
    const { mechanism, password } = inputs;
    if (mechanism && password !== undefined && credentialChanged(previous, inputs))
      await requireStore(session, inputs, inputs.saslPassword).write(
        inputs.name,
        mechanism,
        password,
      );
    if (inputs.acls !== null) await syncAcls(session, inputs.name, inputs.acls, previous?.acls);
  });
}

/** What refresh finds: no credential any more, or the live mechanism (when knowable) and ACLs. */
export type LiveUser =
  { gone: true } | { gone: false; mechanism?: ScramMechanism; bindings?: AclBinding[] };

export async function readUser(inputs: KafkaUserInputs): Promise<LiveUser> {
  return withSharedSession(inputs.connection, connectionPassword(inputs), async (session) => {
    let mechanism: ScramMechanism | undefined = inputs.mechanism;
    // The superuser logged in with its password just now: its credential is live.
    if (inputs.mechanism && !inputs.self) {
      const store = storeFor(session, inputs, inputs.saslPassword);
      const live = store ? await store.mechanisms(inputs.name) : [];
      if (live === undefined) return { gone: true };
      if (live.length > 0 && !live.includes(inputs.mechanism))
        mechanism = live.find((entry): entry is ScramMechanism => !entry.startsWith("mechanism:"));
    }
    if (inputs.acls === null) return { gone: false, ...(mechanism ? { mechanism } : {}) };
    const live = await describeAclsOf(session, principalOf(inputs.name));
    // Of the shared wildcard principal, only the bindings the stack declared are its own.
    const bindings =
      inputs.name === WILDCARD_USER ? bindingsIn(live, bindingsOf(inputs.acls)) : live;
    return { gone: false, ...(mechanism ? { mechanism } : {}), bindings };
  });
}

/** Removes the credential and the ACLs the stack owns; the superuser's credential is never removed. */
export async function deleteUser(inputs: KafkaUserInputs): Promise<void> {
  if (inputs.self) return;
  await withSharedSession(inputs.connection, inputs.saslPassword, async (session) => {
    if (inputs.mechanism)
      await requireStore(session, inputs, inputs.saslPassword).remove(inputs.name);
    if (inputs.acls === null) return;
    const principal = principalOf(inputs.name);
    await deleteAcls(
      session,
      principal,
      inputs.name === WILDCARD_USER ? bindingsOf(inputs.acls) : "all",
    );
  });
}
