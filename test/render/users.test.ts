// The KafkaUsers component in a Kubernetes render: one KafkaUser per user holding its grants,
// a generated password unless one is configured, a Secret per user for in-cluster consumers,
// and the credentials only as masked secrets (in resources and the stack output alike).
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { MASK } from "../../src/render/capture";
import {
  REPO_ROOT,
  renderRepoStack,
  renderStackYaml,
  resourcesOfType,
  type RenderResult,
} from "../support/render";

const USERS = [
  "  apphub-streaming:users:",
  "    flink-aggregator:",
  "      mechanism: scram-sha-512",
  "      acls:",
  "        - { topic: apphub.streaming.input, operations: [read, describe] }",
  "        - { group: flink-, pattern: prefixed, operations: [read] }",
  "  apphub-streaming:kafkaUserPasswords:",
  "    flink-aggregator:",
  "      secure: AAABAHusersomeciphertext",
];

let render: RenderResult;

beforeAll(async () => {
  const base = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.minikube.yaml"), "utf8");
  expect(base).not.toContain("apphub-streaming:kafka:");
  // Redpanda writes SCRAM users only through its Admin API: a Kubernetes stack names it.
  const kafka = ["  apphub-streaming:kafka:", '    adminUrls: ["http://127.0.0.1:19644"]'];
  const yamlText = `${base}${[...kafka, ...USERS].join("\n")}\n`;
  render = await renderStackYaml("minikube", yamlText);
});

describe("KafkaUsers in the minikube render", () => {
  it("declares the user with its grants and mechanism, writing through the Admin API", () => {
    expect(render.status, render.stderr).toBe(0);
    const [user, ...others] = resourcesOfType(
      render,
      "pulumi-nodejs:dynamic/streaming:KafkaUser",
    ).filter((resource) => resource.name === "flink-aggregator");
    expect(others).toEqual([]);
    expect(user?.inputs).toMatchObject({
      name: "flink-aggregator",
      mechanism: "SCRAM-SHA-512",
      password: MASK,
      adminUrls: ["http://127.0.0.1:19644"],
      acls: [
        {
          resourceType: "group",
          resourceName: "flink-",
          pattern: "prefixed",
          permission: "allow",
          host: "*",
          operations: ["read"],
        },
        {
          resourceType: "topic",
          resourceName: "apphub.streaming.input",
          pattern: "literal",
          permission: "allow",
          host: "*",
          operations: ["describe", "read"],
        },
      ],
    });
    // The configured password is used: nothing is generated for this user.
    expect(
      resourcesOfType(render, "pulumi-nodejs:dynamic/streaming:GeneratedPassword").map(
        (resource) => resource.name,
      ),
    ).not.toContain("flink-aggregator");
  });

  it("gives in-cluster consumers a Secret per user, its password masked", () => {
    const secret = resourcesOfType(render, "kubernetes:core/v1:Secret").find(
      (resource) => resource.name === "apphub-kafka-user-flink-aggregator",
    );
    expect(secret?.inputs.metadata).toMatchObject({
      name: "apphub-kafka-user-flink-aggregator",
      namespace: "apphub-system",
    });
    const data = secret?.inputs.stringData as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(["mechanism", "password", "username"]);
    expect(data.password).toBe(MASK);
  });

  it("exports kafkaUsers only as a secret, and never the ciphertext or a password", () => {
    expect(render.outputs.kafkaUsers).toBe(MASK);
    expect(JSON.stringify(render.resources)).not.toContain("AAABAHusersomeciphertext");
  });
});

describe("AppHub's own grants where authorization is on", () => {
  const wildcardGrants = (result: RenderResult) =>
    resourcesOfType(result, "pulumi-nodejs:dynamic/streaming:KafkaUser").filter(
      (resource) => resource.name === "wildcard-principal",
    );

  it("prod grants User:* produce and consume on every catalog topic and AppHub's groups", () => {
    const prod = renderRepoStack("prod");
    expect(prod.status, prod.stderr).toBe(0);
    const [grants, ...others] = wildcardGrants(prod);
    expect(others).toEqual([]);
    const acls = (grants?.inputs.acls ?? []) as {
      resourceType: string;
      resourceName: string;
      pattern: string;
      operations: string[];
    }[];
    const topicAcls = acls.filter((acl) => acl.resourceType === "topic");
    const catalog = resourcesOfType(prod, "pulumi-nodejs:dynamic/streaming:KafkaTopic").map(
      (topic) => topic.name,
    );
    expect(catalog.length).toBeGreaterThan(0);
    expect(topicAcls.map((acl) => acl.resourceName).sort()).toEqual([...catalog].sort());
    for (const acl of topicAcls) expect(acl.operations).toEqual(["describe", "read", "write"]);
    expect(acls).toContainEqual(
      expect.objectContaining({
        resourceType: "group",
        resourceName: "apphub",
        pattern: "prefixed",
      }),
    );
  });

  it("minikube, without a superuser and so without authorization, grants nothing", () => {
    const minikube = renderRepoStack("minikube");
    expect(minikube.status, minikube.stderr).toBe(0);
    expect(wildcardGrants(minikube)).toEqual([]);
  });
});
