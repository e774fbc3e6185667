/**
 * Pulumi entry point (`main` in Pulumi.yaml). Everything it does is `runStack` in `main.ts`,
 * which the offline render also runs.
 */
import { runStack } from "./main";

export = runStack();
