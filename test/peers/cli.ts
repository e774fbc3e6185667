// npm run peers -- up|down|status [single|cluster|s3|all ...]
import {
  EXIT,
  processIo,
  runCli,
  runParsed,
  UsageError,
  type CliSpec,
  type Io,
} from "../../src/cli/kit";
import {
  PEER_NAMES,
  type PeerName,
  isPeerName,
  peerAddress,
  peerStatus,
  startPeers,
  stopPeer,
} from "./peers";

// The SDK's notice about dropping Node 20 in future releases is noise in the launcher's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const PEERS_CLI: CliSpec<Record<string, never>> = {
  name: "peers",
  summary:
    "Installs, starts, stops and reports the real test peers on loopback: Kafka KRaft brokers, the S3 API server and the kube-apiserver; builds (or finds) the Pulumi engine with its kubernetes plugin, and promtool.",
  usage: [`<up|down|status> [${PEER_NAMES.join("|")}|all ...]   (default: all)`],
  commands: ["up", "down", "status"],
  operands: "peer names",
  options: {},
};

function parsePeers(args: string[]): PeerName[] {
  if (args.length === 0 || args.includes("all")) return [...PEER_NAMES];
  const unknown = args.filter((arg) => !isPeerName(arg));
  if (unknown.length > 0)
    throw new UsageError(
      `unknown peer(s): ${unknown.join(", ")}: expected ${PEER_NAMES.join(", ")} or all`,
    );
  return args as PeerName[];
}

async function up(names: PeerName[], io: Io): Promise<boolean> {
  const reports = await startPeers(names);
  for (const { name, outcome, error, ms } of reports) {
    const seconds = (ms / 1000).toFixed(1);
    if (error) io.err(`${name}: FAILED after ${seconds}s: ${error.message}`);
    else io.out(`${name}: ${outcome} (${seconds}s) at ${peerAddress(name)}`);
  }
  return reports.every((report) => !report.error);
}

async function down(names: PeerName[], io: Io): Promise<boolean> {
  await Promise.all(
    names.map(async (name) => io.out(`${name}: ${(await stopPeer(name)).join("; ")}`)),
  );
  return true;
}

async function status(names: PeerName[], io: Io): Promise<boolean> {
  for (const name of names) {
    for (const line of await peerStatus(name)) io.out(`${name}: ${line}`);
  }
  return true;
}

const COMMANDS: Record<string, (names: PeerName[], io: Io) => Promise<boolean>> = {
  up,
  down,
  status,
};

export function peersCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    PEERS_CLI,
    argv,
    async (parsed) => {
      return (await COMMANDS[parsed.command!]!(parsePeers(parsed.operands), io))
        ? EXIT.ok
        : EXIT.failed;
    },
    io,
  );
}

if (require.main === module) runCli("peers", () => peersCommand(process.argv.slice(2)));
