/**
 * Builders of the DevStack component (`components/DevStack.ts`): the Docker network, the
 * Redpanda broker (after the one-shot container that gives its data directory to the broker's
 * user), Redpanda Console, the sequencer Postgres, and the dotenv text for the host. What each
 * container runs comes from `plan.ts`.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DevConfig, StreamingConfig, TopicSpec } from "../config/schema";
import type { Scope } from "../declare";
import { formatDotenv } from "../env/dotenv";
import { SEQUENCE_DATABASE_URL, streamingVariables } from "../env/variables";
import {
  CONSOLE_ALIAS,
  REDPANDA_ALIAS,
  REDPANDA_WAIT_TIMEOUT_SECONDS,
  RESTART_POLICY,
  SEQUENCER_ALIAS,
  SEQUENCER_PASSWORD_FILE,
  SEQUENCER_WAIT_TIMEOUT_SECONDS,
  consoleEnv,
  consolePorts,
  dataOwnerCommand,
  redpandaCommand,
  redpandaHealthcheck,
  redpandaMounts,
  redpandaPorts,
  sequencerDatabaseUrl,
  sequencerEnv,
  sequencerHealthcheck,
  sequencerMounts,
  sequencerPorts,
} from "./plan";

/** The dev settings and the network every container of one dev stack joins. */
export interface DevScope extends Scope {
  dev: DevConfig;
  network: docker.Network;
}

/** The stack's bridge network, named after the stack. */
export function declareNetwork({ name, parent }: Scope): docker.Network {
  return new docker.Network(`${name}-network`, { name, driver: "bridge" }, { parent });
}

const attach = (network: docker.Network, alias: string) => [
  { name: network.name, aliases: [alias] },
];

// keepLocally: the images are shared with whatever else the developer runs.
function declareImage({ name, parent }: Scope, suffix: string, image: string) {
  return new docker.RemoteImage(
    `${name}-${suffix}`,
    { name: image, keepLocally: true },
    { parent },
  );
}

/** The broker container, healthy once created, after its data directory has the right owner. */
export function declareBroker(scope: DevScope): docker.Container {
  const { name, parent, dev, network } = scope;
  const image = declareImage(scope, "redpanda-image", dev.image);
  const owner = dataOwnerCommand();
  const dataOwner = new docker.Container(
    `${name}-redpanda-data-owner`,
    {
      name: `${name}-redpanda-data-owner`,
      image: image.imageId,
      user: owner.user,
      entrypoints: owner.entrypoint,
      command: owner.command,
      volumes: redpandaMounts(dev),
      mustRun: false,
      attach: true,
      logs: true,
      restart: "no",
    },
    { parent, dependsOn: [image] },
  );
  return new docker.Container(
    `${name}-redpanda`,
    {
      name: `${name}-redpanda`,
      image: image.imageId,
      command: redpandaCommand(dev),
      ports: redpandaPorts(dev),
      volumes: redpandaMounts(dev),
      healthcheck: redpandaHealthcheck(),
      restart: RESTART_POLICY,
      networksAdvanced: attach(network, REDPANDA_ALIAS),
      wait: true,
      waitTimeout: REDPANDA_WAIT_TIMEOUT_SECONDS,
    },
    { parent, dependsOn: [image, dataOwner] },
  );
}

/** Redpanda Console, after the broker it shows. */
export function declareConsole(scope: DevScope, broker: docker.Container): void {
  const { name, parent, dev, network } = scope;
  const image = declareImage(scope, "console-image", dev.console.image);
  new docker.Container(
    `${name}-console`,
    {
      name: `${name}-console`,
      image: image.imageId,
      envs: consoleEnv(),
      ports: consolePorts(dev),
      restart: RESTART_POLICY,
      networksAdvanced: attach(network, CONSOLE_ALIAS),
    },
    { parent, dependsOn: [image, broker] },
  );
}

/**
 * The sequencer Postgres, healthy once created, with `password` or one generated once and
 * kept in state. Returns its URL from the host (`host:port`), a secret.
 */
export function declareSequencerDb(
  scope: DevScope,
  address: { host: string; port: number },
  password: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
  const { name, parent, dev, network } = scope;
  const secretPassword = pulumi.secret(
    password ??
      new random.RandomPassword(
        `${name}-sequencer-db-password`,
        { length: 32, special: false },
        { parent },
      ).result,
  );
  const image = declareImage(scope, "sequencer-db-image", dev.sequencer.image);
  new docker.Container(
    `${name}-sequencer-db`,
    {
      name: `${name}-sequencer-db`,
      image: image.imageId,
      envs: sequencerEnv(),
      uploads: [{ file: SEQUENCER_PASSWORD_FILE, content: secretPassword, permissions: "0444" }],
      ports: sequencerPorts(dev),
      volumes: sequencerMounts(dev),
      healthcheck: sequencerHealthcheck(),
      restart: RESTART_POLICY,
      networksAdvanced: attach(network, SEQUENCER_ALIAS),
      wait: true,
      waitTimeout: SEQUENCER_WAIT_TIMEOUT_SECONDS,
    },
    { parent, dependsOn: [image] },
  );
  return pulumi.secret(
    secretPassword.apply((secret) => sequencerDatabaseUrl(address.host, address.port, secret)),
  );
}

/**
 * The streaming variables as dotenv text for core and timestore on the host; a secret when it
 * carries the sequencer database URL.
 */
export function devDotenv(
  name: string,
  streaming: StreamingConfig,
  topics: readonly TopicSpec[],
  databaseUrl: pulumi.Output<string> | undefined,
): pulumi.Output<string> {
  const variables = streamingVariables(streaming, topics);
  const header = [
    `apphub-streaming dev stack "${name}": streaming env for core and timestore on this host`,
  ];
  return databaseUrl
    ? pulumi.secret(
        databaseUrl.apply((url) =>
          formatDotenv([...variables, { name: SEQUENCE_DATABASE_URL, value: url }], header),
        ),
      )
    : pulumi.output(formatDotenv(variables, header));
}
