/**
 * Runs the real program under Pulumi's mock runtime and captures every resource the way
 * the engine would receive it. The mock monitor's requests are read raw so that secrets are
 * still marked as such and can be masked, and dependencies and options are recorded too.
 * Imports the SDK's own modules, not its index, as the program does (`src/pulumi.ts`), so a
 * render loads what `pulumi up` loads.
 */
import { isSecret, output, type Input, type Output } from "@pulumi/pulumi/output";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { setMocks, type Mocks } from "@pulumi/pulumi/runtime/mocks";
import { disconnect, getMonitor } from "@pulumi/pulumi/runtime/settings";
import { CONFIG_NAMESPACE } from "../config/schema";

export const MASK = "[secret]";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CapturedResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
  dependsOn: string[];
  options: {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
  };
  custom: boolean;
}

export interface Capture {
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
}

/** The last path segment of a URN is the logical name. */
export function nameFromUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * A secret map (a Secret's `stringData`, which @pulumi/kubernetes wraps whole) keeps its keys
 * with every value masked, so the rendered object keeps its schema; anything else is one mask.
 */
function maskSecret(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || SIG_KEY in value)
    return MASK;
  return Object.fromEntries(Object.keys(value).map((key) => [key, MASK]));
}

/** Turns the wire form of property values into plain JSON, masking every secret. */
export function decodeWire(value: unknown): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map(decodeWire);
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  switch (record[SIG_KEY]) {
    case SECRET_SIG:
      return maskSecret(record.value);
    case OUTPUT_SIG:
      if (record.secret === true) return maskSecret(record.value);
      return "value" in record ? decodeWire(record.value) : "[unknown]";
    case RESOURCE_SIG:
      return nameFromUrn(String(record.urn));
    default:
      return Object.fromEntries(
        Object.entries(record).map(([key, inner]) => [key, decodeWire(inner)]),
      );
  }
}

/** Computed outputs a few provider resources need so that dependents render. */
function mockState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  if (
    type === "random:index/randomPassword:RandomPassword" ||
    type === "pulumi-nodejs:dynamic/streaming:GeneratedPassword"
  )
    return { ...inputs, result: "[generated at pulumi up]" };
  // Key material exists only after `pulumi up`; the placeholders keep a TLS Secret's keys.
  if (type.startsWith("tls:")) {
    const generated = "[generated at pulumi up]";
    return { ...inputs, certPem: generated, privateKeyPem: generated, publicKeyPem: generated };
  }
  if (type.startsWith("aws:")) {
    const bucket = typeof inputs.bucket === "string" ? inputs.bucket : name;
    return {
      ...inputs,
      arn: type.startsWith("aws:s3/") ? `arn:aws:s3:::${bucket}` : `arn:aws:mock:${type}:${name}`,
      id: bucket,
    };
  }
  return inputs;
}

const mocks: Mocks = {
  newResource: (args) => ({
    id: `${args.name}-id`,
    state: mockState(args.type, args.name, args.inputs),
  }),
  call: (args) => {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: "123456789012",
          arn: "arn:aws:iam::123456789012:user/render",
          userId: "render",
        };
      case "aws:index/getRegion:getRegion":
        return { name: "us-east-1", region: "us-east-1" };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com" };
      default:
        return args.inputs;
    }
  },
};

interface RawRegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
}

/**
 * Sets up mocks and config, then runs `program`. `config` maps short keys to values; keys in
 * `secretKeys` become Pulumi secrets.
 */
export async function captureProgram(
  stack: string,
  config: Record<string, unknown>,
  secretKeys: readonly string[],
  program: () => Record<string, unknown> | Promise<Record<string, unknown>>,
): Promise<Capture> {
  await setMocks(mocks, CONFIG_NAMESPACE, stack, false);
  const namespaced = Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      `${CONFIG_NAMESPACE}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  setAllConfig(
    namespaced,
    secretKeys.map((key) => `${CONFIG_NAMESPACE}:${key}`),
  );

  const resources: CapturedResource[] = [];
  const monitor = getMonitor() as unknown as {
    registerResource(request: RawRegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    resources.push({
      type: request.getType(),
      name: request.getName(),
      parent: request.getParent() ? nameFromUrn(request.getParent()) : null,
      inputs: decodeWire(request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
      dependsOn: request.getDependenciesList().map(nameFromUrn).sort(),
      options: {
        protect: request.getProtect() ?? false,
        retainOnDelete: request.getRetainondelete() ?? false,
        deleteBeforeReplace: request.getDeletebeforereplace(),
        ignoreChanges: request.getIgnorechangesList(),
        replaceOnChanges: request.getReplaceonchangesList(),
        additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
      },
      custom: request.getCustom(),
    });
    return register(request, callback);
  };

  const exported = await program();
  const outputs = await resolveOutputs(exported);
  await disconnect();
  return { resources, outputs };
}

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(exported).map(async ([key, value]) => {
      const wrapped = output(value as Input<unknown>) as Output<unknown>;
      const [resolved, secret] = await Promise.all([
        new Promise<unknown>((done) => wrapped.apply((inner) => done(inner))),
        isSecret(wrapped),
      ]);
      return [key, secret ? MASK : resolved] as const;
    }),
  );
  return Object.fromEntries(entries);
}
