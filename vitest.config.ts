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
    ],
  },
});
