/**
 * Users and ACLs on the Kafka protocol, one request per function, over the topic engine's
 * session (`src/topics/kafka.ts`: one bounded kafkajs connection, SASL and TLS included).
 *
 * - ACLs: CreateAcls / DescribeAcls / DeleteAcls with kafkajs' own request definitions (v1 with
 *   Apache Kafka and Redpanda alike), read without kafkajs' parse step, which keeps only the
 *   first error code and drops the broker's message.
 * - SCRAM credentials: DescribeUserScramCredentials (API 50) and AlterUserScramCredentials
 *   (API 51), KIP-554, which kafkajs 2.2.4 lacks: encoded here on its protocol layer. Both exist
 *   only in version 0, which is a *flexible* version, while kafkajs writes request header v1
 *   (no tagged fields): so each body starts with an empty tagged-field buffer, which the broker
 *   reads as the header's (as kafkajs' own AlterPartitionReassignments v0 does), and each
 *   response starts with the response header's tagged fields. Apache Kafka serves them from
 *   2.7; Redpanda does not (docs/security.md), which `session.serves` tells.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import Decoder from "kafkajs/src/protocol/decoder";
import Encoder from "kafkajs/src/protocol/encoder";
import { createErrorFromCode } from "kafkajs/src/protocol/error";
import {
  requests as kafkajsRequests,
  type RequestDefinitions,
} from "kafkajs/src/protocol/requests";
import apiKeys from "kafkajs/src/protocol/requests/apiKeys";
import { SCRAM_MECHANISMS, type ScramMechanism } from "../config/rules";
import type { KafkaSession } from "../topics/kafka";
import {
  ANY,
  operationCodec,
  patternCodec,
  permissionCodec,
  resourceCodec,
  type AclBinding,
} from "./model";

/** KIP-554's API keys (absent from kafkajs' `apiKeys`). */
export const SCRAM_API_KEYS = { describe: 50, alter: 51 } as const;

/** The mechanism codes of KIP-554 (`ScramMechanism.type()`): 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
const MECHANISM_CODES: Record<ScramMechanism, number> = {
  [SCRAM_MECHANISMS[0]]: 1,
  [SCRAM_MECHANISMS[1]]: 2,
} as Record<ScramMechanism, number>;
const mechanismOfCode = (code: number): ScramMechanism | undefined =>
  SCRAM_MECHANISMS.find((mechanism) => MECHANISM_CODES[mechanism] === code);
const HASH: Record<ScramMechanism, { digest: "sha256" | "sha512"; bytes: number }> = {
  [SCRAM_MECHANISMS[0]]: { digest: "sha256", bytes: 32 },
  [SCRAM_MECHANISMS[1]]: { digest: "sha512", bytes: 64 },
} as Record<ScramMechanism, { digest: "sha256" | "sha512"; bytes: number }>;

/** Kafka's minimum (and Redpanda's fixed) SCRAM iteration count. */
export const SCRAM_ITERATIONS = 4096;
/** DescribeUserScramCredentials' answer for a user without credentials. */
const RESOURCE_NOT_FOUND = 91;

/** Whether the connected broker can read and write SCRAM credentials over the Kafka protocol. */
export function servesScramApis(session: KafkaSession): boolean {
  return session.serves(SCRAM_API_KEYS.describe) && session.serves(SCRAM_API_KEYS.alter);
}

/**
 * RFC 5802's SaltedPassword, `Hi(password, salt, i)`: PBKDF2 with the mechanism's HMAC and a
 * key as long as its hash. KIP-554 has the client compute it, so the password itself never
 * travels to the broker.
 */
export function saltedPassword(
  password: string,
  salt: Buffer,
  iterations: number,
  mechanism: ScramMechanism,
): Buffer {
  const { digest, bytes } = HASH[mechanism];
  return pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, bytes, digest);
}

export interface ScramUpsertion {
  name: string;
  mechanism: ScramMechanism;
  password: string;
}

export interface ScramDeletion {
  name: string;
  mechanism: ScramMechanism;
}

interface FlexibleResponse {
  errorCode?: number;
  errorMessage?: string | null;
}

const emptyTags = () => new Encoder().writeUVarIntBytes();

/**
 * DescribeUserScramCredentials v0 (flexible) => [users]<nullable> TAG_BUFFER; users => name TAG_BUFFER
 * Response => throttle_time_ms error_code error_message [results] TAG_BUFFER
 *   results => user error_code error_message [credential_infos] TAG_BUFFER
 *     credential_infos => mechanism INT8, iterations INT32, TAG_BUFFER
 */
export const DESCRIBE_USER_SCRAM_CREDENTIALS: RequestDefinitions = {
  versions: ["0"],
  protocol: () => (options: object) => {
    const { names } = options as { names: readonly string[] | null };
    return {
      request: {
        apiKey: SCRAM_API_KEYS.describe,
        apiVersion: 0,
        apiName: "DescribeUserScramCredentials",
        encode: async () =>
          emptyTags()
            .writeUVarIntArray(
              names === null
                ? null
                : names.map((name) => new Encoder().writeUVarIntString(name).writeUVarIntBytes()),
            )
            .writeUVarIntBytes(),
      },
      response: {
        decode: async (data: Buffer) => {
          const decoder = new Decoder(data);
          decoder.readTaggedFields();
          const throttleTime = decoder.readInt32();
          const errorCode = decoder.readInt16();
          const errorMessage = decoder.readUVarIntString();
          const results =
            decoder.readUVarIntArray((result) => {
              const entry = {
                user: result.readUVarIntString() ?? "",
                errorCode: result.readInt16(),
                errorMessage: result.readUVarIntString(),
                credentials:
                  result.readUVarIntArray((info) => {
                    const credential = { mechanism: info.readInt8(), iterations: info.readInt32() };
                    info.readTaggedFields();
                    return credential;
                  }) ?? [],
              };
              result.readTaggedFields();
              return entry;
            }) ?? [];
          decoder.readTaggedFields();
          return { throttleTime, errorCode, errorMessage, results };
        },
        parse: async (data: unknown) => data,
      },
    };
  },
};

/**
 * AlterUserScramCredentials v0 (flexible) => [deletions] [upsertions] TAG_BUFFER
 *   deletions => name mechanism INT8 TAG_BUFFER
 *   upsertions => name mechanism INT8, iterations INT32, salt BYTES, salted_password BYTES, TAG_BUFFER
 * Response => throttle_time_ms [results] TAG_BUFFER; results => user error_code error_message TAG_BUFFER
 */
export const ALTER_USER_SCRAM_CREDENTIALS: RequestDefinitions = {
  versions: ["0"],
  protocol: () => (options: object) => {
    const { deletions, upsertions } = options as {
      deletions: readonly ScramDeletion[];
      upsertions: readonly (ScramDeletion & { salt: Buffer; salted: Buffer })[];
    };
    return {
      request: {
        apiKey: SCRAM_API_KEYS.alter,
        apiVersion: 0,
        apiName: "AlterUserScramCredentials",
        encode: async () =>
          emptyTags()
            .writeUVarIntArray(
              deletions.map((deletion) =>
                new Encoder()
                  .writeUVarIntString(deletion.name)
                  .writeInt8(MECHANISM_CODES[deletion.mechanism])
                  .writeUVarIntBytes(),
              ),
            )
            .writeUVarIntArray(
              upsertions.map((upsertion) =>
                new Encoder()
                  .writeUVarIntString(upsertion.name)
                  .writeInt8(MECHANISM_CODES[upsertion.mechanism])
                  .writeInt32(SCRAM_ITERATIONS)
                  .writeUVarIntBytes(upsertion.salt)
                  .writeUVarIntBytes(upsertion.salted)
                  .writeUVarIntBytes(),
              ),
            )
            .writeUVarIntBytes(),
      },
      response: {
        decode: async (data: Buffer) => {
          const decoder = new Decoder(data);
          decoder.readTaggedFields();
          const throttleTime = decoder.readInt32();
          const results =
            decoder.readUVarIntArray((result) => {
              const entry = {
                user: result.readUVarIntString() ?? "",
                errorCode: result.readInt16(),
                errorMessage: result.readUVarIntString(),
              };
              result.readTaggedFields();
              return entry;
            }) ?? [];
          decoder.readTaggedFields();
          return { throttleTime, results };
        },
        parse: async (data: unknown) => data,
      },
    };
  },
};

const reason = ({ errorCode, errorMessage }: FlexibleResponse): string =>
  errorMessage || createErrorFromCode(errorCode ?? -1).message;

/** Each user's SCRAM credentials (mechanism and iterations); users without any are absent. */
export async function describeScramCredentials(
  session: KafkaSession,
  names: readonly string[],
): Promise<
  Map<string, { mechanism: ScramMechanism | `mechanism:${number}`; iterations: number }[]>
> {
  const what = `describing the SCRAM credentials of ${names.join(", ")}`;
  const response = await session.send<
    FlexibleResponse & {
      results: (FlexibleResponse & {
        user: string;
        credentials: { mechanism: number; iterations: number }[];
      })[];
    }
  >(SCRAM_API_KEYS.describe, DESCRIBE_USER_SCRAM_CREDENTIALS, { names }, what);
  if (response.errorCode) throw new Error(`${what} failed: ${reason(response)}`);
  const found = new Map<
    string,
    { mechanism: ScramMechanism | `mechanism:${number}`; iterations: number }[]
  >();
  for (const result of response.results) {
    if (result.errorCode === RESOURCE_NOT_FOUND) continue;
    if (result.errorCode) throw new Error(`${what} failed: ${result.user}: ${reason(result)}`);
    found.set(
      result.user,
      result.credentials.map((credential) => ({
        mechanism: mechanismOfCode(credential.mechanism) ?? `mechanism:${credential.mechanism}`,
        iterations: credential.iterations,
      })),
    );
  }
  return found;
}

/** One AlterUserScramCredentials request: a fresh salt per upsertion; fails naming every refused user. */
export async function alterScramCredentials(
  session: KafkaSession,
  change: { upsertions: readonly ScramUpsertion[]; deletions: readonly ScramDeletion[] },
): Promise<void> {
  if (change.upsertions.length === 0 && change.deletions.length === 0) return;
  const upsertions = change.upsertions.map(({ name, mechanism, password }) => {
    const salt = randomBytes(32);
    return {
      name,
      mechanism,
      salt,
      salted: saltedPassword(password, salt, SCRAM_ITERATIONS, mechanism),
    };
  });
  const users = [
    ...new Set([...change.upsertions, ...change.deletions].map((entry) => entry.name)),
  ];
  const what = `writing the SCRAM credentials of ${users.join(", ")}`;
  const response = await session.send<{ results: (FlexibleResponse & { user: string })[] }>(
    SCRAM_API_KEYS.alter,
    ALTER_USER_SCRAM_CREDENTIALS,
    { deletions: change.deletions, upsertions },
    what,
  );
  const refused = response.results.filter((result) => result.errorCode);
  if (refused.length > 0)
    throw new Error(
      `${what} failed: ${refused.map((result) => `${result.user}: ${reason(result)}`).join("; ")}`,
    );
}

// --- ACLs ---

interface WireAclFilter {
  resourceType: number;
  resourceName: string | null;
  resourcePatternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

function wireBinding(principal: string, binding: AclBinding): WireAclFilter {
  return {
    resourceType: resourceCodec.encode(binding.resourceType),
    resourceName: binding.resourceName,
    resourcePatternType: patternCodec.encode(binding.pattern),
    principal,
    host: binding.host,
    operation: operationCodec.encode(binding.operation),
    permissionType: permissionCodec.encode(binding.permission),
  };
}

/** Every filter field ANY except the principal: all of one principal's bindings (null: every principal's). */
const everyBindingOf = (principal: string | null): WireAclFilter => ({
  resourceType: ANY,
  resourceName: null,
  resourcePatternType: ANY,
  principal,
  host: null,
  operation: ANY,
  permissionType: ANY,
});

function definitions(name: "CreateAcls" | "DescribeAcls" | "DeleteAcls") {
  const definition = kafkajsRequests[name];
  const apiKey = apiKeys[name];
  if (!definition || apiKey === undefined) throw new Error(`kafkajs has no ${name} request`);
  return { apiKey, definition };
}

/** DescribeAcls' answer, unparsed: resources, each with its bindings. */
interface DescribeAclsResponse extends FlexibleResponse {
  resources: {
    resourceType: number;
    resourceName: string;
    resourcePatternType: number;
    acls: { principal: string; host: string; operation: number; permissionType: number }[];
  }[];
}

/** Every binding the answer lists, with its principal. */
function principalBindings(response: DescribeAclsResponse): (AclBinding & { principal: string })[] {
  return response.resources.flatMap((resource) =>
    resource.acls.map((acl) => ({
      principal: acl.principal,
      resourceType: resourceCodec.decode(resource.resourceType),
      resourceName: resource.resourceName,
      pattern: patternCodec.decode(resource.resourcePatternType),
      permission: permissionCodec.decode(acl.permissionType),
      host: acl.host,
      operation: operationCodec.decode(acl.operation),
    })),
  );
}

/** Every ACL binding whose principal is `principal`, as the broker lists them. */
export async function describeAclsOf(
  session: KafkaSession,
  principal: string,
): Promise<AclBinding[]> {
  const { apiKey, definition } = definitions("DescribeAcls");
  const what = `describing the ACLs of ${principal}`;
  const response = await session.send<DescribeAclsResponse>(
    apiKey,
    definition,
    everyBindingOf(principal),
    what,
  );
  if (response.errorCode) throw new Error(`${what} failed: ${reason(response)}`);
  return principalBindings(response)
    .filter((binding) => binding.principal === principal)
    .map(({ principal: _, ...binding }) => binding);
}

/** DescribeAcls' answer when the broker has no authorizer (Kafka without `authorizer.class.name`). */
const SECURITY_DISABLED = 54;

/**
 * Every ACL binding on the cluster, whatever its principal; or why the broker would not list
 * them (`securityDisabled`: authorization is off, so there are none to adopt).
 */
export async function describeEveryAcl(
  session: KafkaSession,
): Promise<
  | { bindings: (AclBinding & { principal: string })[] }
  | { refused: string; securityDisabled: boolean }
> {
  const { apiKey, definition } = definitions("DescribeAcls");
  const response = await session.send<DescribeAclsResponse>(
    apiKey,
    definition,
    everyBindingOf(null),
    "describing every ACL",
  );
  if (response.errorCode)
    return {
      refused: reason(response),
      securityDisabled: response.errorCode === SECURITY_DISABLED,
    };
  return { bindings: principalBindings(response) };
}

/** One CreateAcls request; fails naming every binding the broker refused. */
export async function createAcls(
  session: KafkaSession,
  principal: string,
  bindings: readonly AclBinding[],
): Promise<void> {
  if (bindings.length === 0) return;
  const { apiKey, definition } = definitions("CreateAcls");
  const what = `granting ${bindings.length} ACL(s) to ${principal}`;
  const response = await session.send<{ creationResponses: FlexibleResponse[] }>(
    apiKey,
    definition,
    { creations: bindings.map((binding) => wireBinding(principal, binding)) },
    what,
  );
  const refused = response.creationResponses.flatMap((result, index) =>
    result.errorCode ? [`${describeBinding(bindings[index])}: ${reason(result)}`] : [],
  );
  if (refused.length > 0) throw new Error(`${what} failed: ${refused.join("; ")}`);
}

/** One DeleteAcls request: exactly `bindings`, or every binding of the principal. */
export async function deleteAcls(
  session: KafkaSession,
  principal: string,
  bindings: readonly AclBinding[] | "all",
): Promise<void> {
  if (bindings !== "all" && bindings.length === 0) return;
  const { apiKey, definition } = definitions("DeleteAcls");
  const filters =
    bindings === "all"
      ? [everyBindingOf(principal)]
      : bindings.map((binding) => wireBinding(principal, binding));
  const what = `revoking ${bindings === "all" ? "every ACL" : `${bindings.length} ACL(s)`} of ${principal}`;
  const response = await session.send<{
    filterResponses: (FlexibleResponse & { matchingAcls: FlexibleResponse[] })[];
  }>(apiKey, definition, { filters }, what);
  const refused = response.filterResponses.flatMap((result) => [
    ...(result.errorCode ? [reason(result)] : []),
    ...result.matchingAcls.filter((acl) => acl.errorCode).map(reason),
  ]);
  if (refused.length > 0) throw new Error(`${what} failed: ${refused.join("; ")}`);
}

function describeBinding(binding: AclBinding | undefined): string {
  return binding
    ? `${binding.permission} ${binding.operation} on ${binding.resourceType} ${binding.resourceName} (${binding.pattern})`
    : "an ACL";
}
