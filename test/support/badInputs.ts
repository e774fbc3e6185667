/** Stack files a new user might get wrong, with what the report must say (test/render/bad-input.test.ts). */
import { kubeStackYaml } from "./config";

export interface BadInput {
  title: string;
  stack: string;
  yaml: string;
  /** The report's first line. */
  firstLine: RegExp;
  /** Text the report must contain (key paths, the fix). */
  mentions: string[];
}

const dev = (...lines: string[]) =>
  ["config:", "  apphub-streaming:environment: dev", ...lines, ""].join("\n");

export const BAD_INPUTS: readonly BadInput[] = [
  {
    title: "a YAML syntax error names file, line and column",
    stack: "dev",
    yaml: dev(
      "  apphub-streaming:topics:",
      "    apphub.core.events: {partitions: 12",
      "  apphub-streaming:protectTopics: true",
    ),
    firstLine: /(^|\/)Pulumi\.dev\.yaml:\d+:\d+: invalid YAML: /,
    mentions: [],
  },
  {
    title: "a tab-indented stack file names the line and column",
    stack: "dev",
    yaml: "config:\n\tapphub-streaming:environment: dev\n",
    firstLine: /(^|\/)Pulumi\.dev\.yaml:2:1: invalid YAML: /,
    mentions: [],
  },
  {
    title: "a duplicate key is a YAML error too",
    stack: "dev",
    yaml: dev("  apphub-streaming:environment: prod"),
    firstLine: /(^|\/)Pulumi\.dev\.yaml:3:\d+: invalid YAML: .*[Uu]nique/,
    mentions: [],
  },
  {
    title: "a stack file without a config mapping",
    stack: "dev",
    yaml: "config: [apphub-streaming:environment]\n",
    firstLine: /(^|\/)Pulumi\.dev\.yaml: expected a mapping with a "config:" mapping/,
    mentions: [],
  },
  {
    title: "partitions: 1000000000000 names the key and the bound",
    stack: "dev",
    yaml: dev(
      "  apphub-streaming:topics:",
      "    apphub.core.events:",
      "      partitions: 1000000000000",
    ),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "apphub-streaming:topics.apphub.core.events.partitions: expected at most",
      "got 1000000000000",
    ],
  },
  {
    title: "a partition count above what the prod cluster holds names the cluster's capacity",
    stack: "prod",
    yaml: kubeStackYaml("prod", [
      "  apphub-streaming:topics:",
      "    apphub.core.events:",
      "      partitions: 100000",
    ]),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "apphub-streaming:topics.apphub.core.events.partitions: expected at most 4000 partitions (3 broker(s) × 4 core(s)",
    ],
  },
  {
    title: "cluster.replicas: 1000000000000 names the key",
    stack: "prod",
    yaml: kubeStackYaml("prod", ["  apphub-streaming:cluster:", "    replicas: 1000000000000"]),
    firstLine: /^Invalid stack config \(\d+ problems?\):$/,
    mentions: ["apphub-streaming:cluster.replicas: expected"],
  },
  {
    title: "a timeout beyond what a timer can wait names the key",
    stack: "dev",
    yaml: dev("  apphub-streaming:kafka:", "    connectTimeoutMs: 1000000000000"),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: ["apphub-streaming:kafka.connectTimeoutMs: expected"],
  },
  {
    title:
      "a plain-text kafkaSaslPassword names the key and the pulumi config set --secret command",
    stack: "prod",
    yaml: kubeStackYaml("prod", ["  apphub-streaming:kafkaSaslPassword: hunter2"]),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "apphub-streaming:kafkaSaslPassword: expected a Pulumi secret",
      "pulumi config set --secret apphub-streaming:kafkaSaslPassword <value> --stack prod",
    ],
  },
  {
    title: "a plain-text backupSecretAccessKey names the key and the command",
    stack: "minikube",
    yaml: kubeStackYaml("minikube", [
      "  apphub-streaming:backupSecretAccessKey: AKIAEXAMPLESECRET",
    ]),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "apphub-streaming:backupSecretAccessKey",
      "pulumi config set --secret apphub-streaming:backupSecretAccessKey <value> --stack minikube",
    ],
  },
  {
    title: "a plain-text sequencerDbPassword names the key and the command",
    stack: "dev",
    yaml: dev("  apphub-streaming:sequencerDbPassword: postgres"),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "pulumi config set --secret apphub-streaming:sequencerDbPassword <value> --stack dev",
    ],
  },
  {
    title: "a string where a number belongs, and an unknown key, in one report",
    stack: "dev",
    yaml: dev(
      "  apphub-streaming:topics:",
      "    apphub.core.events:",
      "      retentionMs: 7d",
      "  apphub-streaming:protectTopic: true",
    ),
    firstLine: /^Invalid stack config \(2 problems\):$/,
    mentions: [
      "apphub-streaming:topics.apphub.core.events.retentionMs",
      "apphub-streaming:protectTopic: unknown key",
    ],
  },
  {
    title: "an unknown environment",
    stack: "staging",
    yaml: "config:\n  apphub-streaming:environment: staging\n",
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: ["apphub-streaming:environment: expected one of dev, minikube, prod"],
  },
  {
    title: "a broker address without a port",
    stack: "prod",
    yaml: kubeStackYaml("prod").replace("'10.0.0.1:31092'", "'10.0.0.1'"),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: ['apphub-streaming:kafka.brokers.0: expected "host:port"'],
  },
  {
    title: "a SASL user without its password names the secret key and the command",
    stack: "external",
    yaml: [
      "config:",
      "  apphub-streaming:environment: external",
      "  apphub-streaming:kafka:",
      "    brokers: ['kafka.example:9092']",
      "    sasl: { mechanism: scram-sha-512, username: apphub }",
      "",
    ].join("\n"),
    firstLine: /^Invalid stack config \(1 problem\):$/,
    mentions: [
      "apphub-streaming:kafkaSaslPassword: expected the SASL password",
      "pulumi config set --secret apphub-streaming:kafkaSaslPassword <value> --stack external",
    ],
  },
];
