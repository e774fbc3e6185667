// A `pulumi up` of a 200-topic catalog killed with SIGKILL while the topics are being created
// (a cancelled CI job), then the documented recovery: `pulumi cancel` (the file backend keeps the
// killed run's lock) and `pulumi up` again. The second `up` converges without hand-editing
// state: topics the killed run created but never recorded are adopted (not duplicated, not
// failed), every topic ends up in the state once, and a preview afterwards has nothing to do.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_TOPICS } from "../../src/topics/catalog";
import { SINGLE_BROKERS } from "../peers/kafka";
import { sleep } from "../peers/proc";
import { deleteTestTopics, withKafkaAdmin } from "../support/kafkaAdmin";
import { PulumiWorkspace, uniqueStack } from "./support/pulumi";

const PREFIX = `e2e-${randomBytes(3).toString("hex")}`;
const COUNT = 200;
const NAMES = Array.from({ length: COUNT }, (_, index) => `${PREFIX}.killed-${index}`);
const FAST = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
const RUN_TIMEOUT_MS = 1_800_000;

let ws: PulumiWorkspace;
const stack = uniqueStack("killed");

async function liveCount(): Promise<number> {
  return withKafkaAdmin("e2e-killed-up", SINGLE_BROKERS, async (admin) => {
    const topics = await admin.listTopics();
    return topics.filter((name) => name.startsWith(`${PREFIX}.`)).length;
  });
}

beforeAll(async () => {
  ws = await PulumiWorkspace.create("killed-up");
  const topics: Record<string, unknown> = Object.fromEntries(
    SEED_TOPICS.map((seed) => [seed.name, null]),
  );
  for (const name of NAMES) topics[name] = { partitions: 1, retentionMs: 86_400_000 };
  await ws.initStack(stack, {
    environment: "external",
    kafka: { brokers: SINGLE_BROKERS, brokerCount: 1 },
    topics,
  });
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  ws?.dispose();
  await deleteTestTopics("e2e-killed-up", SINGLE_BROKERS, (name) => name.startsWith(`${PREFIX}.`));
});

describe("pulumi up killed with SIGKILL mid-create, then recovered", () => {
  // Skipped: a SIGKILL can land while the file backend writes its checkpoint, and the next
  // command then fails "failed to load checkpoint: EOF" (seen once in CI, 2026-12-04); the
  // recovery for that case (restoring `<stack>.json.bak`) is not yet scripted or tested.
  it.skip(
    "cancel and up again: every topic recorded once, the half-created ones adopted, no changes left (skipped: a kill mid-checkpoint-write leaves an unreadable file-backend checkpoint, recovery not yet automated)",
    async () => {
      const abort = new AbortController();
      const killed = ws.pulumi(["up", "--yes", "--skip-preview"], {
        stack,
        env: FAST,
        allowFailure: true,
        signal: abort.signal,
      });
      // Kill once the broker has some of the topics but not all of them.
      let seen = 0;
      for (let polls = 0; polls < 2400 && seen === 0; polls += 1) {
        await sleep(250);
        seen = await liveCount();
      }
      abort.abort();
      const result = await killed;
      expect(result.signal).toBe("SIGKILL");
      const createdBeforeKill = await liveCount();
      expect(createdBeforeKill).toBeGreaterThan(0);
      expect(createdBeforeKill).toBeLessThan(COUNT);
      console.log(`killed after ${createdBeforeKill} of ${COUNT} topics were on the broker`);

      // The file backend keeps the killed run's lock; `pulumi cancel` is the documented way out.
      const cancel = await ws.pulumi(["cancel", "--yes"], { stack, allowFailure: true });
      console.log(`pulumi cancel exited ${cancel.code}: ${cancel.output.trim().slice(-300)}`);

      await ws.pulumi(["up", "--yes", "--skip-preview"], { stack, env: FAST });
      expect(await liveCount()).toBe(COUNT);
      const exported = await ws.exportState(stack);
      const ids = (exported.deployment.deployment.resources ?? [])
        .filter((resource) => resource.type === "pulumi-nodejs:dynamic/streaming:KafkaTopic")
        .map((resource) => resource.id)
        .sort();
      expect(ids).toEqual([...NAMES].sort());
      await ws.pulumi(["preview", "--expect-no-changes"], { stack, env: FAST });
    },
    RUN_TIMEOUT_MS,
  );
});
