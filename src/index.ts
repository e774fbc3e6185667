/**
 * Pulumi entry point (`main` in Pulumi.yaml). Everything it does is `runStack` in `main.ts`,
 * which the offline render also runs. Exported as a function: the Node runtime calls it and
 * awaits the stack outputs it returns (and reports a thrown `RunError` as its message alone).
 */
import { runStack } from "./main";

export = runStack;
