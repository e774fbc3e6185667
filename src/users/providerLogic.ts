/**
 * The pure decisions of the `KafkaUser` dynamic provider: input checks, diff, the shape of
 * outputs and what a change grants or revokes. No I/O here; `providerRuntime.ts` calls these
 * around the broker work (`engine.ts`). The engine's calling conventions are the topic
 * provider's (`src/topics/providerLogic.ts`): `check` holds refusals, `diff` gets the previous
 * outputs (or, on refresh, the live ones) and never throws, `read` returns live outputs and inputs.
 */
import {
  ACL_PATTERNS,
  aclOperationProblem,
  aclResourceNameProblem,
  rotateProblem,
  SCRAM_MECHANISMS,
  scramPasswordProblem,
  scramUsernameProblem,
  type AclPattern,
  type ScramMechanism,
} from "../config/rules";
import { describeValue as describe, isRecord } from "../config/values";
import { canonicalJson } from "../topics/model";
import { containsUnknown, validateConnectionFields, type InputFailure } from "../topics/validate";
import {
  bindingsMissing,
  bindingsOf,
  describeGrant,
  grantsOf,
  isKnownResourceType,
  principalOf,
  WILDCARD_USER,
  type AclBinding,
  type AclGrant,
  type KafkaUserInputs,
} from "./model";

const isUnknown = (value: unknown) => containsUnknown(value);

/** Why a declared grant cannot be written, or undefined. */
function grantProblem(grant: unknown): string | undefined {
  if (!isRecord(grant)) return `expected an ACL grant, got ${describe(grant)}`;
  const { resourceType, resourceName, pattern, permission, host, operations } = grant;
  if (!isKnownResourceType(resourceType))
    return `expected a resource type topic, group, cluster or transactionalId, got ${describe(resourceType)}`;
  if (!ACL_PATTERNS.includes(pattern as AclPattern))
    return `expected pattern literal or prefixed, got ${describe(pattern)}`;
  const nameProblem = aclResourceNameProblem(resourceType, resourceName, pattern as AclPattern);
  if (nameProblem) return nameProblem;
  if (permission !== "allow" || host !== "*")
    return `expected an allow grant from any host ("*"), got ${describe({ permission, host })}`;
  if (!Array.isArray(operations) || operations.length === 0)
    return `expected a non-empty list of operations, got ${describe(operations)}`;
  return operations
    .map((operation) => aclOperationProblem(resourceType, operation))
    .find((problem) => problem !== undefined);
}

function credentialFailures(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  const { name, mechanism, password, rotate } = inputs;
  if (name === WILDCARD_USER) {
    if (mechanism !== undefined)
      failures.push({
        property: "mechanism",
        reason: "expected none: the wildcard principal User:* has no credential",
      });
  } else {
    if (!isUnknown(name)) {
      const problem = scramUsernameProblem(name);
      if (problem) failures.push({ property: "name", reason: problem });
    }
    if (!isUnknown(mechanism) && !SCRAM_MECHANISMS.includes(mechanism as ScramMechanism))
      failures.push({
        property: "mechanism",
        reason: `expected ${SCRAM_MECHANISMS.join(" or ")}, got ${describe(mechanism)}`,
      });
    // Never quote a password: describe only what is wrong with it.
    const passwordProblem = isUnknown(password) ? undefined : scramPasswordProblem(password);
    if (passwordProblem) failures.push({ property: "password", reason: passwordProblem });
  }
  const rotation = isUnknown(rotate) ? undefined : rotateProblem(rotate);
  if (rotation) failures.push({ property: "rotate", reason: rotation });
  return failures;
}

/** `check`: every input rule; refusals name the property and what was expected. */
export function checkUser(news: Record<string, unknown>): InputFailure[] {
  const failures = credentialFailures(news);
  const { acls, self, connection, adminUrls, providerVersion } = news;
  if (acls !== null && !isUnknown(acls)) {
    if (!Array.isArray(acls))
      failures.push({
        property: "acls",
        reason: `expected a list of grants, got ${describe(acls)}`,
      });
    else
      acls.forEach((grant, index) => {
        const problem = isUnknown(grant) ? undefined : grantProblem(grant);
        if (problem) failures.push({ property: `acls[${index}]`, reason: problem });
      });
  }
  if (typeof self !== "boolean")
    failures.push({ property: "self", reason: `expected true or false, got ${describe(self)}` });
  failures.push(
    ...validateConnectionFields({
      connection,
      saslPassword: self === true ? news.password : news.saslPassword,
    }),
  );
  const username =
    isRecord(connection) && isRecord(connection.sasl) ? connection.sasl.username : undefined;
  if (self === true && !isUnknown(username) && username !== news.name)
    failures.push({
      property: "self",
      reason: `expected the connection to authenticate as ${describe(news.name)} (its own password is rotated), got ${describe(username)}`,
    });
  if (!isUnknown(adminUrls) && !(Array.isArray(adminUrls) && adminUrls.every(isHttpUrl)))
    failures.push({
      property: "adminUrls",
      reason: `expected a list of http(s) Admin API URLs, got ${describe(adminUrls)}`,
    });
  if (!isUnknown(providerVersion) && typeof providerVersion !== "string")
    failures.push({
      property: "providerVersion",
      reason: `expected a string, got ${describe(providerVersion)}`,
    });
  return failures;
}

function isHttpUrl(value: unknown): boolean {
  if (isUnknown(value)) return true;
  try {
    return typeof value === "string" && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The inputs echoed (no `__provider`, which the host adds back): the outputs are exactly these. */
export function echoUser(inputs: KafkaUserInputs): KafkaUserInputs {
  const echoed: KafkaUserInputs = {
    name: inputs.name,
    rotate: inputs.rotate,
    acls: inputs.acls === null ? null : grantsOf(bindingsOf(inputs.acls)),
    self: inputs.self,
    providerVersion: inputs.providerVersion,
    connection: inputs.connection,
    adminUrls: [...inputs.adminUrls],
  };
  if (inputs.mechanism !== undefined) echoed.mechanism = inputs.mechanism;
  if (inputs.password !== undefined) echoed.password = inputs.password;
  if (inputs.saslPassword !== undefined) echoed.saslPassword = inputs.saslPassword;
  return echoed;
}

/** The fields whose change is an in-place update; `name` is the only one that replaces. */
const UPDATED = [
  "mechanism",
  "password",
  "rotate",
  "acls",
  "self",
  "providerVersion",
  "connection",
  "saslPassword",
  "adminUrls",
] as const;

/** Pure diff; never throws. A new name is a new user (created before the old one is removed). */
export function diffUser(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changes: boolean; replaces?: string[]; deleteBeforeReplace?: boolean } {
  if (
    typeof olds.name === "string" &&
    typeof news.name === "string" &&
    !isUnknown(news.name) &&
    olds.name !== news.name
  ) {
    return { changes: true, replaces: ["name"], deleteBeforeReplace: false };
  }
  if (containsUnknown(news)) return { changes: true };
  const same = UPDATED.every((key) => canonicalJson(olds[key]) === canonicalJson(news[key]));
  return { changes: !same };
}

const asGrants = (value: unknown): AclGrant[] =>
  Array.isArray(value) ? (value.filter(isRecord) as unknown as AclGrant[]) : [];

/**
 * What applying `news` over `olds` grants and revokes, one line each, for the preview's
 * diagnostics (the Node dynamic-provider host drops `detailedDiff`). Hand-added bindings that
 * `refresh` recorded show here as revoked. Empty when the ACLs are not managed or unknown.
 */
export function aclChangeReport(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): string[] {
  if (olds.acls === null || news.acls === null || isUnknown(news.acls)) return [];
  const before = bindingsOf(asGrants(olds.acls));
  const after = bindingsOf(asGrants(news.acls));
  const principal = principalOf(String(news.name));
  const lines = (verb: string, bindings: AclBinding[]) =>
    grantsOf(bindings).map((grant) => `${principal}: ${verb} ${describeGrant(grant)}`);
  return [
    ...lines("grants", bindingsMissing(after, before)),
    ...lines("revokes", bindingsMissing(before, after)),
  ];
}

/** What deleting the user revokes, for messages: its login and every ACL binding. */
export function revocationReport(inputs: KafkaUserInputs): string {
  const principal = principalOf(inputs.name);
  const login =
    inputs.mechanism && !inputs.self ? [`the ${inputs.mechanism} login of ${inputs.name}`] : [];
  const acls =
    inputs.acls === null ? [] : inputs.acls.map((grant) => `${principal} ${describeGrant(grant)}`);
  return [...login, ...acls].join("; ") || "nothing";
}

/** Outputs of `read`: the stored ones with the live mechanism and ACLs, as refresh records them. */
export function liveUserOutputs(
  stored: KafkaUserInputs,
  live: { mechanism?: ScramMechanism; bindings?: AclBinding[] },
): KafkaUserInputs {
  const outs = echoUser(stored);
  if (live.mechanism !== undefined) outs.mechanism = live.mechanism;
  if (live.bindings !== undefined && stored.acls !== null) outs.acls = grantsOf(live.bindings);
  return outs;
}
