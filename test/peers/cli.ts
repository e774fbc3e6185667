// node dist/test/peers/cli.js up|down|status [single|cluster|s3|all ...]
import { PEER_NAMES, type PeerName, isPeerName, peerAddress, peerStatus, startPeers, stopPeer } from './peers';

// The SDK's notice about dropping Node 20 in future releases is noise in the launcher's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: node dist/test/peers/cli.js <up|down|status> [${PEER_NAMES.join('|')}|all ...]  (default: all)`;

function parsePeers(args: string[]): PeerName[] {
  if (args.length === 0 || args.includes('all')) return [...PEER_NAMES];
  const unknown = args.filter((arg) => !isPeerName(arg));
  if (unknown.length > 0) throw new UsageError(`unknown peer(s): ${unknown.join(', ')}`);
  return args as PeerName[];
}

class UsageError extends Error {}

async function up(names: PeerName[]): Promise<boolean> {
  const reports = await startPeers(names);
  for (const { name, outcome, error, ms } of reports) {
    const seconds = (ms / 1000).toFixed(1);
    if (error) console.error(`${name}: FAILED after ${seconds}s: ${error.message}`);
    else console.log(`${name}: ${outcome} (${seconds}s) at ${peerAddress(name)}`);
  }
  return reports.every((report) => !report.error);
}

async function down(names: PeerName[]): Promise<boolean> {
  await Promise.all(names.map(async (name) => console.log(`${name}: ${(await stopPeer(name)).join('; ')}`)));
  return true;
}

async function status(names: PeerName[]): Promise<boolean> {
  for (const name of names) {
    for (const line of await peerStatus(name)) console.log(`${name}: ${line}`);
  }
  return true;
}

const COMMANDS: Record<string, (names: PeerName[]) => Promise<boolean>> = { up, down, status };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const action = command === undefined ? undefined : COMMANDS[command];
    if (!action) throw new UsageError(command === undefined ? 'missing command' : `unknown command: ${command}`);
    return (await action(parsePeers(rest))) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      return 2;
    }
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
