// The checks TopicBootstrap runs before declaring anything (src/topics/declare.ts): the
// provider's own rules on the catalog and the connection, applied to the component's
// arguments, with other resources' outputs left for the provider to judge once known.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { saslMechanismProblem, saslPasswordProblem } from "../../src/config/rules";
import { bootstrapProblems } from "../../src/topics/declare";
import { connectionFromConfig } from "../../src/topics/model";
import { validConfig } from "../support/config";

const config = validConfig({ environment: "dev" });
const brokers = ["127.0.0.1:19092"];
const plain = { connection: connectionFromConfig(config.kafka, brokers) };
const withSasl = (mechanism: string) =>
  connectionFromConfig(
    { ...config.kafka, sasl: { mechanism: mechanism as "scram-sha-256", username: "apphub" } },
    brokers,
  );

describe("bootstrapProblems", () => {
  it("finds nothing wrong with the resolved catalog over a plain connection", () => {
    expect(config.topics.length).toBeGreaterThan(0);
    expect(bootstrapProblems(config.topics, plain)).toEqual([]);
  });

  it("names a topic declared twice and a topic field the provider would refuse", () => {
    const [first] = config.topics;
    const problems = bootstrapProblems(
      [first!, first!, { ...first!, name: "apphub.bad", partitions: 0 }],
      plain,
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(`${first!.name}: declared twice`);
    expect(problems[1]).toMatch(/^apphub\.bad: partitions: /);
  });

  it("asks for the SASL password with the stack config's own rule when kafka.sasl is set", () => {
    expect(bootstrapProblems(config.topics, { connection: withSasl("scram-sha-256") })).toEqual([
      `saslPassword: ${saslPasswordProblem(undefined)}`,
    ]);
    expect(
      bootstrapProblems(config.topics, {
        connection: withSasl("scram-sha-256"),
        saslPassword: "s3cret",
      }),
    ).toEqual([]);
  });

  it("refuses a SASL mechanism by the same rule as the stack config", () => {
    expect(
      bootstrapProblems(config.topics, { connection: withSasl("gssapi"), saslPassword: "s3cret" }),
    ).toEqual([`connection.sasl: ${saslMechanismProblem("gssapi")}`]);
  });

  it("leaves brokers, CA and password that are other resources' outputs to the provider", () => {
    const connection = connectionFromConfig(
      { ...config.kafka, sasl: { mechanism: "scram-sha-512", username: "apphub" } },
      pulumi.output(["not an address"]),
      pulumi.output("PEM"),
    );
    expect(
      bootstrapProblems(config.topics, { connection, saslPassword: pulumi.output("") }),
    ).toEqual([]);
  });

  it("judges plain brokers like the provider's check does", () => {
    const problems = bootstrapProblems(config.topics, {
      connection: connectionFromConfig(config.kafka, ["no-port"]),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^connection\.brokers: expected "host:port"/);
  });
});

describe("connectionFromConfig", () => {
  it("adds the CA to trust only when one is given, the brokers as given", () => {
    const withCa = connectionFromConfig(config.kafka, brokers, "PEM");
    expect(withCa.tls).toEqual({ ...config.kafka.tls, ca: "PEM" });
    expect(withCa.brokers).toBe(brokers);
    expect("ca" in connectionFromConfig(config.kafka, brokers).tls).toBe(false);
  });
});
