/**
 * The parts of `@pulumi/pulumi` that every stack's program uses (the entry point, the topic
 * bootstrap), imported from the SDK's own modules instead of its index.
 *
 * Why: `import * as pulumi from "@pulumi/pulumi"` loads the whole SDK index, and the index loads
 * the automation API and the closure serializer (@npmcli/arborist, the TypeScript compiler's
 * function parser): measured here 2.6 s and +58 MiB before the program declares anything, on
 * every `pulumi preview` and twice per `pulumi up`, for code the program never calls. The
 * modules below are what the language host has loaded already (0.4 s, 73 MiB together). An
 * `external` stack loads nothing else of Pulumi; stacks that deploy Kubernetes, Docker or AWS
 * resources load the whole SDK anyway through those providers' SDKs.
 *
 * The names match the index's, so `import * as pulumi from "./pulumi"` reads as the SDK does.
 * test/process/entrypoint.test.ts holds an `external` stack to loading no SDK index.
 */
export {
  ComponentResource,
  CustomResource,
  Resource,
  type ComponentResourceOptions,
  type CustomResourceOptions,
  type ResourceOptions,
} from "@pulumi/pulumi/resource";
export {
  all,
  output,
  secret,
  Output,
  type Input,
  type Inputs,
  type Unwrap,
} from "@pulumi/pulumi/output";
export { ResourceError, RunError } from "@pulumi/pulumi/errors";
export { Config } from "@pulumi/pulumi/config";
export { getStack } from "@pulumi/pulumi/metadata";
export * as log from "@pulumi/pulumi/log";
export { allConfig } from "@pulumi/pulumi/runtime/config";
