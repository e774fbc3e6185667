/**
 * rpk as Redpanda v24.3.2 ships it, for tests: the command tree and flags the repository quotes
 * (docs, README, rendered scripts), checked against rpk's own source at that tag
 * (redpanda-data/redpanda `src/go/rpk/pkg/cli/...`, the cobra `Use:` lines and flag
 * definitions cited per entry). A doc or script that names a command or flag missing here
 * fails `test/unit/rpk-commands.test.ts`; a new entry needs its source line.
 */

export const RPK_RELEASE = "v24.3.2";

export interface RpkCommand {
  /** Words after `rpk`, e.g. `redpanda admin brokers decommission`. */
  path: string;
  /** Long and short flags of the command itself (global flags are in GLOBAL_FLAGS). */
  flags: readonly string[];
  /** Where rpk defines it, below `src/go/rpk/pkg/` at v24.3.2. */
  source: string;
  /** rpk passes unknown flags through to Redpanda/Seastar (`redpanda start` only). */
  passesUnknownFlags?: boolean;
}

/** Persistent flags of the root command (`cli/root.go:88-91`). */
export const GLOBAL_FLAGS: readonly string[] = [
  "--config",
  "--profile",
  "--config-opt",
  "-X",
  "--verbose",
  "-v",
];

export const RPK_COMMANDS: readonly RpkCommand[] = [
  {
    path: "redpanda start",
    // Seastar flags are rpk flags too (hidden); --default-log-level is Seastar's own
    // (seastar src/util/log.cc:586), passed through by FParseErrWhitelist.UnknownFlags.
    flags: [
      "--seeds",
      "-s",
      "--kafka-addr",
      "--pandaproxy-addr",
      "--rpc-addr",
      "--advertise-kafka-addr",
      "--advertise-pandaproxy-addr",
      "--advertise-rpc-addr",
      "--memory",
      "--reserve-memory",
      "--smp",
      "--check",
      "--overprovisioned",
      "--thread-affinity",
      "--mode",
      "--default-log-level",
    ],
    source: "cli/redpanda/start.go:133-139 (unknown flags allowed), 374-398 (flags)",
    passesUnknownFlags: true,
  },
  {
    path: "redpanda admin brokers list",
    flags: ["--include-decommissioned", "-d"],
    source: "cli/redpanda/admin/brokers/list.go:19-20, 53 (header ID HOST PORT ...), 87 (-d)",
  },
  {
    path: "redpanda admin brokers ls",
    flags: ["--include-decommissioned", "-d"],
    source: "cli/redpanda/admin/brokers/list.go:20 (alias ls)",
  },
  {
    path: "redpanda admin brokers decommission",
    // --force is hidden but defined (decommission.go:102-103).
    flags: ["--force"],
    source: "cli/redpanda/admin/brokers/decommission.go:102-103",
  },
  {
    path: "redpanda admin brokers decommission-status",
    flags: ["--detailed", "-d", "--human-readable", "-H"],
    source: "cli/redpanda/admin/brokers/decommission-status.go:27, 169-170",
  },
  {
    path: "cluster health",
    flags: ["--watch", "-w", "--exit-when-healthy", "-e"],
    source: "cli/cluster/health.go:29, 71-72",
  },
  {
    path: "cluster info",
    flags: [
      "--print-cluster",
      "-c",
      "--print-brokers",
      "-b",
      "--print-topics",
      "-t",
      "--print-internal-topics",
      "-i",
      "--print-detailed-topics",
      "-d",
    ],
    source: "cli/cluster/info.go:37-38, 122-126",
  },
  {
    path: "cluster maintenance enable",
    flags: ["--wait", "-w"],
    source: "cli/cluster/maintenance/enable.go:29, 124",
  },
  {
    path: "cluster maintenance disable",
    flags: [],
    source: "cli/cluster/maintenance/disable.go:27",
  },
  { path: "cluster maintenance status", flags: [], source: "cli/cluster/maintenance/status.go:54" },
  {
    path: "cluster partitions move",
    flags: ["--partition", "-p"],
    source: "cli/cluster/partitions/move.go:49, 151",
  },
  {
    path: "cluster partitions move-status",
    flags: ["--print-all", "-a", "--human-readable", "-H", "--partition", "-p"],
    source: "cli/cluster/partitions/move_status.go:38, 170-172",
  },
  {
    path: "cluster partitions move-cancel",
    flags: ["--node", "--no-confirm"],
    source: "cli/cluster/partitions/cancel.go:37, 57-58",
  },
  {
    path: "cluster partitions list",
    flags: ["--all", "-a", "--disabled-only", "--partition", "-p", "--node-ids", "-n"],
    source: "cli/cluster/partitions/list.go:42-43, 165-168",
  },
  {
    path: "cluster partitions balancer-status",
    flags: [],
    source: "cli/cluster/partitions/status.go:26",
  },
  { path: "cluster config set", flags: [], source: "cli/cluster/config/set.go:49" },
  { path: "cluster config get", flags: [], source: "cli/cluster/config/get.go:26" },
  {
    path: "cluster config import",
    flags: ["--filename", "-f"],
    source: "cli/cluster/config/import.go:294, 333-339",
  },
  {
    path: "topic describe",
    flags: [
      "--print-summary",
      "-s",
      "--print-configs",
      "-c",
      "--print-partitions",
      "-p",
      "--print-all",
      "-a",
      "--regex",
      "-r",
      "--stable",
    ],
    source: "cli/topic/describe.go:42, 152-158",
  },
  {
    path: "topic list",
    flags: ["--detailed", "-d", "--internal", "-i", "--regex", "-r"],
    source: "cli/topic/list.go:33, 101-103",
  },
  {
    path: "topic create",
    flags: ["--partitions", "-p", "--replicas", "-r", "--topic-config", "-c", "--dry", "-d"],
    source: "cli/topic/create.go:37, 133-136",
  },
  {
    path: "security user create",
    // -p is the hidden --new-password (create.go:135-136).
    flags: ["--new-password", "-p", "--password", "--mechanism"],
    source: "cli/security/user/create.go:34, 131-138",
  },
  {
    path: "security acl create",
    flags: [
      "--topic",
      "--group",
      "--cluster",
      "--transactional-id",
      "--resource-pattern-type",
      "--operation",
      "--allow-principal",
      "--allow-host",
      "--deny-principal",
      "--deny-host",
    ],
    source: "cli/security/acl/create.go:27, 97-111; flag names cli/security/acl/common.go:27-38",
  },
  {
    path: "security acl list",
    flags: ["--topic", "--group", "--allow-principal", "--operation", "--resource-pattern-type"],
    source: "cli/security/acl/list.go:29-30, 87-99",
  },
];

/** Command words rpk knows at v24.3.2, for telling a misspelt sub-command from an argument. */
export const RPK_COMMAND_WORDS: ReadonlySet<string> = new Set(
  RPK_COMMANDS.flatMap((command) => command.path.split(" ")),
);

/** The longest registered command that `words` starts with, and the words left over. */
export function matchRpkCommand(
  words: readonly string[],
): { command: RpkCommand; rest: string[] } | undefined {
  let best: RpkCommand | undefined;
  for (const command of RPK_COMMANDS) {
    const path = command.path.split(" ");
    if (path.every((word, index) => words[index] === word)) {
      if (!best || path.length > best.path.split(" ").length) best = command;
    }
  }
  return best ? { command: best, rest: words.slice(best.path.split(" ").length) } : undefined;
}
