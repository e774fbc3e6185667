// The Pulumi import file `topics import` writes records each topic with exactly the inputs the
// program declares on its next `pulumi up` (so that up shows the topics unchanged): the stack
// the import merged, rendered under Pulumi's mocks, against the file's own inputs.
import { describe, expect, it } from "vitest";
import { existingStack, importStack } from "../../src/topics/import";
import { KAFKA_TOPIC_TYPE } from "../../src/topics/model";
import { clusterTopic, kafkaCompacted, kafkaDefaults } from "../support/describeRows";
import { renderStackYaml, resourcesOfType } from "../support/render";

describe("the import file against the program's own declaration", () => {
  it("gives every imported topic the inputs the rendered program declares for it", async () => {
    const cluster = [
      clusterTopic("team.orders", kafkaCompacted(), 3),
      clusterTopic("apphub.jobs.runs", kafkaDefaults(), 2),
    ];
    const { text, importFile } = importStack({
      stack: "adopted",
      file: "Pulumi.adopted.yaml",
      existing: existingStack(undefined, "Pulumi.adopted.yaml"),
      connection: {
        brokers: ["10.1.0.7:9092", "10.1.0.8:9092"],
        brokerCount: 2,
        tls: { enabled: true, rejectUnauthorized: false },
      },
      topics: cluster,
      skipped: [],
      onCluster: new Set(cluster.map((topic) => topic.name)),
      importFile: "pulumi-import.adopted.json",
    });
    const result = await renderStackYaml("adopted", text!);
    expect(result.status, result.stderr).toBe(0);
    const declared = new Map(
      resourcesOfType(result, KAFKA_TOPIC_TYPE).map((resource) => [resource.name, resource]),
    );
    const recorded = importFile!.resources.filter((entry) => entry.type === KAFKA_TOPIC_TYPE);
    expect(recorded.map((entry) => entry.name).sort()).toEqual([...declared.keys()].sort());
    for (const entry of recorded) {
      const { __provider: _shim, ...inputs } = entry.inputs!;
      const { __provider: _declaredShim, ...declaredInputs } = declared.get(entry.name)!
        .inputs as Record<string, unknown>;
      expect(inputs, entry.name).toEqual(declaredInputs);
    }
  });
});
