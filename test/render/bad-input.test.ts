/**
 * Every bad input is one report and exit 2, before anything is declared: the render command
 * as a user runs it, on stack files a new user might write. Each case names what the first
 * line of the report must say; none may show a stack trace.
 */
import { describe, expect, it } from "vitest";
import { BAD_INPUTS } from "../support/badInputs";
import { renderStackYaml } from "../support/render";

describe("bad input: exit 2, one report, no stack trace", () => {
  for (const { title, stack, yaml, firstLine, mentions } of BAD_INPUTS) {
    it(title, async () => {
      const result = await renderStackYaml(stack, yaml);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.resources).toEqual([]);
      expect(result.stderr.split("\n")[0]).toMatch(firstLine);
      for (const text of mentions) expect(result.stderr).toContain(text);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    });
  }

  it("never echoes the plain-text credential it refuses", async () => {
    const secret = BAD_INPUTS.find((input) => input.title.includes("kafkaSaslPassword"))!;
    const result = await renderStackYaml(secret.stack, secret.yaml);
    expect(result.stderr).not.toContain("hunter2");
  });
});
