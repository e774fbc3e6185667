import { describe, expect, it } from "vitest";
import {
  debugWanted,
  notAttemptedMessage,
  reportingFailures,
} from "../../src/topics/providerFailures";

const CONNECT_FAILURE =
  "could not connect to Kafka brokers 127.0.0.1:1: Connection error: connect ECONNREFUSED 127.0.0.1:1. Check that the brokers are running";

describe("provider failures: one report per failure", () => {
  it("the first call carries the full message, stackless; later calls with the same error say not attempted", async () => {
    const shared = new Error(CONNECT_FAILURE);
    const first = await reportingFailures("a", () => Promise.reject(shared)).catch(
      (error: unknown) => error as Error,
    );
    const second = await reportingFailures("b", () => Promise.reject(shared)).catch(
      (error: unknown) => error as Error,
    );
    expect(first.message).toBe(CONNECT_FAILURE);
    expect(first.stack).not.toMatch(/\n\s+at /);
    expect(second.message).toBe(
      "b: not attempted (brokers 127.0.0.1:1 unreachable; reported once, on another topic)",
    );
    expect(second.message).not.toMatch(/check that/i);
  });

  it("distinct errors each keep their own message (a failed topic fails alone)", async () => {
    const messages = await Promise.all(
      ["x", "y"].map((name) =>
        reportingFailures(name, () =>
          Promise.reject(new Error(`${name}: TOPIC_ALREADY_EXISTS`)),
        ).catch((error: unknown) => (error as Error).message),
      ),
    );
    expect(messages).toEqual(["x: TOPIC_ALREADY_EXISTS", "y: TOPIC_ALREADY_EXISTS"]);
  });

  it("results pass through unchanged", async () => {
    await expect(reportingFailures("a", () => Promise.resolve(42))).resolves.toBe(42);
  });

  it("a failure without the brokers named still reads as not attempted", () => {
    expect(notAttemptedMessage("t", "boom")).toBe(
      "t: not attempted (failed; reported once, on another topic)",
    );
  });

  it("APPHUB_DEBUG turns stacks back on unless empty or 0", () => {
    expect(debugWanted({ APPHUB_DEBUG: "1" })).toBe(true);
    expect(debugWanted({ APPHUB_DEBUG: "0" })).toBe(false);
    expect(debugWanted({ APPHUB_DEBUG: "" })).toBe(false);
    expect(debugWanted({})).toBe(false);
  });
});
