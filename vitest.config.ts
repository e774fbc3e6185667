import { defineConfig } from "vitest/config";

// Unit suites need nothing; integration suites talk to the real peers, which the global
// setup starts (or finds already started by .ci/run) and which must never be silently absent.
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
          include: ["test/unit/**/*.test.ts", "test/render/**/*.test.ts"],
          globalSetup: ["test/renderSetup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/globalSetup.ts"],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The real Pulumi CLI (and kube-apiserver) against the Kafka peers: slow, so apart.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          // A cold engine build happens here when .ci/run has not done it first.
          hookTimeout: 3_600_000,
        },
      },
    ],
  },
});
