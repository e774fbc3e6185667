/**
 * A stub `rpk` for runbook tests: a small model of a Redpanda cluster (members, liveness,
 * decommissions, the admin API's authentication) kept in a JSON file, answered with the exact
 * output strings, streams and exit codes of rpk v24.3.2 (test/support/rpk.ts). Run as a
 * program (`node dist/test/support/rpkStub.js <args>`, state file in $RPK_STUB_STATE) by the
 * executable `writeRpkStub` puts on PATH.
 *
 * Sources, below `src/go/rpk/pkg/` at v24.3.2 unless said otherwise:
 * - tables: headers upper-cased, Go text/tabwriter (minwidth 6, tabwidth 4, padding 2, ' ')
 *   (out/out.go:28, 258-271); sections are the upper-cased title over `=` (out/out.go:219-222);
 * - `out.Die` prints to stderr and exits 1, `out.Exit` to stdout and exits 0 (out/out.go:146-177);
 * - admin API errors: `request <METHOD> <URL> failed: <status text>, body: <%q body>\n`
 *   (redpanda-data/common-go rpadmin/admin.go:591-614 @ rpadmin/v0.1.10), the body being
 *   Redpanda's `{"message": ..., "code": ...}`;
 * - authentication (Redpanda src/v/security/request_auth.cc:46-232, admin/server.h:154-190):
 *   a wrong password is 401 "Unauthorized" on every route; no credentials is 401 "Forbidden
 *   (authentication is required)" on user routes and 403 "Forbidden (superuser role
 *   required)" on superuser routes; rpk sends the profile's SASL user as Basic auth
 *   (adminapi/admin.go:46-49), from RPK_USER/RPK_PASS (config/params.go:1509-1516).
 * - cluster health: cli/cluster/health.go:76-109; brokers list: cli/redpanda/admin/brokers/list.go;
 *   decommission: brokers/decommission.go:44-95; decommission-status: brokers/decommission-status.go:72-166.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ADMIN = "http://127.0.0.1:9644";

export interface StubBroker {
  id: number;
  /** The advertised RPC host (HOST column), e.g. `apphub-redpanda-2.apphub-redpanda-headless...`. */
  host: string;
  alive: boolean;
  membership: "active" | "draining";
  uuid: string;
}

export interface StubCluster {
  brokers: StubBroker[];
  /** Removed (decommissioned) ids with their UUIDs (only `brokers list -d` shows them). */
  removed: { id: number; uuid: string }[];
  /** Decommissions in progress: id → status calls left before it completes. */
  decommissioning: Record<string, number>;
  /** Replication factor of the topic whose partitions the model spreads. */
  replication: number;
  cores: number;
  version: string;
  /** With `requireAuth`, the admin API checks Basic credentials against `users`. */
  auth?: { requireAuth: boolean; users: Record<string, string>; superusers: string[] };
  /** Every invocation, for assertions. */
  calls: string[];
}

type Level = "publik" | "user" | "superuser";

class Exit {
  constructor(
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {}
}

/** Go text/tabwriter with rpk's settings, for rows that all have the same number of cells. */
export function tabulate(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns - 1 }, (_, column) =>
    Math.max(6, ...rows.map((row) => (row[column] ?? "").length + 2)),
  );
  return rows
    .map(
      (row) =>
        row
          .map((cell, column) => (column < row.length - 1 ? cell.padEnd(widths[column]!) : cell))
          .join("") + "\n",
    )
    .join("");
}

const section = (title: string) => `${title.toUpperCase()}\n${"=".repeat(title.length)}\n`;

function httpError(method: string, route: string, status: number, message: string): string {
  const text = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[
    status
  ];
  const body = `{"message": "${message}", "code": ${status}}`;
  return `request ${method} ${ADMIN}${route} failed: ${text}, body: ${JSON.stringify(body)}\n`;
}

/** The admin API's answer to this process's credentials for a route of `level`, or undefined when allowed. */
function authFailure(
  cluster: StubCluster,
  env: NodeJS.ProcessEnv,
  level: Level,
): { status: number; message: string } | undefined {
  const auth = cluster.auth;
  if (!auth?.requireAuth) return undefined;
  const user = env.RPK_USER ?? env.REDPANDA_SASL_USERNAME;
  const pass = env.RPK_PASS ?? env.REDPANDA_SASL_PASSWORD;
  if (user !== undefined) {
    if (auth.users[user] !== pass) return { status: 401, message: "Unauthorized" };
    if (level === "superuser" && !auth.superusers.includes(user))
      return { status: 403, message: "Forbidden (superuser role required)" };
    return undefined;
  }
  if (level === "user") return { status: 401, message: "Forbidden (authentication is required)" };
  if (level === "superuser") return { status: 403, message: "Forbidden (superuser role required)" };
  return undefined;
}

/** One admin API call: throws the rpk error line (without rpk's prefix) when refused. */
function call(
  cluster: StubCluster,
  env: NodeJS.ProcessEnv,
  method: string,
  route: string,
  level: Level,
): void {
  const refused = authFailure(cluster, env, level);
  if (refused) throw new Error(httpError(method, route, refused.status, refused.message));
}

const members = (cluster: StubCluster) => cluster.brokers.map((broker) => broker.id);
const down = (cluster: StubCluster) =>
  cluster.brokers.filter((broker) => !broker.alive).map((broker) => broker.id);

function health(cluster: StubCluster, env: NodeJS.ProcessEnv): Exit {
  try {
    call(cluster, env, "GET", "/v1/cluster/health_overview", "publik");
  } catch (error) {
    return new Exit(1, "", `unable to request cluster health: ${(error as Error).message}\n`);
  }
  const nodesDown = down(cluster);
  // A dead member holds replicas the others cannot follow: its partitions are under-replicated.
  const underReplicated =
    nodesDown.length > 0 ? [0, 1].map((partition) => `kafka/apphub.core.events/${partition}`) : [];
  const reasons = [
    ...(nodesDown.length > 0 ? ["nodes_down"] : []),
    ...(underReplicated.length > 0 ? ["under_replicated_partitions"] : []),
  ];
  const list = (items: readonly (string | number)[]) => `[${items.join(" ")}]`;
  const live = cluster.brokers.filter((broker) => broker.alive);
  return new Exit(
    0,
    section("cluster health overview") +
      tabulate([
        ["Healthy:", String(reasons.length === 0)],
        ["Unhealthy reasons:", list(reasons)],
        ["Controller ID:", String(live[0]?.id ?? -1)],
        ["All nodes:", list(members(cluster))],
        ["Nodes down:", list(nodesDown)],
        ["Leaderless partitions (0):", "[]"],
        [`Under-replicated partitions (${underReplicated.length}):`, list(underReplicated)],
      ]),
    "",
  );
}

function brokersList(cluster: StubCluster, env: NodeJS.ProcessEnv, decommissioned: boolean): Exit {
  try {
    call(cluster, env, "GET", "/v1/brokers", "user");
    call(cluster, env, "GET", "/v1/broker_uuids", "user");
  } catch (error) {
    return new Exit(1, "", `unable to request brokers: ${(error as Error).message}\n`);
  }
  const rows = [
    ["ID", "HOST", "PORT", "RACK", "CORES", "MEMBERSHIP", "IS-ALIVE", "VERSION", "UUID"],
  ];
  for (const broker of cluster.brokers)
    rows.push([
      String(broker.id),
      broker.host,
      "33145",
      "-",
      String(cluster.cores),
      broker.membership,
      String(broker.alive),
      // An offline broker has no version in /v1/brokers (admin/server.cc:983-990).
      broker.alive ? cluster.version : "-",
      broker.uuid,
    ]);
  if (decommissioned)
    for (const gone of cluster.removed)
      rows.push([String(gone.id), "-", "-", "-", "-", "-", "-", "-", gone.uuid]);
  return new Exit(0, tabulate(rows), "");
}

const BYPASS =
  "to bypass the node version check re-run this with --force; see this command's help text for more details";

function decommission(
  cluster: StubCluster,
  env: NodeJS.ProcessEnv,
  id: number,
  force: boolean,
): Exit {
  if (!force) {
    try {
      call(cluster, env, "GET", "/v1/brokers", "user");
    } catch (error) {
      return new Exit(1, "", `unable to get broker list: ${(error as Error).message}; ${BYPASS}\n`);
    }
    const broker = cluster.brokers.find((candidate) => candidate.id === id);
    if (!broker) return new Exit(1, "", `unable to find broker ${id} in the cluster; ${BYPASS}\n`);
    if (!broker.alive)
      return new Exit(
        0,
        `version for broker ${id} is unknown, is the node offline?\n${BYPASS}\n`,
        "",
      );
  }
  const route = `/v1/brokers/${id}/decommission`;
  try {
    call(cluster, env, "PUT", route, "superuser");
    const broker = cluster.brokers.find((candidate) => candidate.id === id);
    if (!broker) throw new Error(httpError("PUT", route, 404, `broker with id ${id} not found`));
    if (broker.membership !== "active")
      throw new Error(
        httpError(
          "PUT",
          route,
          400,
          `can not update broker ${id} state, invalid state transition requested`,
        ),
      );
    broker.membership = "draining";
    cluster.decommissioning[String(id)] = 1;
  } catch (error) {
    return new Exit(1, "", `unable to decommission broker: ${(error as Error).message}\n`);
  }
  return new Exit(
    0,
    `Success, broker ${id} decommission started.  Use \`rpk redpanda admin brokers decommission-status ${id}\` to monitor data movement.\n\``,
    "",
  );
}

function decommissionStatus(cluster: StubCluster, env: NodeJS.ProcessEnv, id: number): Exit {
  const route = `/v1/brokers/${id}/decommission`;
  try {
    call(cluster, env, "GET", route, "user");
  } catch (error) {
    return new Exit(1, "", `unable to request brokers: ${(error as Error).message}\n`);
  }
  if (cluster.removed.some((gone) => gone.id === id))
    return new Exit(0, `Node ${id} is decommissioned successfully.\n`, "");
  const broker = cluster.brokers.find((candidate) => candidate.id === id);
  if (!broker)
    return new Exit(
      1,
      "",
      `unable to request brokers: ${httpError("GET", route, 404, `Node ${id} does not exists`)}\n`,
    );
  if (broker.membership !== "draining")
    return new Exit(0, `Node ${id} is not decommissioning\n`, "");
  // Replicas need a live broker outside their current set: with fewer live brokers than the
  // replication factor there is nowhere to move them (allocation failures).
  const live = cluster.brokers.filter((candidate) => candidate.alive && candidate.id !== id);
  const target = live[live.length - 1]!;
  if (live.length < cluster.replication)
    return new Exit(
      0,
      section("allocation failures") +
        "kafka/apphub.core.events/0\nkafka/apphub.core.events/1\n\n" +
        section("decommission progress") +
        tabulate([["NAMESPACE-TOPIC", "PARTITION", "MOVING-TO", "COMPLETION-%", "PARTITION-SIZE"]]),
      "",
    );
  const left = cluster.decommissioning[String(id)] ?? 0;
  if (left > 0) {
    cluster.decommissioning[String(id)] = left - 1;
    return new Exit(
      0,
      section("decommission progress") +
        tabulate([
          ["NAMESPACE-TOPIC", "PARTITION", "MOVING-TO", "COMPLETION-%", "PARTITION-SIZE"],
          ["kafka/apphub.core.events", "0", String(target.id), "40", "1048576"],
          ["kafka/apphub.core.events", "1", String(target.id), "15", "1048576"],
        ]),
      "",
    );
  }
  cluster.brokers = cluster.brokers.filter((candidate) => candidate.id !== id);
  cluster.removed.push({ id, uuid: broker.uuid });
  delete cluster.decommissioning[String(id)];
  return new Exit(0, `Node ${id} is decommissioned successfully.\n`, "");
}

/** Cobra's answers for a sub-command or flag rpk does not have (cli/root.go:170-186). */
function unknown(what: "command" | "flag", name: string, parent: string): Exit {
  return what === "command"
    ? new Exit(1, "", `Error: unknown command "${name}" for "${parent}"\n`)
    : new Exit(1, "", `Error: unknown flag: ${name}\n`);
}

function parseId(value: string | undefined): number | Exit {
  const id = Number(value);
  if (value === undefined || !Number.isInteger(id))
    return new Exit(
      1,
      "",
      `invalid broker ${value}: strconv.Atoi: parsing "${value}": invalid syntax\n`,
    );
  return id;
}

/** Runs one rpk invocation against the model (which it may change). */
export function runRpk(
  cluster: StubCluster,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Exit {
  cluster.calls.push(args.join(" "));
  const flags = args.filter((arg) => arg.startsWith("-"));
  const words = args.filter((arg) => !arg.startsWith("-"));
  const known = (...allowed: string[]) => flags.find((flag) => !allowed.includes(flag));
  const line = words.join(" ");
  if (line === "cluster health") {
    const bad = known();
    return bad ? unknown("flag", bad, "") : health(cluster, env);
  }
  if (line === "redpanda admin brokers list" || line === "redpanda admin brokers ls") {
    const bad = known("-d", "--include-decommissioned");
    return bad ? unknown("flag", bad, "") : brokersList(cluster, env, flags.length > 0);
  }
  if (words.slice(0, 4).join(" ") === "redpanda admin brokers decommission" && words.length === 5) {
    const bad = known("--force");
    if (bad) return unknown("flag", bad, "");
    const id = parseId(words[4]);
    return id instanceof Exit ? id : decommission(cluster, env, id, flags.includes("--force"));
  }
  if (words.slice(0, 4).join(" ") === "redpanda admin brokers decommission-status") {
    const bad = known();
    if (bad) return unknown("flag", bad, "");
    const id = parseId(words[4]);
    return id instanceof Exit ? id : decommissionStatus(cluster, env, id);
  }
  if (words[0] === "cluster" && words[1] !== undefined && words[1] !== "health")
    return unknown("command", words[1], "rpk cluster");
  return new Exit(2, "", `rpk stub: not modelled: rpk ${args.join(" ")}\n`);
}

/** The compiled program (dist/, which test/buildSetup.ts builds for the tiers that spawn). */
const COMPILED = path.resolve(__dirname, "../../dist/test/support/rpkStub.js");

/** Writes an executable `rpk` into `binDir` that runs this module against `stateFile`. */
export function writeRpkStub(binDir: string, stateFile: string, cluster: StubCluster): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(cluster, null, 2));
  fs.writeFileSync(
    path.join(binDir, "rpk"),
    `#!/bin/bash\nRPK_STUB_STATE=${JSON.stringify(stateFile)} exec ${JSON.stringify(process.execPath)} ${JSON.stringify(COMPILED)} "$@"\n`,
    { mode: 0o755 },
  );
}

export function readStubCluster(stateFile: string): StubCluster {
  return JSON.parse(fs.readFileSync(stateFile, "utf8")) as StubCluster;
}

if (require.main === module) {
  const stateFile = process.env.RPK_STUB_STATE!;
  const cluster = readStubCluster(stateFile);
  const result = runRpk(cluster, process.argv.slice(2), process.env);
  fs.writeFileSync(stateFile, JSON.stringify(cluster, null, 2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
