/**
 * What AppHub's own services may do on the brokers once `kafka_enable_authorization` is on:
 * principals × resources × operations per service, as plain data for the users/ACLs provider to
 * apply (it owns the wire; this module decides nothing at run time and talks to nothing).
 *
 * Core and timestore cannot authenticate (the seed gives them only `APPHUB_STREAM_BROKER_URL`),
 * so they reach the in-cluster listener (`authentication_method: none`). Redpanda gives such a
 * client the principal User with an EMPTY name (v24.3.2 `kafka/server/connection_context.h:208-216`),
 * which CreateAcls refuses to name (`kafka/server/handlers/details/security.h:46-49`): the only
 * ACLs that match it are on the wildcard `User:*` (`security/acl.h:196-204`). A wildcard grant
 * also reaches every authenticated user, so it is kept to what AppHub needs (produce and consume
 * on the catalog's topics, its consumer groups), and the NetworkPolicy admits to that listener
 * only AppHub's pods (docs/security.md).
 */

import type { ClusterConfig } from "../config/schema";

/**
 * Whether the brokers enforce ACLs and the admin API asks who calls: wherever the stack has a
 * SCRAM superuser (the external listener's), docs/security.md.
 */
export function authorizationEnabled(cluster: ClusterConfig): boolean {
  return cluster.external.enabled && cluster.external.sasl.enabled;
}

/** Kafka ACL operations AppHub's grants use (Redpanda's names, `details/security.h:103-130`). */
export type GrantOperation = "read" | "write" | "describe";

export interface GrantResource {
  type: "topic" | "group";
  name: string;
  pattern: "literal" | "prefixed";
}

export interface Grant {
  /** The AppHub service the grant is for (what the docs' table calls it). */
  service: "apphub-core" | "apphub-timestore";
  /** As Kafka writes principals: `User:<name>`; `User:*` is every user, the anonymous one included. */
  principal: string;
  resource: GrantResource;
  operations: readonly GrantOperation[];
  /** Why the service needs it, for the docs and the preview. */
  reason: string;
}

/** The anonymous in-cluster clients' principal, as an ACL can name it. */
export const ANONYMOUS_PRINCIPAL = "User:*";
/** Consumer groups of AppHub's services start with this (kafkajs `groupId`). */
export const APPHUB_GROUP_PREFIX = "apphub";

/**
 * The grants for a topic catalog: core produces to every catalog topic (its mirrors), timestore
 * consumes them in its groups. DESCRIBE is implied by READ and WRITE in Redpanda
 * (`security/authorizer.cc:316-356`) but listed, as kafkajs asks for metadata first.
 */
export function appHubGrants(topicNames: readonly string[]): Grant[] {
  const topics = [...new Set(topicNames)].sort();
  const onTopics = (
    service: Grant["service"],
    operations: readonly GrantOperation[],
    reason: string,
  ): Grant[] =>
    topics.map((name) => ({
      service,
      principal: ANONYMOUS_PRINCIPAL,
      resource: { type: "topic", name, pattern: "literal" },
      operations,
      reason,
    }));
  return [
    ...onTopics(
      "apphub-core",
      ["write", "describe"],
      "mirrors its events (APPHUB_STREAM_MIRROR_*)",
    ),
    ...onTopics("apphub-timestore", ["read", "describe"], "ingests the streams"),
    {
      service: "apphub-timestore",
      principal: ANONYMOUS_PRINCIPAL,
      resource: { type: "group", name: APPHUB_GROUP_PREFIX, pattern: "prefixed" },
      operations: ["read", "describe"],
      reason: "commits its consumer offsets",
    },
  ];
}

/** One ACL entry as the users provider takes it for `User:*` (its `wildcardAcls`). */
export interface WildcardAcl {
  resourceType: GrantResource["type"];
  resourceName: string;
  pattern: GrantResource["pattern"];
  /** Sorted, each once. */
  operations: GrantOperation[];
}

/**
 * The grants as the users provider's `wildcardAcls`: every grant here is to `User:*`, so grants
 * on the same resource merge into one entry (core's write and timestore's read on a topic).
 */
export function wildcardAcls(grants: readonly Grant[]): WildcardAcl[] {
  const byResource = new Map<string, WildcardAcl>();
  for (const { principal, resource, operations } of grants) {
    if (principal !== ANONYMOUS_PRINCIPAL) continue;
    const key = `${resource.type}\0${resource.pattern}\0${resource.name}`;
    const entry = byResource.get(key) ?? {
      resourceType: resource.type,
      resourceName: resource.name,
      pattern: resource.pattern,
      operations: [],
    };
    entry.operations = [...new Set([...entry.operations, ...operations])].sort();
    byResource.set(key, entry);
  }
  return [...byResource.values()];
}
