/**
 * `topics import` for users and ACLs, the pure part: the cluster's ACL bindings (DescribeAcls,
 * every principal) and, where the brokers serve KIP-554, their SCRAM credential list → the
 * `apphub-streaming:users` entries that adopt them, merged into the stack file the topic import
 * writes. No I/O here: the CLI reads the cluster (`src/cli/topics.ts`).
 *
 * What is written, and why (docs/topics.md, "Users and ACLs"):
 * - One entry per `User:<name>` principal that has ACL bindings, all of them expressible in the
 *   `users` key: each resource and pattern becomes one ACL entry with its sorted operations.
 * - `mechanism`, when the credential list names it; else the entry has none (the schema default)
 *   and the report says so.
 * - `adopt: true` on a new entry: the user exists and its clients use a password nobody can read
 *   back, so the stack refuses it until `kafkaUserPasswords.<name>` holds that password
 *   (otherwise `pulumi up` would write a generated one and lock the clients out).
 *
 * A binding the key cannot express (a deny, a host other than `*`, a principal that is not a
 * SCRAM user, a code this program has no name for) is left out with its reason. Because the
 * stack owns every binding of a user it declares (`pulumi up` revokes the others), a user with
 * any such binding is not imported at all: adopting it would silently drop a deny or a host
 * rule. Its other bindings are listed as left out too, saying so.
 */
import { SECRET_PLACEHOLDER } from "../config/load";
import { adoptedPasswordCommand, CONFIG_NAMESPACE } from "../config/schema";
import {
  ACL_CLUSTER_NAME,
  ACL_PATTERNS,
  ACL_RESOURCE_TYPES,
  aclOperationProblem,
  aclResourceNameProblem,
  clientMechanism,
  SCRAM_CLIENT_MECHANISMS,
  SCRAM_MECHANISMS,
  SCRAM_USERNAME_PATTERN,
  type AclOperation,
  type AclPattern,
  type AclResourceType,
  type ScramClientMechanism,
  type ScramMechanism,
} from "../config/rules";
import { isRecord } from "../config/values";
import { deepEqual } from "../ops/fieldDiff";
import type { YamlSet } from "../ops/yamlEdit";
import {
  grantsOf,
  isKnownResourceType,
  principalOf,
  WILDCARD_USER,
  type AclBinding,
} from "./model";

/** One ACL binding as DescribeAcls lists it, with its principal. */
export interface PrincipalBinding extends AclBinding {
  principal: string;
}

/** What the cluster answered about ACLs and SCRAM credentials. */
export type ClusterUsers =
  | {
      acls: readonly PrincipalBinding[];
      /**
       * Each SCRAM user's credential mechanisms (KIP-554); undefined when the brokers do not
       * serve the API (Redpanda) or refused it, with `credentialsUnknown` saying why.
       */
      credentials: ReadonlyMap<string, readonly string[]> | undefined;
      credentialsUnknown?: string;
    }
  /** The brokers did not list ACLs (authorization off, or the user may not describe them). */
  | { unavailable: string };

/** A binding the import did not write, and why. */
export interface LeftOutAcl {
  principal: string;
  resourceType: string;
  resourceName: string;
  pattern: string;
  permission: string;
  host: string;
  operation: string;
  reason: string;
}

/** One ACL entry as the stack file spells it (`users.<name>.acls[]`). */
export type StackAclEntry = (
  { topic: string } | { group: string } | { transactionalId: string } | { cluster: true }
) & { pattern?: "prefixed"; operations: AclOperation[] };

/** A user as the stack now says it, and what the import did to its entry. */
export interface ImportedUserReport {
  name: string;
  entry: "added" | "updated" | "unchanged";
  mechanism: ScramClientMechanism;
  /** cluster: the credential list named it; stack: the entry already said it; default: the schema's. */
  mechanismFrom: "cluster" | "stack" | "default";
  acls: StackAclEntry[];
  /** Whether the entry says `adopt: true` (its password must be set before `pulumi up`). */
  adopt: boolean;
  /** Whether the stack already holds `kafkaUserPasswords.<name>`. */
  passwordSet: boolean;
}

export interface UsersImport {
  sets: YamlSet[];
  users: ImportedUserReport[];
  leftOutAcls: LeftOutAcl[];
  /** Why no user was read, or a caveat for all of them (the mechanism is unknown); else null. */
  note: string | null;
}

export interface UsersImportOptions {
  /** The stack file's values (secrets as placeholders). */
  raw: Record<string, unknown>;
  /** The user the import connects as (its password is `kafkaSaslPassword`, never a `users` entry). */
  connectionUser?: string | undefined;
  /** Only principals whose name matches (`--users`). */
  filter?: RegExp | undefined;
}

const NS = CONFIG_NAMESPACE;
const usersPath = (...rest: string[]) => ["config", `${NS}:users`, ...rest];
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const USER_PRINCIPAL_PREFIX = principalOf("");

/** `User:alice` → `alice`; undefined for another principal type. */
export const userNameOf = (principal: string): string | undefined =>
  principal.startsWith(USER_PRINCIPAL_PREFIX)
    ? principal.slice(USER_PRINCIPAL_PREFIX.length)
    : undefined;

/** Why one binding cannot be a `users` ACL entry, or undefined. */
export function bindingProblem(binding: AclBinding): string | undefined {
  if (binding.permission !== "allow")
    return `a ${binding.permission} binding: the users key grants (allow) only`;
  if (binding.host !== "*")
    return `host ${binding.host}: the users key grants from every host (*) only`;
  if (!isKnownResourceType(binding.resourceType))
    return `resource type ${binding.resourceType}: not one the users key names (topic, group, transactionalId, cluster)`;
  if (!(ACL_PATTERNS as readonly string[]).includes(binding.pattern))
    return `pattern ${binding.pattern}: not literal or prefixed`;
  const pattern = binding.pattern as AclPattern;
  if (binding.resourceType === "cluster" && pattern !== "literal")
    return "a prefixed cluster binding: there is one cluster";
  const nameProblem = aclResourceNameProblem(binding.resourceType, binding.resourceName, pattern);
  if (nameProblem) return `resource name: ${nameProblem}`;
  return aclOperationProblem(binding.resourceType, binding.operation);
}

/** Why a principal's bindings cannot be a `users` entry at all, or undefined. */
function principalProblem(
  principal: string,
  cluster: Extract<ClusterUsers, { acls: unknown }>,
  connectionUser: string | undefined,
): string | undefined {
  const name = userNameOf(principal);
  if (name === undefined)
    return `principal ${principal}: the users key holds SCRAM users (User:<name>) only`;
  if (name === WILDCARD_USER)
    return "User:* (every user): the users key has no entry for the wildcard principal";
  if (!SCRAM_USERNAME_PATTERN.test(name))
    return `user name ${JSON.stringify(name)}: a SCRAM user name is letters, digits and ._-`;
  if (name === connectionUser)
    return `the import's own user (kafka.sasl.username): its password is ${NS}:kafkaSaslPassword, never a users entry`;
  if (cluster.credentials && !cluster.credentials.has(name))
    return "no SCRAM credential on the cluster (not a SCRAM user: adopting it would create one)";
  return undefined;
}

/** Bindings → the stack's ACL entries: one per resource and pattern, operations sorted. */
export function aclEntriesOf(bindings: readonly AclBinding[]): StackAclEntry[] {
  return grantsOf(bindings).map((grant) => {
    const resource =
      grant.resourceType === "cluster"
        ? { cluster: true as const }
        : { [grant.resourceType as Exclude<AclResourceType, "cluster">]: grant.resourceName };
    return {
      ...resource,
      ...(grant.pattern === "prefixed" ? { pattern: "prefixed" as const } : {}),
      operations: grant.operations as AclOperation[],
    } as StackAclEntry;
  });
}

/**
 * A stack file's `acls` list as a comparable set of bindings (resource, pattern, operation),
 * or undefined when it does not read as one (then the import rewrites it).
 */
function stackBindingKeys(acls: unknown): Set<string> | undefined {
  if (acls === undefined) return new Set();
  if (!Array.isArray(acls)) return undefined;
  const keys = new Set<string>();
  for (const entry of acls) {
    if (!isRecord(entry) || !Array.isArray(entry.operations)) return undefined;
    const types = ACL_RESOURCE_TYPES.filter((type) => entry[type] !== undefined);
    if (types.length !== 1) return undefined;
    const type = types[0]!;
    const name = type === "cluster" ? ACL_CLUSTER_NAME : String(entry[type]);
    const pattern = entry.pattern ?? "literal";
    for (const operation of entry.operations)
      keys.add(JSON.stringify([type, name, pattern, operation]));
  }
  return keys;
}

const bindingKeys = (bindings: readonly AclBinding[]) =>
  new Set(
    bindings.map((binding) =>
      JSON.stringify([
        binding.resourceType,
        binding.resourceName,
        binding.pattern,
        binding.operation,
      ]),
    ),
  );

/** The user's mechanism: the stack's when the cluster has it too, else the cluster's first. */
function mechanismOf(
  credentials: readonly string[] | undefined,
  current: unknown,
): { mechanism: ScramClientMechanism; from: ImportedUserReport["mechanismFrom"] } {
  const known = (credentials ?? [])
    .filter((mechanism): mechanism is ScramMechanism =>
      (SCRAM_MECHANISMS as readonly string[]).includes(mechanism),
    )
    .map(clientMechanism)
    .sort(compare);
  const stack = (SCRAM_CLIENT_MECHANISMS as readonly unknown[]).includes(current)
    ? (current as ScramClientMechanism)
    : undefined;
  if (stack !== undefined && (known.length === 0 || known.includes(stack)))
    return { mechanism: stack, from: known.length === 0 ? "stack" : "cluster" };
  if (known.length > 0) return { mechanism: known[0]!, from: "cluster" };
  return { mechanism: SCRAM_CLIENT_MECHANISMS[0], from: "default" };
}

/** Every principal's bindings, principals in name order. */
function byPrincipal(acls: readonly PrincipalBinding[]): Map<string, AclBinding[]> {
  const groups = new Map<string, AclBinding[]>();
  for (const { principal, ...binding } of [...acls].sort((a, b) =>
    compare(a.principal, b.principal),
  ))
    groups.set(principal, [...(groups.get(principal) ?? []), binding]);
  return groups;
}

/** The sets that make the stack's `users` adopt what the cluster has, and the report of it. */
export function importUsers(cluster: ClusterUsers, options: UsersImportOptions): UsersImport {
  if ("unavailable" in cluster)
    return {
      sets: [],
      users: [],
      leftOutAcls: [],
      note: cluster.unavailable,
    };
  const existingUsers = isRecord(options.raw.users) ? options.raw.users : {};
  const passwords = isRecord(options.raw.kafkaUserPasswords) ? options.raw.kafkaUserPasswords : {};
  const result: UsersImport = {
    sets: [],
    users: [],
    leftOutAcls: [],
    note: cluster.credentials
      ? null
      : `the brokers did not list SCRAM credentials (${cluster.credentialsUnknown ?? "no KIP-554"}): a user's mechanism is the stack's, else the default ${SCRAM_CLIENT_MECHANISMS[0]}; set users.<name>.mechanism where it differs`,
  };
  for (const [principal, bindings] of byPrincipal(cluster.acls)) {
    const name = userNameOf(principal) ?? principal;
    if (options.filter && !options.filter.test(name)) continue;
    const leave = (binding: AclBinding, reason: string) =>
      result.leftOutAcls.push({ principal, ...binding, reason });
    const whole = principalProblem(principal, cluster, options.connectionUser);
    if (whole !== undefined) {
      for (const binding of bindings) leave(binding, whole);
      continue;
    }
    const problems = bindings.map(bindingProblem);
    if (problems.some((problem) => problem !== undefined)) {
      bindings.forEach((binding, index) =>
        leave(
          binding,
          problems[index] ??
            `${principal} is not imported: it also has bindings the users key cannot express, which pulumi up would revoke (the stack owns every binding of its users)`,
        ),
      );
      continue;
    }
    const user = mergeUser(name, bindings, existingUsers[name], cluster.credentials?.get(name));
    result.sets.push(...user.sets);
    result.users.push({ ...user.report, passwordSet: passwords[name] !== undefined });
  }
  return result;
}

/** One user's entry: new (with adopt), or the existing one brought to the cluster's ACLs and mechanism. */
function mergeUser(
  name: string,
  bindings: readonly AclBinding[],
  current: unknown,
  credentials: readonly string[] | undefined,
): { sets: YamlSet[]; report: Omit<ImportedUserReport, "passwordSet"> } {
  const acls = aclEntriesOf(bindings);
  const entry = isRecord(current) ? current : undefined;
  const { mechanism, from } = mechanismOf(credentials, entry?.mechanism);
  const writeMechanism = from === "cluster";
  if (entry === undefined) {
    const value = { ...(writeMechanism ? { mechanism } : {}), acls, adopt: true };
    return {
      sets: [{ path: usersPath(name), value }],
      report: { name, entry: "added", mechanism, mechanismFrom: from, acls, adopt: true },
    };
  }
  const sets: YamlSet[] = [];
  if (writeMechanism && entry.mechanism !== mechanism)
    sets.push({ path: usersPath(name, "mechanism"), value: mechanism });
  const stackKeys = stackBindingKeys(entry.acls);
  if (
    stackKeys === undefined ||
    !deepEqual([...stackKeys].sort(), [...bindingKeys(bindings)].sort())
  )
    sets.push({ path: usersPath(name, "acls"), value: acls });
  return {
    sets,
    report: {
      name,
      entry: sets.length > 0 ? "updated" : "unchanged",
      mechanism,
      mechanismFrom: from,
      acls,
      adopt: entry.adopt === true,
    },
  };
}

/** An ACL entry as one line: `topic orders (prefixed): read, write`. */
export function describeAclEntry(entry: StackAclEntry): string {
  const [type, name] =
    "cluster" in entry
      ? ["cluster", ACL_CLUSTER_NAME]
      : (Object.entries(entry).find(([key]) => key !== "pattern" && key !== "operations") as [
          string,
          string,
        ]);
  return `${type} ${name}${entry.pattern ? ` (${entry.pattern})` : ""}: ${entry.operations.join(", ")}`;
}

/** The users part of the text report. */
export function formatUsersImport(
  users: readonly ImportedUserReport[],
  leftOut: readonly LeftOutAcl[],
  note: string | null,
): string[] {
  const lines: string[] = [];
  if (note !== null) lines.push(`users: ${note}`);
  for (const user of users) {
    const mark = user.entry === "added" ? "+" : user.entry === "updated" ? "~" : "=";
    const mechanism =
      user.mechanismFrom === "default" ? `${user.mechanism} (the default)` : user.mechanism;
    lines.push(`  ${mark} user ${user.name}: ${mechanism}${user.adopt ? ", adopt" : ""}`);
    for (const entry of user.acls) lines.push(`      ${describeAclEntry(entry)}`);
  }
  const groups = new Map<string, LeftOutAcl[]>();
  for (const binding of leftOut)
    groups.set(binding.reason, [...(groups.get(binding.reason) ?? []), binding]);
  for (const [reason, bindings] of groups) {
    lines.push(
      `  left out ${bindings.length} ACL binding${bindings.length === 1 ? "" : "s"}, ${reason}:`,
    );
    for (const binding of bindings.slice(0, 5))
      lines.push(
        `      ${binding.principal} ${binding.permission} ${binding.operation} on ${binding.resourceType} ${binding.resourceName} (${binding.pattern}, host ${binding.host})`,
      );
    if (bindings.length > 5) lines.push(`      ... and ${bindings.length - 5} more`);
  }
  return lines;
}

/**
 * The stack's adopted users (`adopt: true`, this import's or an earlier one's) whose password it
 * does not hold yet: the next steps, and the secrets the import's validation takes as set.
 */
export function passwordsPending(raw: Record<string, unknown>): string[] {
  const users = isRecord(raw.users) ? raw.users : {};
  const passwords = isRecord(raw.kafkaUserPasswords) ? raw.kafkaUserPasswords : {};
  return Object.keys(users)
    .filter((name) => {
      const user = users[name];
      return isRecord(user) && user.adopt === true && passwords[name] === undefined;
    })
    .sort(compare);
}

/**
 * Stack values with each pending adopted password standing in as a set secret: the import's
 * own validation (the passwords are its next steps, which it cannot take for the user).
 */
export function withPendingPasswords(
  values: { raw: Record<string, unknown>; secretKeys: readonly string[] },
  pending: readonly string[] = passwordsPending(values.raw),
): { raw: Record<string, unknown>; secretKeys: readonly string[] } {
  if (pending.length === 0) return values;
  const given = isRecord(values.raw.kafkaUserPasswords) ? values.raw.kafkaUserPasswords : {};
  return {
    raw: {
      ...values.raw,
      kafkaUserPasswords: {
        ...given,
        ...Object.fromEntries(pending.map((name) => [name, SECRET_PLACEHOLDER])),
      },
    },
    secretKeys: [...values.secretKeys, "kafkaUserPasswords"],
  };
}

/** What to run before `pulumi up`: each adopted user's current password, as a secret. */
export function usersNextSteps(pending: readonly string[], stack: string): string[] {
  return pending.map(
    (name) =>
      `${adoptedPasswordCommand(name, stack)} (user ${name} is adopted: the import cannot read its password, and without it pulumi up would write a generated one)`,
  );
}
