/** `applyYamlSets`: values set by splicing text, everything else byte for byte. */
import { describe, expect, it } from "vitest";
import { applyYamlSets } from "../../src/ops/yamlEdit";

const FILE = `# head comment
config:
  apphub-streaming:environment: prod   # aligned comment
  apphub-streaming:topics:
    apphub.core.events:
      retentionMs: 604800000 # a week
    apphub.streaming.input: null # not in prod
    apphub.streaming.aggregates:

  # between sections
  apphub-streaming:streaming:
    clientId: "apphub-core-stream"
    mirrors: {ingestion: false}
# trailing comment
`;

describe("applyYamlSets", () => {
  it("replaces a scalar in place, keeping its trailing comment", () => {
    const out = applyYamlSets(FILE, [
      {
        path: ["config", "apphub-streaming:topics", "apphub.core.events", "retentionMs"],
        value: 259200000,
      },
    ]);
    expect(out).toBe(
      FILE.replace("retentionMs: 604800000 # a week", "retentionMs: 259200000 # a week"),
    );
  });

  it("keeps the quoting style of the string it replaces", () => {
    const out = applyYamlSets(FILE, [
      { path: ["config", "apphub-streaming:streaming", "clientId"], value: "apphub-core-mirror" },
    ]);
    expect(out).toBe(
      FILE.replace('clientId: "apphub-core-stream"', 'clientId: "apphub-core-mirror"'),
    );
  });

  it("inserts a missing key after the last sibling, before comments that belong to the next section", () => {
    const out = applyYamlSets(FILE, [
      { path: ["config", "apphub-streaming:topics", "apphub.new", "partitions"], value: 12 },
    ]);
    expect(out).toBe(
      FILE.replace(
        "    apphub.streaming.aggregates:\n",
        "    apphub.streaming.aggregates:\n    apphub.new:\n      partitions: 12\n",
      ),
    );
  });

  it("turns `key: null` and an empty `key:` into maps, keeping the comment on the key's line", () => {
    const out = applyYamlSets(FILE, [
      {
        path: ["config", "apphub-streaming:topics", "apphub.streaming.input"],
        value: { retentionMs: 1 },
      },
      {
        path: ["config", "apphub-streaming:topics", "apphub.streaming.aggregates", "partitions"],
        value: 3,
      },
    ]);
    expect(out).toBe(
      FILE.replace(
        "    apphub.streaming.input: null # not in prod\n",
        "    apphub.streaming.input: # not in prod\n      retentionMs: 1\n",
      ).replace(
        "    apphub.streaming.aggregates:\n",
        "    apphub.streaming.aggregates:\n      partitions: 3\n",
      ),
    );
  });

  it("adds a whole new top-level config key at the end of the config map", () => {
    const out = applyYamlSets(FILE, [
      { path: ["config", "apphub-streaming:probeTopic"], value: "apphub.probe" },
    ]);
    expect(out).toBe(
      FILE.replace(
        "    mirrors: {ingestion: false}\n",
        "    mirrors: {ingestion: false}\n  apphub-streaming:probeTopic: apphub.probe\n",
      ),
    );
  });

  it("re-prints only the flow map that receives a key", () => {
    const out = applyYamlSets(FILE, [
      { path: ["config", "apphub-streaming:streaming", "mirrors", "jobRuns"], value: true },
    ]);
    expect(out).toBe(
      FILE.replace("mirrors: {ingestion: false}", "mirrors: { ingestion: false, jobRuns: true }"),
    );
  });

  it("follows the file's indentation step", () => {
    const fourSpaces =
      "config:\n    apphub-streaming:environment: prod\n    apphub-streaming:streaming:\n        enabled: true\n";
    const out = applyYamlSets(fourSpaces, [
      { path: ["config", "apphub-streaming:streaming", "mirrors", "jobRuns"], value: true },
    ]);
    expect(out).toBe(`${fourSpaces}        mirrors:\n            jobRuns: true\n`);
  });

  it("quotes keys that would not read back as the same string", () => {
    const out = applyYamlSets("config:\n  a: 1\n", [
      { path: ["config", "on"], value: "x" },
      { path: ["config", "b"], value: "123" },
    ]);
    expect(out).toBe('config:\n  a: 1\n  "on": x\n  b: "123"\n');
  });

  it("adds `config:` to a stack file that only has its encryption salt", () => {
    const out = applyYamlSets("encryptionsalt: v1:c2FsdA==:v1:abc\n", [
      { path: ["config", "apphub-streaming:streaming", "mirrors", "jobRuns"], value: true },
    ]);
    expect(out).toBe(
      "encryptionsalt: v1:c2FsdA==:v1:abc\nconfig:\n  apphub-streaming:streaming:\n    mirrors:\n      jobRuns: true\n",
    );
  });

  it("inserts after a block scalar without touching it", () => {
    const file =
      "config:\n  apphub-streaming:topics:\n    apphub.x:\n      config:\n        note: |\n          two\n          lines\n# end\n";
    const out = applyYamlSets(file, [
      { path: ["config", "apphub-streaming:topics", "apphub.x", "retentionMs"], value: 5 },
    ]);
    expect(out).toBe(file.replace("          lines\n", "          lines\n      retentionMs: 5\n"));
  });

  it("replaces a block list with a one-line list, or a list of maps with a block list, leaving no blank line", () => {
    const file =
      "config:\n  kafka:\n    brokers:\n      - a:1\n      - b:2\n    acls:\n      - topic: t\n        operations:\n          - read\n  next: 1\n";
    const out = applyYamlSets(file, [
      { path: ["config", "kafka", "brokers"], value: ["c:3"] },
      {
        path: ["config", "kafka", "acls"],
        value: [
          { topic: "t", operations: ["read", "write"] },
          { cluster: true, operations: ["alter"] },
        ],
      },
    ]);
    expect(out).toBe(
      'config:\n  kafka:\n    brokers: ["c:3"]\n    acls:\n      - topic: t\n        operations: ["read", "write"]\n      - cluster: true\n        operations: ["alter"]\n  next: 1\n',
    );
  });

  it("refuses a file that is not valid YAML", () => {
    expect(() =>
      applyYamlSets("config:\n  a: [1,\n", [{ path: ["config", "a"], value: 1 }]),
    ).toThrow(/invalid YAML/);
  });
});
