/**
 * The render command over random stack files: every valid config renders (exit 0, a topic
 * resource per catalog topic), every config with one mistake exits 2 naming that key path,
 * with nothing declared. Few runs: each is a whole render.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../src/config/schema";
import { anyAcceptableConfig, invalidConfig, validConfig } from "../support/configArbitraries";
import { renderStackYaml, resourcesOfType } from "../support/render";

const stackYaml = (raw: Record<string, unknown>) =>
  stringify({
    config: Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [`apphub-streaming:${key}`, value]),
    ),
  });

describe("npm run render over random stack files", () => {
  it("renders every valid config, with its topics", async () => {
    await fc.assert(
      fc.asyncProperty(validConfig, async ({ raw, topic }) => {
        const result = await renderStackYaml(String(raw.environment), stackYaml(raw));
        expect(result.status, result.stderr).toBe(0);
        expect(
          resourcesOfType(result, "pulumi-nodejs:dynamic/streaming:KafkaTopic").map(
            (resource) => resource.name,
          ),
        ).toContain(topic);
      }),
      { numRuns: 6 },
    );
  });

  it("renders every config the schema accepts, in every environment (external included)", async () => {
    const acceptable = anyAcceptableConfig.filter((raw) => parseStackConfig(raw).ok);
    await fc.assert(
      fc.asyncProperty(acceptable, async (raw) => {
        const result = await renderStackYaml(String(raw.environment), stackYaml(raw));
        expect(result.status, result.stderr).toBe(0);
        expect(result.resources.length).toBeGreaterThan(0);
      }),
      { numRuns: 8 },
    );
  });

  it("exits 2 naming the key path of the one mistake, declaring nothing", async () => {
    await fc.assert(
      fc.asyncProperty(invalidConfig, async ({ raw, key }) => {
        const result = await renderStackYaml(String(raw.environment), stackYaml(raw));
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(`${key}:`);
        expect(result.resources).toEqual([]);
      }),
      { numRuns: 12 },
    );
  });
});
