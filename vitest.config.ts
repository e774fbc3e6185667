import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

// Test tiers (README, "Tests"). The folder is the tier: test/<tier>/**/*.test.ts, nothing else.
// - unit: pure functions and in-process commands; no child process, no peer, no render.
// - render: the program under Pulumi's mock runtime, in-process from the sources (the dynamic
//   provider's closure serialization, which vitest's transform breaks, is stubbed there).
// - process: what needs a child process: compiled CLIs (built first by test/buildSetup.ts, so
//   never stale), ts-node as `pulumi up` loads the program, rendered scripts run by bash.
// - integration: the real peers (Kafka, S3), which the global setup starts or finds running.
// - e2e: real engines (the Pulumi CLI, kube-apiserver) against the peers.
// test/unit/tiers.test.ts holds every folder to its rule.
export const TIERS = ["unit", "render", "process", "integration", "e2e"] as const;
export type Tier = (typeof TIERS)[number];

/** Unit and render run in-process: this setup file makes any child process there an error. */
export const IN_PROCESS_GUARD = "test/support/inProcessOnly.ts";

type TierOptions = NonNullable<TestProjectInlineConfiguration["test"]>;

const tier = (name: Tier, test: TierOptions = {}): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include: [`test/${name}/**/*.test.ts`], ...test },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Vitest reads fileParallelism and the pool's size from this root config only (a project's own
    // setting is ignored): files run in parallel up to cores - 1 workers, so one at a time on two cores.
    projects: [
      tier("unit", { setupFiles: [IN_PROCESS_GUARD] }),
      tier("render", {
        setupFiles: [IN_PROCESS_GUARD],
        globalSetup: ["test/renderSetup.ts"],
        // Renders in one worker run one at a time (Pulumi's runtime state is global), so a test
        // may wait for another's; on a loaded 2-core machine 60 s was not always enough.
        testTimeout: 180_000,
      }),
      tier("process", {
        // The rendered scripts come from the repository's stacks, rendered once like the render tier's.
        globalSetup: ["test/buildSetup.ts", "test/renderSetup.ts"],
        testTimeout: 180_000,
      }),
      tier("integration", {
        globalSetup: ["test/buildSetup.ts", "test/globalSetup.ts"],
      }),
      tier("e2e", {
        globalSetup: ["test/buildSetup.ts", "test/globalSetup.ts"],
        testTimeout: 600_000,
        // A cold engine build happens here when .ci/run has not done it first.
        hookTimeout: 3_600_000,
      }),
    ],
  },
});
