/**
 * The I/O half of importing users: what the cluster says about ACLs and SCRAM credentials, read
 * with DescribeAcls (every principal) and, where the brokers serve KIP-554, one
 * DescribeUserScramCredentials of the users that have ACLs. Reads only; `import.ts` decides.
 */
import type { KafkaSession } from "../topics/kafka";
import { userNameOf, type ClusterUsers } from "./import";
import { WILDCARD_USER } from "./model";
import { describeEveryAcl, describeScramCredentials, servesScramApis } from "./wire";

/** The cluster's ACL bindings and credential mechanisms, or why they could not be listed. */
export async function readClusterUsers(session: KafkaSession): Promise<ClusterUsers> {
  const listed = await describeEveryAcl(session);
  if ("refused" in listed)
    return {
      unavailable: listed.securityDisabled
        ? `authorization is off on the brokers (DescribeAcls answered SECURITY_DISABLED: ${listed.refused}), so there are no ACLs to adopt and no users were imported`
        : `the brokers refused DescribeAcls (${listed.refused}): no users were imported; connect as a user allowed to describe the cluster's ACLs (cluster DESCRIBE), or pass --no-users`,
    };
  const names = [
    ...new Set(
      listed.bindings.flatMap(({ principal }) => {
        const name = userNameOf(principal);
        return name === undefined || name === WILDCARD_USER ? [] : [name];
      }),
    ),
  ];
  if (!servesScramApis(session))
    return {
      acls: listed.bindings,
      credentials: undefined,
      credentialsUnknown:
        "they do not serve DescribeUserScramCredentials, KIP-554; on Redpanda pulumi up writes SCRAM users through its Admin API, so set kafka.adminUrls",
    };
  if (names.length === 0) return { acls: listed.bindings, credentials: new Map() };
  try {
    const found = await describeScramCredentials(session, names);
    return {
      acls: listed.bindings,
      credentials: new Map(
        [...found].map(([name, credentials]) => [
          name,
          credentials.map((credential) => credential.mechanism),
        ]),
      ),
    };
  } catch (error) {
    return {
      acls: listed.bindings,
      credentials: undefined,
      credentialsUnknown: (error as Error).message,
    };
  }
}
