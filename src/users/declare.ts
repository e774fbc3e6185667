/**
 * Builders of the KafkaUsers component (`components/KafkaUsers.ts`): the checks run before
 * anything is declared, the superuser's own resource, one `KafkaUser` (and, without a
 * configured password, one `GeneratedPassword`) per user, a Kubernetes Secret per user, and
 * the secret map of credentials the stack exports.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { brokerMechanism, type ScramMechanism, WILDCARD_USER } from "../config/rules";
import type { AclSpec, KafkaClientConfig, KafkaUserSpec } from "../config/schema";
import type { Scope } from "../declare";
import type { ProgramConnection } from "../topics/resource";
import { UNKNOWN_VALUE } from "../topics/validate";
import {
  grantsFromSpec,
  USER_PROVIDER_VERSION,
  USER_SECRET_PREFIX,
  type KafkaUserInputs,
} from "./model";
import { checkUser } from "./providerLogic";
import { GeneratedPassword, KafkaUser } from "./resource";

/** Length of a generated password (URL-safe base64: 192 bits). */
export const GENERATED_PASSWORD_LENGTH = 32;

/** What every user resource of one component shares. */
export interface UserSettings {
  connection: ProgramConnection;
  /** The connection user's password (the superuser's), a Pulumi secret. */
  saslPassword?: pulumi.Input<string>;
  adminUrls: string[];
  /** Resources that must be ready before any user is written (brokers, the superuser's rotation). */
  ready: pulumi.Input<pulumi.Resource>[];
}

export interface DeclaredUser {
  name: string;
  mechanism: ScramMechanism;
  password: pulumi.Output<string>;
  resource: KafkaUser;
}

/** A value the program does not hold yet (an output) as the provider's check would see it during preview. */
const known = (value: unknown) =>
  pulumi.Output.isInstance(value) || value instanceof Promise ? UNKNOWN_VALUE : value;

/**
 * Every problem with the users before anything is declared: each user's provider check (name,
 * mechanism, ACLs, configured password) and the stack-level rules the schema also holds (so a
 * component built in another program is held to them too).
 */
export function usersProblems(
  users: readonly KafkaUserSpec[],
  passwords: Readonly<Record<string, pulumi.Input<string>>>,
  settings: { kafka: KafkaClientConfig; connection: ProgramConnection; adminUrls: string[] },
): string[] {
  const problems: string[] = [];
  const names = new Set(users.map((user) => user.name));
  if (names.size !== users.length) problems.push("a user is declared twice");
  for (const name of Object.keys(passwords))
    if (!names.has(name)) problems.push(`passwords.${name}: no such user`);
  const superuser = settings.kafka.sasl?.username;
  for (const user of users) {
    if (user.name === superuser)
      problems.push(
        `${user.name}: is the connection's own user (kafka.sasl.username): its password is the superuser's`,
      );
    const inputs = userInputs(user, known(passwords[user.name]) ?? UNKNOWN_VALUE, settings);
    for (const failure of checkUser({
      ...inputs,
      connection: UNKNOWN_VALUE,
    } as unknown as Record<string, unknown>))
      problems.push(`${user.name}: ${failure.property}: ${failure.reason}`);
  }
  return problems;
}

function userInputs(
  user: KafkaUserSpec,
  password: unknown,
  settings: { connection: ProgramConnection; adminUrls: string[] },
): Omit<KafkaUserInputs, "connection" | "password"> & { password: unknown } {
  return {
    name: user.name,
    mechanism: user.mechanism,
    password,
    rotate: user.rotate,
    acls: grantsFromSpec(user.acls),
    self: false,
    providerVersion: USER_PROVIDER_VERSION,
    adminUrls: settings.adminUrls,
  };
}

/**
 * The connection's own user as a managed credential: a changed password is written to the
 * cluster authenticated with the previous one, before anything that `ready` gates logs in with
 * it. Its ACLs are not managed (a superuser needs none) and its credential is never deleted.
 */
export function declareSuperuser(
  { parent }: Scope,
  sasl: { username: string; mechanism: string },
  password: pulumi.Input<string>,
  settings: Omit<UserSettings, "saslPassword">,
): KafkaUser {
  return new KafkaUser(
    sasl.username,
    {
      name: sasl.username,
      mechanism: brokerMechanism(sasl.mechanism as Parameters<typeof brokerMechanism>[0]),
      password: pulumi.secret(password),
      rotate: 0,
      acls: null,
      self: true,
      providerVersion: USER_PROVIDER_VERSION,
      connection: settings.connection,
      adminUrls: settings.adminUrls,
    },
    {
      parent,
      dependsOn: settings.ready,
      additionalSecretOutputs: ["password"],
      // The cluster keeps its superuser when the stack stops managing it.
      retainOnDelete: true,
    },
  );
}

/** One `KafkaUser` per user, its password configured or generated (replaced when `rotate` rises). */
export function declareUsers(
  { parent }: Scope,
  users: readonly KafkaUserSpec[],
  passwords: Readonly<Record<string, pulumi.Input<string>>>,
  settings: UserSettings,
): DeclaredUser[] {
  return users.map((user) => {
    const configured = passwords[user.name];
    const password = pulumi.secret(
      configured ??
        new GeneratedPassword(
          user.name,
          {
            length: GENERATED_PASSWORD_LENGTH,
            rotate: user.rotate,
            providerVersion: USER_PROVIDER_VERSION,
          },
          { parent, additionalSecretOutputs: ["result"] },
        ).result,
    );
    const resource = new KafkaUser(
      user.name,
      {
        ...userInputs(user, undefined, settings),
        password,
        connection: settings.connection,
        ...(settings.saslPassword !== undefined
          ? { saslPassword: pulumi.secret(settings.saslPassword) }
          : {}),
      },
      {
        parent,
        dependsOn: settings.ready,
        additionalSecretOutputs: ["password", "saslPassword"],
      },
    );
    return { name: user.name, mechanism: user.mechanism, password, resource };
  });
}

/**
 * Grants to the wildcard principal `User:*`: every authenticated user and, on Redpanda, the
 * anonymous clients of a listener without SASL (whose principal has an empty name, which only
 * `User:*` can match). Only the bindings declared here are the stack's; others are left alone.
 */
export function declareWildcardGrants(
  { parent }: Scope,
  acls: readonly AclSpec[],
  settings: UserSettings,
): KafkaUser {
  return new KafkaUser(
    "wildcard-principal",
    {
      name: WILDCARD_USER,
      rotate: 0,
      acls: grantsFromSpec(acls),
      self: false,
      providerVersion: USER_PROVIDER_VERSION,
      connection: settings.connection,
      ...(settings.saslPassword !== undefined
        ? { saslPassword: pulumi.secret(settings.saslPassword) }
        : {}),
      adminUrls: settings.adminUrls,
    },
    { parent, dependsOn: settings.ready, additionalSecretOutputs: ["saslPassword"] },
  );
}

/** A Secret `apphub-kafka-user-<name>` per user in `namespace`, for pods to mount or read by env. */
export function declareUserSecrets(
  { parent }: Scope,
  namespace: string,
  users: readonly DeclaredUser[],
): k8s.core.v1.Secret[] {
  return users.map(
    (user) =>
      new k8s.core.v1.Secret(
        `${USER_SECRET_PREFIX}${user.name}`,
        {
          metadata: {
            name: `${USER_SECRET_PREFIX}${user.name}`,
            namespace,
            labels: {
              "app.kubernetes.io/part-of": "apphub",
              "app.kubernetes.io/component": "kafka-user",
            },
          },
          type: "Opaque",
          stringData: { username: user.name, password: user.password, mechanism: user.mechanism },
        },
        // Written once the credential is live on the brokers.
        { parent, dependsOn: [user.resource] },
      ),
  );
}

/** `{ <name>: { mechanism, password } }` for every user, one Pulumi secret. */
export function credentialsOf(
  users: readonly DeclaredUser[],
): pulumi.Output<Record<string, { mechanism: ScramMechanism; password: string }>> {
  return pulumi.secret(
    pulumi
      .all(
        users.map((user) =>
          pulumi
            .all([user.password, user.resource.urn])
            .apply(([password]) => [user.name, { mechanism: user.mechanism, password }] as const),
        ),
      )
      .apply((entries) => Object.fromEntries(entries)),
  );
}
