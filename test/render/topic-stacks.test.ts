// KafkaTopic under Pulumi's mocks, in-process: which stacks taken while a topic is constructed
// reach the installed stack formatter (ts-node's source maps, in a real run). Only the SDK's
// source-position read does; the SDK's promise bookkeeping stacks (one per output property) do
// not, since formatting them through source maps cost ~12 ms per topic (docs/topics.md, "Where
// the time goes").
import { describe, expect, it } from "vitest";
import { captureProgram } from "../../src/render/capture";
import { KafkaTopic } from "../../src/topics/resource";

/** `function@file` of each frame of every stack the spy formatted. */
async function stacksFormattedWhileConstructing(): Promise<string[][]> {
  const formatted: string[][] = [];
  const installed = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    formatted.push(frames.map((frame) => `${frame.getFunctionName()}@${frame.getFileName()}`));
    return installed
      ? installed(error, frames)
      : [String(error), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
  };
  try {
    await captureProgram("dev", { environment: "external" }, [], () => {
      new KafkaTopic("apphub.stacks.test", {
        name: "apphub.stacks.test",
        partitions: 3,
        replicationFactor: 1,
        config: { "retention.ms": "3600000" },
        deletionPolicy: "retain",
        providerVersion: "3",
        connection: {
          brokers: ["127.0.0.1:19092"],
          clientId: "apphub-streaming",
          connectTimeoutMs: 1000,
          requestTimeoutMs: 1000,
          tls: { enabled: false, rejectUnauthorized: true },
        },
      });
      return {};
    });
  } finally {
    Error.prepareStackTrace = installed;
  }
  return formatted;
}

describe("KafkaTopic: stacks taken while a topic is constructed", () => {
  it("reach the installed formatter only for the SDK's source-position read", async () => {
    const stacks = await stacksFormattedWhileConstructing();
    const inConstructor = stacks.filter((frames) =>
      frames.some((frame) => frame.startsWith("KafkaTopic@")),
    );
    const sourcePositionReads = inConstructor.filter((frames) =>
      frames.some((frame) => /^callsites@.*[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/.test(frame)),
    );
    expect(sourcePositionReads).toHaveLength(1);
    // The read is trimmed to the topic's own frames plus the line that declared it.
    expect(sourcePositionReads[0]!.at(-2)).toMatch(/^KafkaTopic@.*resource\.ts$/);
    const promiseStacks = inConstructor.filter((frames) =>
      frames.some((frame) => frame.startsWith("debuggablePromise@")),
    );
    expect(promiseStacks).toEqual([]);
  });
});
