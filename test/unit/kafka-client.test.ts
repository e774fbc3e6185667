import { describe, expect, it } from "vitest";
import { clientConfig } from "../../src/topics/kafka";
import type { ConnectionSettings } from "../../src/topics/model";

const BASE: ConnectionSettings = {
  brokers: ["redpanda-0.example:9094"],
  clientId: "apphub-streaming-bootstrap",
  connectTimeoutMs: 5000,
  requestTimeoutMs: 30000,
  tls: { enabled: true, rejectUnauthorized: true },
};

describe("the kafkajs client settings of the topic bootstrap", () => {
  it("trusts the given CA, and only then, when TLS is on", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(clientConfig({ ...BASE, tls: { ...BASE.tls, ca: pem } }, undefined).ssl).toEqual({
      rejectUnauthorized: true,
      ca: [pem],
    });
    expect(clientConfig(BASE, undefined).ssl).toEqual({ rejectUnauthorized: true });
    expect(
      clientConfig(
        { ...BASE, tls: { enabled: false, rejectUnauthorized: true, ca: pem } },
        undefined,
      ).ssl,
    ).toBe(false);
  });
});
