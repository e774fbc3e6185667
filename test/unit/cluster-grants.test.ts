import { describe, expect, it } from "vitest";
import { ANONYMOUS_PRINCIPAL, appHubGrants, wildcardAcls } from "../../src/cluster/grants";
import { SEED_TOPICS } from "../../src/topics/catalog";

describe("AppHub's grants (data for the ACL provider)", () => {
  const grants = appHubGrants(SEED_TOPICS.map((topic) => topic.name));

  it("lets core produce to and timestore consume every catalog topic, and nothing else on topics", () => {
    const onTopic = (service: string) =>
      grants
        .filter((grant) => grant.service === service && grant.resource.type === "topic")
        .map((grant) => [grant.resource.name, grant.resource.pattern, [...grant.operations]]);
    const names = SEED_TOPICS.map((topic) => topic.name).sort();
    expect(onTopic("apphub-core")).toEqual(
      names.map((name) => [name, "literal", ["write", "describe"]]),
    );
    expect(onTopic("apphub-timestore")).toEqual(
      names.map((name) => [name, "literal", ["read", "describe"]]),
    );
  });

  it("grants the anonymous in-cluster principal through User:* only, with no cluster or delete rights", () => {
    expect(new Set(grants.map((grant) => grant.principal))).toEqual(new Set([ANONYMOUS_PRINCIPAL]));
    expect(ANONYMOUS_PRINCIPAL).toBe("User:*");
    expect(grants.some((grant) => (grant.resource.type as string) === "cluster")).toBe(false);
    const operations = new Set(grants.flatMap((grant) => grant.operations));
    expect([...operations].sort()).toEqual(["describe", "read", "write"]);
    // Consumer offsets: read on AppHub's groups by prefix, never every group.
    expect(grants.filter((grant) => grant.resource.type === "group")).toEqual([
      expect.objectContaining({
        resource: { type: "group", name: "apphub", pattern: "prefixed" },
        operations: ["read", "describe"],
      }),
    ]);
  });

  it("follows the catalog: a topic added to it is granted, duplicates once", () => {
    const more = appHubGrants(["apphub.extra", "apphub.extra"]);
    expect(more.filter((grant) => grant.resource.name === "apphub.extra")).toHaveLength(2);
  });

  it("hands the users provider one User:* entry per resource, operations merged and sorted", () => {
    const acls = wildcardAcls(appHubGrants(["apphub.core.events"]));
    expect(acls).toEqual([
      {
        resourceType: "topic",
        resourceName: "apphub.core.events",
        pattern: "literal",
        operations: ["describe", "read", "write"],
      },
      {
        resourceType: "group",
        resourceName: "apphub",
        pattern: "prefixed",
        operations: ["describe", "read"],
      },
    ]);
  });
});
