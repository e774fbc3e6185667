/**
 * What the `declare*` builders of the components (`components/*.ts`) share, after the
 * pulumi-eks and pulumi-awsx layout: a component's constructor is a short sequence of builder
 * calls; each builder takes the component as `parent` and names its children
 * `<component name>-<suffix>`, so the resource graph is exactly the component's own.
 */
import * as pulumi from "@pulumi/pulumi";

/** Where a builder declares: the component's name (its children's name prefix) and the component (their parent). */
export interface Scope {
  name: string;
  parent: pulumi.Resource;
}

/**
 * Runs a pure planning step of `component`. An Error it throws becomes
 * `ResourceError(message, component)`: the engine reports the message against the component,
 * without a stack trace.
 */
export function planFor<T>(component: pulumi.Resource, plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (error instanceof pulumi.ResourceError) throw error;
    throw new pulumi.ResourceError(
      error instanceof Error ? error.message : String(error),
      component,
    );
  }
}
