/**
 * The engine's floor for `npm run bench:peer`: what the same Pulumi CLI, language host, SDK and
 * dynamic-provider host cost for N resources shaped like this program's topics, with no program
 * logic and no Kafka. Its provider answers every call at once (`check` echoes, `diff` compares,
 * `create`/`read`/`update` echo, `delete` does nothing), so what is left is the engine's own
 * per-resource work — the program's RegisterResource, one `check` and one `diff` at a time, the
 * checkpoint writes — which no provider and no program of this shape can go below.
 *
 * `catalogFloorInputs` declares the same topics as one resource instead: the floor of a resource
 * per catalog. The bench writes the project into its scratch folder: `Pulumi.yaml` (compiled
 * start, as this program's), a plain JavaScript program that loads only the SDK's resource module
 * (as this program does, `src/pulumi.ts`) and registers one `pulumi-nodejs:dynamic/floor:Resource`
 * per entry of `resources.json`, the provider next to it, and `node_modules` linked to this
 * checkout's (the SDK the provider host runs is the one this program runs).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_KAFKA_CLIENT } from "../src/config/schema";
import { PROVIDER_VERSION } from "../src/topics/model";

/** The floor resource's type token: the Node dynamic-provider host serves it, as it serves KafkaTopic. */
export const FLOOR_TYPE = "pulumi-nodejs:dynamic/floor:Resource";

/**
 * The `__provider` of every floor resource: the provider file of the project, which the host
 * finds in its working directory (the project's), as KafkaTopic's shim finds the checkout.
 */
const FLOOR_SHIM = 'exports.handler=()=>require(process.cwd()+"/floorProvider.js")';

const PROGRAM = `"use strict";
const fs = require("node:fs");
// The SDK's resource module, not its index: this program loads Pulumi the same way (src/pulumi.ts).
const { CustomResource } = require("@pulumi/pulumi/resource");
const resources = JSON.parse(fs.readFileSync(__dirname + "/resources.json", "utf8"));
for (const inputs of resources) {
  new CustomResource(${JSON.stringify(FLOOR_TYPE)}, inputs.name, {
    ...inputs,
    __provider: ${JSON.stringify(FLOOR_SHIM)},
  });
}
`;

const PROVIDER = `"use strict";
const own = (props) => {
  const { __provider, ...rest } = props;
  return rest;
};
module.exports = {
  async check(_olds, news) { return { inputs: news }; },
  async diff(_id, olds, news) {
    return { changes: JSON.stringify(own(olds)) !== JSON.stringify(own(news)) };
  },
  async create(inputs) { return { id: inputs.name, outs: own(inputs) }; },
  async read(id, props) { return { id, props: own(props), inputs: own(props) }; },
  async update(_id, _olds, news) { return { outs: own(news) }; },
  async delete() {},
};
`;

/** Writes the floor project into `dir`, its `node_modules` linked to `repo`'s. */
export function writeFloorProject(repo: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    "name: apphub-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
  );
  fs.writeFileSync(path.join(dir, "package.json"), '{"name":"apphub-floor","main":"index.js"}\n');
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  fs.writeFileSync(path.join(dir, "floorProvider.js"), PROVIDER);
  writeFloorResources(dir, []);
}

/**
 * The inputs of one floor resource per topic: the shape of a KafkaTopic's (name, partitions,
 * replication, `retention.ms`, deletion policy, provider version, connection), so the state the
 * engine writes and reads is as large as this program's.
 */
export function floorInputs(
  brokers: readonly string[],
  topics: ReadonlyMap<string, number>,
  shape: { partitions: number; replicationFactor: number },
): Record<string, unknown>[] {
  return [...topics].map(([name, retentionMs]) => ({
    name,
    partitions: shape.partitions,
    replicationFactor: shape.replicationFactor,
    config: { "retention.ms": String(retentionMs) },
    deletionPolicy: "retain",
    providerVersion: PROVIDER_VERSION,
    connection: {
      brokers: [...brokers],
      clientId: DEFAULT_KAFKA_CLIENT.clientId,
      connectTimeoutMs: 30_000,
      requestTimeoutMs: DEFAULT_KAFKA_CLIENT.requestTimeoutMs,
      tls: { ...DEFAULT_KAFKA_CLIENT.tls },
    },
  }));
}

/**
 * The same topics as one resource (the "catalog floor"): what the engine costs when a whole
 * catalog is one resource, a topic name → settings map with the connection stated once. It is
 * the floor of the other shape this program could take (one resource per catalog instead of per
 * topic), measured on the same CLI.
 */
export function catalogFloorInputs(
  brokers: readonly string[],
  topics: ReadonlyMap<string, number>,
  shape: { partitions: number; replicationFactor: number },
): Record<string, unknown>[] {
  const perTopic = floorInputs(brokers, topics, shape);
  const first = perTopic[0];
  return [
    {
      name: "catalog",
      providerVersion: PROVIDER_VERSION,
      connection: first?.connection,
      topics: Object.fromEntries(
        perTopic.map(
          ({ name, connection: _connection, providerVersion: _version, ...settings }) => [
            name,
            settings,
          ],
        ),
      ),
    },
  ];
}

/** What the floor program declares on its next run. */
export function writeFloorResources(
  dir: string,
  resources: readonly Record<string, unknown>[],
): void {
  fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(resources));
}
