import { afterEach, describe, expect, it } from "vitest";
import {
  clientConfig,
  isKafkajsClockWarning,
  quietKafkajsClockWarning,
} from "../../src/topics/kafka";
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

describe("the kafkajs clock warning under Node 24 (tulios/kafkajs#1751)", () => {
  const now = 1_796_052_521_989;
  const clockDelay = (ms: number) => `${ms} is a negative number.\nTimeout duration was set to 1.`;
  const seen: string[] = [];
  const listener = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);

  afterEach(() => {
    process.off("warning", listener);
    seen.length = 0;
  });

  it("recognises only a delay of minus the clock, reported as TimeoutNegativeWarning", () => {
    expect(isKafkajsClockWarning(clockDelay(-now), "TimeoutNegativeWarning", now)).toBe(true);
    expect(isKafkajsClockWarning(clockDelay(-(now + 1500)), "TimeoutNegativeWarning", now)).toBe(
      true,
    );
    expect(isKafkajsClockWarning(clockDelay(-5), "TimeoutNegativeWarning", now)).toBe(false);
    expect(
      isKafkajsClockWarning(clockDelay(-(now - 3_600_000)), "TimeoutNegativeWarning", now),
    ).toBe(false);
    expect(isKafkajsClockWarning(clockDelay(-now), "DeprecationWarning", now)).toBe(false);
  });

  it("once quieted, the process drops that warning and still reports every other one", async () => {
    quietKafkajsClockWarning();
    quietKafkajsClockWarning();
    process.on("warning", listener);
    process.emitWarning(clockDelay(-Date.now()), "TimeoutNegativeWarning");
    process.emitWarning(clockDelay(-5), "TimeoutNegativeWarning");
    process.emitWarning("something else", { type: "ExperimentalWarning" });
    // Warnings are delivered on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      "TimeoutNegativeWarning: -5 is a negative number.\nTimeout duration was set to 1.",
      "ExperimentalWarning: something else",
    ]);
  });
});
