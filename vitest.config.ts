import { defineConfig } from "vitest/config";

// Test tiers (README, "Tests"):
// - unit: pure functions and in-process commands; no child process, no peer, no render.
// - render: the program under Pulumi's mock runtime, in-process from the sources (the dynamic
//   provider's closure serialization, which vitest's transform breaks, is stubbed there).
// - process: what needs a child process: compiled CLIs (built first by test/buildSetup.ts, so
//   never stale), ts-node as `pulumi up` loads the program, shell stand-ins.
// - integration: the real peers (Kafka, S3), which the global setup starts or finds running.
// - e2e: real engines, `test/e2e/**`, globalSetup: build, then the e2e peers (`test/globalSetup.ts`).
const PROCESS_TESTS = [
  "test/render/diff-cli.test.ts",
  "test/render/entrypoint.test.ts",
  "test/unit/backup-kubectl-source.test.ts",
];
const RENDERING_UNIT_TESTS = ["test/unit/topics-component.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          exclude: [...PROCESS_TESTS, ...RENDERING_UNIT_TESTS],
        },
      },
      {
        extends: true,
        test: {
          name: "render",
          include: ["test/render/**/*.test.ts", ...RENDERING_UNIT_TESTS],
          exclude: PROCESS_TESTS,
          globalSetup: ["test/renderSetup.ts"],
          // Renders in one worker run one at a time (Pulumi's runtime state is global), so a test
          // may wait for another's; on a loaded 2-core machine 60 s was not always enough.
          testTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "process",
          include: PROCESS_TESTS,
          globalSetup: ["test/buildSetup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/buildSetup.ts", "test/globalSetup.ts"],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The real Pulumi CLI (and kube-apiserver) against the Kafka peers: slow, so apart.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/buildSetup.ts", "test/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          // A cold engine build happens here when .ci/run has not done it first.
          hookTimeout: 3_600_000,
        },
      },
    ],
  },
});
