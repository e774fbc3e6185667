/**
 * The vocabulary of Kafka users and their ACLs, shared by the stack config's rules, the
 * `KafkaUser` dynamic provider and the `KafkaUsers` component: principals, ACL grants as the
 * provider stores them, the Kafka protocol's codes for them, and the provider's input shape.
 *
 * Plain data and pure functions only: the provider runtime loads this module in the bare
 * provider process (SPEC, "Pulumi facts").
 */
import {
  ACL_RESOURCE_TYPES,
  WILDCARD_USER,
  type AclOperation,
  type AclPattern,
  type AclResourceType,
  type ScramMechanism,
} from "../config/rules";
import { canonicalJson, type ConnectionSettings } from "../topics/model";

export { WILDCARD_USER };

/**
 * Version of what a user's state holds (shim, ABI, input shape): an input of every user
 * resource, so a new version shows as an update and the engine stores the new shim.
 */
export const USER_PROVIDER_VERSION = "1";
/** The interface between the stored shims and `providerRuntime.ts` (see topics' `PROVIDER_ABI`). */
export const USER_PROVIDER_ABI = 1;

/** Each user's Kubernetes Secret is this prefix plus the user name. */
export const USER_SECRET_PREFIX = "apphub-kafka-user-";

/** `User:<name>`: the ACL principal of a SCRAM user (`User:*` for every user). */
export const principalOf = (name: string): string => `User:${name}`;

/**
 * One ACL binding group as the provider stores it: a resource, how its name matches, and the
 * operations granted (or denied) to the user from `host`. Stack config grants are always
 * `allow` from `*`; refresh may find others added by hand, and records them as they are.
 * Operations the provider has no name for are kept as `op:<code>` so they can be revoked.
 */
export interface AclGrant {
  resourceType: AclResourceType | `type:${number}`;
  resourceName: string;
  pattern: AclPattern | `pattern:${number}`;
  permission: "allow" | "deny" | `permission:${number}`;
  host: string;
  operations: (AclOperation | `op:${number}`)[];
}

/** One binding on the wire: a grant with a single operation. */
export interface AclBinding extends Omit<AclGrant, "operations"> {
  operation: AclGrant["operations"][number];
}

/**
 * Inputs of one `pulumi-nodejs:dynamic/streaming:KafkaUser` resource, and (echoed) its outputs.
 * `password` and `saslPassword` are Pulumi secrets (`additionalSecretOutputs`).
 */
export interface KafkaUserInputs {
  /** The SCRAM user name; `*` for the wildcard principal, which has ACLs but no credential. */
  name: string;
  /** SCRAM mechanism of the credential; absent for the wildcard principal. */
  mechanism?: ScramMechanism;
  password?: string;
  /** Raised to rewrite the credential (a generated password changes with it). */
  rotate: number;
  /** The grants the stack owns for this principal; null: ACLs are not managed (the superuser). */
  acls: AclGrant[] | null;
  /**
   * The connection authenticates as this user (the stack's superuser): a changed password is
   * written authenticated with the previous one, and the credential is never deleted.
   */
  self: boolean;
  providerVersion: string;
  connection: ConnectionSettings;
  /** The connection's SASL password, when the connection has SASL and is not this user's own. */
  saslPassword?: string;
  /** Redpanda Admin API URLs as `pulumi up` reaches them (`kafka.adminUrls`); `[]`: none. */
  adminUrls: string[];
}

// --- the Kafka protocol's codes (Apache Kafka `AclOperation`, `ResourceType`, `PatternType`, `AclPermissionType`) ---

export const ANY = 1;
const RESOURCE_CODES: Record<AclResourceType, number> = {
  topic: 2,
  group: 3,
  cluster: 4,
  transactionalId: 5,
};
const PATTERN_CODES: Record<AclPattern, number> = { literal: 3, prefixed: 4 };
const PERMISSION_CODES = { deny: 2, allow: 3 } as const;
const OPERATION_CODES: Record<AclOperation, number> = {
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  clusterAction: 9,
  describeConfigs: 10,
  alterConfigs: 11,
  idempotentWrite: 12,
};

/** Name ↔ code, keeping codes this program has no name for as `<prefix>:<code>`. */
function codec<Name extends string, Prefix extends string>(
  codes: Record<Name, number>,
  prefix: Prefix,
) {
  const names = new Map(Object.entries(codes).map(([name, code]) => [code as number, name]));
  return {
    encode(value: Name | `${Prefix}:${number}`): number {
      const known = (codes as Record<string, number>)[value];
      if (known !== undefined) return known;
      const code = Number(String(value).slice(prefix.length + 1));
      if (!String(value).startsWith(`${prefix}:`) || !Number.isInteger(code))
        throw new Error(`unknown ${prefix} ${JSON.stringify(value)}`);
      return code;
    },
    decode: (code: number) =>
      (names.get(code) ?? `${prefix}:${code}`) as Name | `${Prefix}:${number}`,
  };
}

export const resourceCodec = codec(RESOURCE_CODES, "type");
export const patternCodec = codec(PATTERN_CODES, "pattern");
export const permissionCodec = codec(PERMISSION_CODES, "permission");
export const operationCodec = codec(OPERATION_CODES, "op");

/** The same binding, written the same way however it was built (set membership, sorting). */
export const bindingKey = (binding: AclBinding): string => canonicalJson(binding);

export function bindingsOf(grants: readonly AclGrant[]): AclBinding[] {
  return grants.flatMap(({ operations, ...resource }) =>
    operations.map((operation) => ({ ...resource, operation })),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Bindings grouped back into grants, in one canonical order (so equal sets compare equal as JSON). */
export function grantsOf(bindings: readonly AclBinding[]): AclGrant[] {
  const groups = new Map<string, AclGrant>();
  for (const { operation, ...resource } of bindings) {
    const key = canonicalJson(resource);
    const group = groups.get(key) ?? { ...resource, operations: [] };
    if (!group.operations.includes(operation)) group.operations.push(operation);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((grant) => ({ ...grant, operations: [...grant.operations].sort(compare) }))
    .sort((a, b) =>
      compare(
        [a.resourceType, a.resourceName, a.pattern, a.permission, a.host].join("\u0000"),
        [b.resourceType, b.resourceName, b.pattern, b.permission, b.host].join("\u0000"),
      ),
    );
}

/** Stack config's ACL entries → the grants the provider stores: allow, from any host, canonical. */
export function grantsFromSpec(
  acls: readonly {
    resourceType: AclResourceType;
    resourceName: string;
    pattern: AclPattern;
    operations: readonly AclOperation[];
  }[],
): AclGrant[] {
  return grantsOf(
    bindingsOf(
      acls.map((acl) => ({
        ...acl,
        operations: [...acl.operations],
        permission: "allow",
        host: "*",
      })),
    ),
  );
}

/** A grant as one line of a report: `topic apphub.streaming.input (literal): read, describe`. */
export function describeGrant(grant: AclGrant): string {
  const qualifiers = [
    grant.pattern,
    ...(grant.permission === "allow" ? [] : [grant.permission]),
    ...(grant.host === "*" ? [] : [`host ${grant.host}`]),
  ];
  return `${grant.resourceType} ${grant.resourceName} (${qualifiers.join(", ")}): ${grant.operations.join(", ")}`;
}

/** The bindings in `a` that are not in `b`. */
export function bindingsMissing(a: readonly AclBinding[], b: readonly AclBinding[]): AclBinding[] {
  const present = new Set(b.map(bindingKey));
  return a.filter((binding) => !present.has(bindingKey(binding)));
}

/** The bindings in `a` that are also in `b`. */
export function bindingsIn(a: readonly AclBinding[], b: readonly AclBinding[]): AclBinding[] {
  const present = new Set(b.map(bindingKey));
  return a.filter((binding) => present.has(bindingKey(binding)));
}

export const isKnownResourceType = (value: unknown): value is AclResourceType =>
  (ACL_RESOURCE_TYPES as readonly unknown[]).includes(value);
