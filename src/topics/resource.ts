/**
 * The topic resource class: a dynamic resource, type token
 * `pulumi-nodejs:dynamic/streaming:KafkaTopic` (the Node dynamic-provider host serves it), whose
 * `__provider` input is the shim text of `provider.ts`. It is what `pulumi.dynamic.Resource`
 * does (a `CustomResource` of that type with `__provider` set) without serializing a closure.
 * It declares the echoed outputs the component reads.
 *
 * The engine stores, with every resource, the stack it was registered from (`stackTrace` in
 * `pulumi stack export`): Pulumi's SDK records every frame, down through the Node host's run
 * harness and ts-node, ~700 bytes per topic of a 2 KB budget (docs/topics.md, "What the state
 * holds"). A topic records one frame instead: the program line that declared its component
 * (`declarationFramesOnly`).
 */
import { KAFKA_TOPIC_TYPE, type ConnectionSettingsOf, type DeletionPolicy } from "./model";
import { providerShim } from "./provider";
import type { AdoptionNote } from "./providerLogic";
import * as pulumi from "../pulumi";

/** Connection settings as the program holds them: brokers and CA may be other resources' outputs. */
export type ProgramConnection = ConnectionSettingsOf<pulumi.Input<string[]>, pulumi.Input<string>>;

/** Inputs of one topic resource; see `KafkaTopicInputs` in `model.ts` for the resolved shape. */
export interface KafkaTopicArgs {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
  deletionPolicy: DeletionPolicy;
  providerVersion: string;
  connection: pulumi.Input<ProgramConnection>;
  saslPassword?: pulumi.Input<string>;
  /** true for a topic the stack adopts (`apphub-streaming:topics.<name>.adopt`); absent otherwise. */
  adopt?: boolean;
}

export class KafkaTopic extends pulumi.CustomResource {
  // `declare`: the engine fills these in; a class field initializer would overwrite them.
  declare public readonly partitions: pulumi.Output<number>;
  /** Partitions on the broker at the last create, update or refresh (absent in state written by provider version 1). */
  declare public readonly livePartitions: pulumi.Output<number | undefined>;
  declare public readonly replicationFactor: pulumi.Output<number>;
  declare public readonly config: pulumi.Output<Record<string, string>>;
  declare public readonly deletionPolicy: pulumi.Output<DeletionPolicy>;
  /**
   * Set only while a create of an `adopt` topic is previewed: what `check` found on the broker
   * (`ADOPTION_NOTE` in `providerLogic.ts`); undefined otherwise.
   */
  declare public readonly __adoption: pulumi.Output<AdoptionNote | undefined>;

  constructor(topicName: string, args: KafkaTopicArgs, opts?: pulumi.CustomResourceOptions) {
    const restoreStackFormat = declarationFramesOnly();
    try {
      // An output-only property must be named (as undefined, which is not sent as an input) for
      // the SDK to create its Output on this object.
      super(
        KAFKA_TOPIC_TYPE,
        topicName,
        { ...args, livePartitions: undefined, __adoption: undefined, __provider: providerShim() },
        opts,
      );
    } finally {
      restoreStackFormat();
    }
  }
}

/** A frame of this program's own code: not Node's, not a package's (Pulumi's run harness, ts-node). */
function isProgramFrame(frame: NodeJS.CallSite): boolean {
  const file = frame.getFileName() ?? "";
  return file !== "" && !file.startsWith("node:") && !/[\\/]node_modules[\\/]/.test(file);
}

/** A frame of the topic bootstrap itself: its component and the topic builders. */
function isTopicCodeFrame(frame: NodeJS.CallSite): boolean {
  return /[\\/](components[\\/]TopicBootstrap|src[\\/]topics[\\/])/.test(frame.getFileName() ?? "");
}

/** The SDK reading a stack for a resource's source position (`Resource.callsites`). */
function isSourcePositionRead(frame: NodeJS.CallSite): boolean {
  return (
    frame.getFunctionName() === "callsites" &&
    /[\\/]@pulumi[\\/]pulumi[\\/]resource\.js$/.test(frame.getFileName() ?? "")
  );
}

/**
 * Until the returned function is called, a stack holds the frames down to the topic's own
 * constructor (the SDK skips them: they are its own and this class) and then only the line of
 * the program that declared the topic's component, e.g. `src/program.ts#48` (the component's
 * own frames, the rest of the program, the host's harness, ts-node and Node's module loader are
 * dropped before formatting, by whatever formatter is installed: ts-node's source maps
 * included). The SDK reads the stack synchronously in the resource's constructor and records
 * that line as the topic's source position.
 *
 * Every other stack taken meanwhile is the SDK's promise bookkeeping (`debuggablePromise`, one
 * per output property; shown only in a promise-leak report): it is formatted as V8 has it,
 * without the installed formatter. Through ts-node's source maps those stacks cost ~12 ms of
 * CPU per topic, about 2.5 s of a 200-topic program's start (docs/topics.md, "Where the time
 * goes").
 */
function declarationFramesOnly(): () => void {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    const calls = frames as NodeJS.CallSite[];
    if (!calls.some(isSourcePositionRead)) return plainStack(error, calls);
    const constructor = calls.findIndex(isTopicCodeFrame);
    const caller = calls.findIndex(
      (frame, index) => index > constructor && isProgramFrame(frame) && !isTopicCodeFrame(frame),
    );
    const kept =
      constructor < 0 || caller < 0
        ? calls
        : [...calls.slice(0, constructor + 1), calls[caller] as NodeJS.CallSite];
    return previous ? previous(error, kept) : plainStack(error, kept);
  };
  return () => {
    Error.prepareStackTrace = previous;
  };
}

function plainStack(error: Error, frames: readonly NodeJS.CallSite[]): string {
  return [String(error), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
}
