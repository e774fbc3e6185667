/** Properties of the stack config schema over random configs (generators: test/support/configArbitraries.ts). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../src/config/schema";
import { invalidConfig, validConfig } from "../support/configArbitraries";

describe("the stack config schema, for random configs", () => {
  it("accepts every valid config and keeps each value it was given", () => {
    fc.assert(
      fc.property(validConfig, ({ raw, topic }) => {
        const result = parseStackConfig(raw);
        if (!result.ok) throw new Error(JSON.stringify(result.issues));
        const given = (raw.topics as Record<string, Record<string, unknown>>)[topic]!;
        const resolved = result.config.topics.find((spec) => spec.name === topic)!;
        for (const field of [
          "partitions",
          "replicationFactor",
          "retentionMs",
          "deletionPolicy",
        ] as const) {
          if (given[field] !== undefined) expect(resolved[field]).toBe(given[field]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses every config with one mistake, naming that key path", () => {
    fc.assert(
      fc.property(invalidConfig, ({ raw, key }) => {
        const result = parseStackConfig(raw);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.issues.map((issue) => issue.key)).toContain(key);
      }),
      { numRuns: 300 },
    );
  });
});
