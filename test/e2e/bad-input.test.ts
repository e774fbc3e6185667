// Bad input under the real Pulumi CLI, as an engineer meets it in `pulumi preview`: one report
// naming the key and what is expected, no stack trace, and no broker contacted (the stacks point
// at a port nothing listens on, so any attempt to connect would turn into a connection error).
// The same inputs through the offline render are covered in test/render/bad-input.test.ts.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedTopicsOff } from "../support/config";
import { PulumiWorkspace, uniqueStack } from "./support/pulumi";

/** Port 9 (discard) on loopback: nothing of the peers listens there. */
const NOBODY = ["127.0.0.1:9"];
const PLAIN_PASSWORD = "hunter2-in-git";
const RUN_TIMEOUT_MS = 600_000;

let ws: PulumiWorkspace;

beforeAll(async () => {
  ws = await PulumiWorkspace.create("bad-input");
}, 600_000);

afterAll(() => ws?.dispose());

function externalStack(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    environment: "external",
    kafka: { brokers: NOBODY, brokerCount: 1 },
    topics: seedTopicsOff(),
    ...extra,
  };
}

/** A new stack on the unreachable brokers, with `extra` over the external defaults. */
async function newStack(label: string, extra: Record<string, unknown> = {}): Promise<string> {
  const stack = uniqueStack(label);
  await ws.initStack(stack, externalStack(extra));
  return stack;
}

/**
 * `pulumi preview`, which must fail with a user-error report: no JavaScript stack frame and no
 * connection attempt. Returns what the CLI printed.
 */
async function refusedPreview(stack: string): Promise<string> {
  const preview = await ws.pulumi(["preview"], { stack, allowFailure: true });
  expect(preview.code).not.toBe(0);
  expect(preview.output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  expect(preview.output).not.toMatch(/ECONNREFUSED|KafkaJSConnectionError|Connection error/);
  return preview.output;
}

describe("bad input under the real Pulumi CLI", () => {
  it(
    "a plain-text kafkaSaslPassword in the stack file: the preview fails naming the key and the command that stores it encrypted",
    async () => {
      const stack = await newStack("plain-secret", {
        kafka: {
          brokers: NOBODY,
          brokerCount: 1,
          sasl: { mechanism: "scram-sha-512", username: "apphub" },
        },
        kafkaSaslPassword: PLAIN_PASSWORD,
      });
      const output = await refusedPreview(stack);
      expect(output).toContain("apphub-streaming:kafkaSaslPassword");
      expect(output).toContain("expected a Pulumi secret, got plain text");
      expect(output).toContain(
        `pulumi config set --secret apphub-streaming:kafkaSaslPassword <value> --stack ${stack}`,
      );
      expect(output).not.toContain(PLAIN_PASSWORD);

      // The same key set the way the report says is accepted (the runtime knows it is secret).
      ws.writeConfig(stack, { kafkaSaslPassword: undefined });
      await ws.setSecret(stack, "kafkaSaslPassword", PLAIN_PASSWORD);
      expect(fs.readFileSync(ws.stackFile(stack), "utf8")).not.toContain(PLAIN_PASSWORD);
      const again = await ws.pulumi(["preview"], { stack, allowFailure: true });
      expect(again.output).not.toContain("expected a Pulumi secret");
      expect(again.output).not.toContain(PLAIN_PASSWORD);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "out-of-range partitions and a bad retention: one report naming both key paths, before any broker is contacted",
    async () => {
      const stack = await newStack("bad-numbers", {
        topics: {
          ...seedTopicsOff(),
          "e2e.bad.events": { partitions: 1_000_000_000_000, retentionMs: -5 },
        },
      });
      const output = await refusedPreview(stack);
      expect(output).toMatch(/Invalid stack config \(2 problems\)/);
      expect(output).toMatch(
        /apphub-streaming:topics\.e2e\.bad\.events\.partitions: expected at most \d+ partitions \(.+\), got 1000000000000/,
      );
      expect(output).toContain("apphub-streaming:topics.e2e.bad.events.retentionMs");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a YAML syntax error in the stack file: the CLI itself refuses it, naming the line, before the program runs",
    async () => {
      const stack = await newStack("bad-yaml");
      fs.appendFileSync(ws.stackFile(stack), "  apphub-streaming:namespace: [unclosed\n");
      const brokenLine = fs.readFileSync(ws.stackFile(stack), "utf8").trimEnd().split("\n").length;
      const output = await refusedPreview(stack);
      // Pulumi parses the stack file before starting the program, so this report is the CLI's
      // own (it names the line, not the file); `npm run render` names file, line and column.
      const reported = /invalid YAML file: yaml: line (\d+):/.exec(output);
      expect(reported, output).not.toBeNull();
      // go-yaml may name the line before the one that broke (an unclosed flow sequence).
      expect(Math.abs(Number(reported![1]) - brokenLine)).toBeLessThanOrEqual(1);
    },
    RUN_TIMEOUT_MS,
  );
});
