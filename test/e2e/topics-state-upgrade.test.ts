// A stack whose topics were recorded by the previous provider version ("2") upgrades with one
// in-place update per topic, never a replace: the state is set back to version "2" (`stack
// export`, the version field edited, `stack import`, standing in for a stack written by the
// previous release), then the preview must list exactly one update per topic and no replace,
// `up` applies it, and a preview afterwards has nothing to do.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_VERSION } from "../../src/topics/model";
import { SINGLE_BROKERS } from "../peers/kafka";
import { deleteTestTopics } from "../support/kafkaAdmin";
import { externalTopicsConfig, PulumiWorkspace, uniqueStack } from "./support/pulumi";

const PREFIX = `e2e-${randomBytes(3).toString("hex")}`;
const NAMES = [0, 1, 2].map((index) => `${PREFIX}.upgrade-${index}`);
const RUN_TIMEOUT_MS = 1_800_000;
const TOPIC_TYPE = "pulumi-nodejs:dynamic/streaming:KafkaTopic";

let ws: PulumiWorkspace;
const stack = uniqueStack("upgrade");

beforeAll(async () => {
  ws = await PulumiWorkspace.create("state-upgrade");
  await ws.initStack(
    stack,
    externalTopicsConfig(NAMES, { partitions: 1, retentionMs: 86_400_000 }),
  );
  await ws.pulumi(["up", "--yes", "--skip-preview"], { stack });
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  ws?.dispose();
  await deleteTestTopics("e2e-state-upgrade", SINGLE_BROKERS, (name) => NAMES.includes(name));
});

describe("a stack recorded by the previous provider version", () => {
  it(
    "upgrades with one in-place update per topic, no replace",
    async () => {
      const previous = String(Number(PROVIDER_VERSION) - 1);
      const exported = await ws.exportState(stack);
      for (const resource of exported.deployment.deployment.resources ?? []) {
        if (resource.type !== TOPIC_TYPE) continue;
        if (resource.inputs) resource.inputs.providerVersion = previous;
        if (resource.outputs) resource.outputs.providerVersion = previous;
      }
      await ws.pulumi(["stack", "import"], { stack }, JSON.stringify(exported.deployment));

      const preview = await ws.pulumi(["preview", "--diff"], { stack });
      expect(preview.output).toContain(`${NAMES.length} to update`);
      expect(preview.output).not.toMatch(/to replace|replace\]/);
      const versionLines = preview.output.match(
        new RegExp(`providerVersion\\s*: "${previous}" => "${PROVIDER_VERSION}"`, "g"),
      );
      expect(versionLines, preview.output).toHaveLength(NAMES.length);

      const up = await ws.pulumi(["up", "--yes"], { stack });
      expect(up.output).toContain(`${NAMES.length} updated`);
      await ws.pulumi(["preview", "--expect-no-changes"], { stack });
    },
    RUN_TIMEOUT_MS,
  );
});
