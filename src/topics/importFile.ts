/**
 * The Pulumi import file `topics import` writes beside the stack file, for
 * `pulumi import --file`: the engine records each adopted topic from it, and its preview says
 * "import" for each one, never "create".
 *
 * Why a file rather than the `import` resource option: to import, the engine asks the
 * provider's `read` with nothing but the id, and the Node dynamic-provider host cannot find
 * which provider serves a resource without the `__provider` property in hand
 * (pulumi/pulumi#16175). An import file may carry each resource's whole state (`inputs` and
 * `outputs`, Pulumi 3.274's `importSpec`); the engine then records it as given, runs the
 * provider's `check` on it, and contacts no broker. The state is the one the program's next
 * `pulumi up` declares (`topicResourceInputs`, `outsOf`, `providerShim`), so that `up` shows
 * the topics unchanged. The file lists the TopicBootstrap component too: the engine leaves a
 * resource that is already in the stack's state as it is, so one file serves a new stack and a
 * stack that already manages other topics.
 *
 * No password is ever written, not even encrypted: Pulumi's state holds a secret as the
 * ciphertext of its JSON text, which only the engine's secrets provider can make (a stack file's
 * `secure:` value is the ciphertext of the bare text, and the engine refuses it as state). So a
 * SASL stack's topics are recorded without the connection's password, and its first
 * `pulumi up` shows an update of each topic that stores it; the update writes nothing to the
 * brokers (the topic is as declared), and `pulumi preview --refresh` works from then on.
 */
import * as path from "node:path";
import type { StackConfig } from "../config/schema";
import {
  KAFKA_TOPIC_TYPE,
  PROVIDER_ABI,
  TOPIC_BOOTSTRAP,
  connectionFromConfig,
  topicResourceInputs,
  type KafkaTopicInputs,
} from "./model";
import { providerShim } from "./provider";
import { outsOf } from "./providerLogic";

/** One entry of `resources` in Pulumi's import file format. */
export interface ImportFileResource {
  type: string;
  name: string;
  component?: true;
  id?: string;
  parent?: string;
  logicalName?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface PulumiImportFile {
  resources: ImportFileResource[];
}

/** The component's name within the file: a type token, which no topic name can be (Kafka names have no ':'). */
const COMPONENT_ENTRY = TOPIC_BOOTSTRAP.type;

/** The import file of stack `stack`: beside its stack file, `pulumi-import.<stack>.json`. */
export function importFilePath(stackFile: string, stack: string): string {
  return path.join(path.dirname(stackFile), `pulumi-import.${stack}.json`);
}

/** The command that records the topics of the import file (shown in the report's next steps). */
export function pulumiImportCommand(stack: string, file: string): string {
  return `pulumi import --stack ${stack} --file ${file} --protect=false --generate-code=false`;
}

/** One adopted topic: its name and the partitions the cluster reported. */
export interface AdoptedTopic {
  name: string;
  partitions: number;
}

/**
 * The import file recording `adopted` topics as the program declares them (the SASL password
 * aside, see above). Topics the config does not declare (set to null, filtered out) are left out.
 */
export function pulumiImportFile(
  config: StackConfig,
  adopted: readonly AdoptedTopic[],
): PulumiImportFile {
  const connection = connectionFromConfig(config.kafka, config.kafka.brokers ?? []);
  const shim = providerShim(PROVIDER_ABI, "ts");
  const specs = new Map(config.topics.map((topic) => [topic.name, topic]));
  const topics: ImportFileResource[] = [];
  for (const { name, partitions } of adopted) {
    const spec = specs.get(name);
    if (!spec) continue;
    const inputs: KafkaTopicInputs = topicResourceInputs(spec, connection);
    topics.push({
      type: KAFKA_TOPIC_TYPE,
      name,
      id: name,
      logicalName: name,
      parent: COMPONENT_ENTRY,
      inputs: { ...inputs, __provider: shim },
      outputs: { ...outsOf(inputs, partitions), __provider: shim },
    });
  }
  if (topics.length === 0) return { resources: [] };
  return {
    resources: [
      {
        type: TOPIC_BOOTSTRAP.type,
        name: COMPONENT_ENTRY,
        logicalName: TOPIC_BOOTSTRAP.name,
        component: true,
      },
      ...topics,
    ],
  };
}
