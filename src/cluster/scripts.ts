/**
 * The broker's start script, its lifecycle hooks and its base `redpanda.yaml`, rendered from
 * the stack config into one ConfigMap. Everything that differs between pods derives from the
 * pod ordinal at run time, so the same files serve every broker and tests can run them with a
 * stub `rpk` on PATH and a stand-in admin API.
 *
 * Node ids are not set: Redpanda assigns one when a broker first joins and keeps it on the data
 * volume (as the official chart does), so a restart keeps its id. Deriving ids from ordinals
 * (`--node-id <ordinal>`, what the kustomize overlay did) would make a broker that lost its disk
 * rejoin under its old id with none of that id's data, which Redpanda refuses since node UUIDs
 * (23.2) and which before that silently under-replicated. Instead the start script detects the
 * lost disk (an empty data directory while the cluster still lists a broker at this pod's
 * address) and says which old id to decommission; see docs/kubernetes.md.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import type { ClusterConfig } from "../config/schema";
import { defaultTopicReplications, externalBrokers, seedServers } from "./addresses";
import {
  clientServiceFqdn,
  HEADLESS_SERVICE_NAME,
  PATHS,
  PORTS,
  POST_START_TIMEOUT_SECONDS,
  SCRIPT_FILES,
  SCRIPTS_CONFIGMAP_PREFIX,
  SHUTDOWN_MARGIN_SECONDS,
  STATEFULSET_NAME,
} from "./constants";
import { authorizationEnabled } from "./grants";
import { brokerSizing, storageMinFreeBytes } from "./sizing";

/** Single-quotes a value for bash. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

function fill(template: string, values: Record<string, string>): string {
  const filled = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`script template has no value for ${whole}`);
    return value;
  });
  return filled;
}

const bashArray = (items: readonly string[]) => `(${items.map(shellQuote).join(" ")})`;

/**
 * `admin_curl`: curl with the admin API's superuser when the cluster requires authentication
 * (`admin_api_require_auth`). Name and password are files of the mounted superuser Secret, read
 * on every call, so a rotated password reaches the hooks without a restart; the Basic header
 * goes to curl through a config file on a pipe, never on its command line.
 */
const ADMIN_CURL = `ADMIN_CREDENTIALS_DIR="\${ADMIN_CREDENTIALS_DIR:-{{ADMIN_CREDENTIALS_DIR}}}"
admin_curl() {
  if [ -r "\${ADMIN_CREDENTIALS_DIR}/username" ] && [ -r "\${ADMIN_CREDENTIALS_DIR}/password" ]; then
    local basic
    basic="$(printf '%s:%s' "$(cat "\${ADMIN_CREDENTIALS_DIR}/username")" "$(cat "\${ADMIN_CREDENTIALS_DIR}/password")" | base64 | tr -d '\\n')"
    curl --config <(printf 'header = "Authorization: Basic %s"\\n' "$basic") "$@"
  else
    curl "$@"
  fi
}
`;

/** The static part of `redpanda.yaml`; the start script adds the per-pod addresses as rpk flags. */
export function renderRedpandaYaml(cluster: ClusterConfig): string {
  const { external } = cluster;
  const sasl = external.enabled && external.sasl.enabled;
  // Authentication is per listener, always spelled out: once kafka_enable_authorization is set,
  // enable_sasl no longer turns SASL on for a listener without it (v24.3.2
  // kafka/server/server.cc:233-264), and a misspelt method silently means none. The external
  // listener asks for SASL/SCRAM; the in-cluster one stays open to AppHub's pods (which have no
  // credentials), fenced by the NetworkPolicy and granted through ACLs on User:* (grants.ts).
  const kafkaApi: {
    name: string;
    address: string;
    port: number;
    authentication_method: "none" | "sasl";
  }[] = [
    { name: "internal", address: "0.0.0.0", port: PORTS.kafka, authentication_method: "none" },
  ];
  if (external.enabled) {
    kafkaApi.push({
      name: "external",
      address: "0.0.0.0",
      port: PORTS.kafkaExternal,
      authentication_method: sasl ? "sasl" : "none",
    });
  }
  const config = {
    redpanda: {
      data_directory: PATHS.data,
      // The seed list (given with --seeds) founds the cluster: no broker starts one on its own.
      empty_seed_starts_cluster: false,
      developer_mode: cluster.developerMode,
      rpc_server: { address: "0.0.0.0", port: PORTS.rpc },
      kafka_api: kafkaApi,
      ...(external.enabled && external.tls.enabled
        ? {
            kafka_api_tls: [
              {
                name: "external",
                enabled: true,
                cert_file: `${PATHS.externalTls}/tls.crt`,
                key_file: `${PATHS.externalTls}/tls.key`,
                require_client_auth: false,
              },
            ],
          }
        : {}),
      admin: [{ address: "0.0.0.0", port: PORTS.admin }],
    },
    pandaproxy: {
      pandaproxy_api: [{ name: "internal", address: "0.0.0.0", port: PORTS.httpProxy }],
    },
    // rpk in the pod (readiness probe, operators' kubectl exec) talks to this broker's admin API.
    rpk: { admin_api: { addresses: [`127.0.0.1:${PORTS.admin}`] } },
  };
  return `# Rendered by apphub-streaming (src/cluster/scripts.ts). start.sh copies it to ${PATHS.config}.\n${stringify(config)}`;
}

/**
 * Cluster properties set when the brokers found the cluster: start.sh copies this file to
 * `.bootstrap.yaml` beside redpanda.yaml, which Redpanda reads only while the cluster has no
 * configuration of its own yet. For an existing cluster apply the same keys with
 * `rpk cluster config import` / `rpk cluster config set` (docs/kubernetes.md).
 */
export function clusterBootstrapProperties(cluster: ClusterConfig): Record<string, unknown> {
  const sasl = authorizationEnabled(cluster);
  return {
    // Topics exist only through the catalog (topic bootstrap): a typo in a producer must not create one.
    auto_create_topics_enabled: false,
    default_topic_replications: defaultTopicReplications(cluster.replicas),
    // Below this much free space a broker refuses produce requests; RedpandaDiskSpaceLow warns at twice it.
    storage_min_free_bytes: storageMinFreeBytes(cluster.storageSize),
    ...(sasl
      ? {
          superusers: [cluster.external.sasl.username],
          sasl_mechanisms: ["SCRAM"],
          // ACLs decide on every listener (the superuser passes all); without it any client that
          // reaches a listener may do anything. The admin API then wants the superuser too, except
          // on its public routes (/v1/status/ready, /v1/cluster/health_overview, the metrics).
          kafka_enable_authorization: true,
          admin_api_require_auth: true,
        }
      : {}),
  };
}

export function renderBootstrapYaml(cluster: ClusterConfig): string {
  return `# Rendered by apphub-streaming (src/cluster/scripts.ts): start.sh copies it to ${PATHS.config}/.bootstrap.yaml.\n${stringify(clusterBootstrapProperties(cluster))}`;
}

/** Per-broker-count data, kept out of the hashed scripts ConfigMap (see TOPOLOGY_CONFIGMAP_NAME). */
export function renderTopology(namespace: string, cluster: ClusterConfig): Record<string, string> {
  return {
    replicas: String(cluster.replicas),
    seeds: seedServers(namespace, cluster.replicas, cluster.clusterDomain).join(","),
    "external-addresses": externalBrokers(cluster).join("\n"),
  };
}

const START_TEMPLATE = `#!/bin/bash
# Starts one broker of the {{STATEFULSET}} StatefulSet. Rendered by apphub-streaming
# (src/cluster/scripts.ts): every per-pod value below derives from the pod ordinal.
set -euo pipefail

POD_NAME="\${POD_NAME:-$(hostname)}"
CONFIG_DIR="\${CONFIG_DIR:-{{CONFIG_DIR}}}"
DATA_DIR="\${DATA_DIR:-{{DATA_DIR}}}"
CLUSTER_ADMIN_URL="\${CLUSTER_ADMIN_URL:-{{CLUSTER_ADMIN_URL}}}"
TOPOLOGY_DIR="\${TOPOLOGY_DIR:-{{TOPOLOGY_DIR}}}"
SCRIPT_DIR="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"

# --overprovisioned unless the threads own their cores (docs/kubernetes.md, "Sizing").
CPU_FLAGS={{CPU_FLAGS}}
EXTERNAL_LISTENER={{EXTERNAL_LISTENER}}

log() { echo "start $(date -u +%Y-%m-%dT%H:%M:%SZ): $*"; }
${ADMIN_CURL}
ordinal="\${POD_NAME##*-}"
case "$ordinal" in
  ''|*[!0-9]*) log "cannot derive a pod ordinal from POD_NAME=\${POD_NAME}" >&2; exit 64 ;;
esac
if [ "\${POD_NAME}" != "{{STATEFULSET}}-\${ordinal}" ]; then
  log "POD_NAME=\${POD_NAME} is not a pod of the {{STATEFULSET}} StatefulSet" >&2
  exit 64
fi
fqdn="\${POD_NAME}.{{HEADLESS}}.{{NAMESPACE}}.svc.{{CLUSTER_DOMAIN}}"

# A broker whose data directory is empty while the cluster still lists a broker at this pod's
# RPC address lost its disk: Redpanda gives it a new node id and the old id stays behind as a
# dead member that holds replicas until someone decommissions it. Say so loudly, then start.
data_dir_is_empty() {
  [ -z "$(ls -A "$DATA_DIR" 2>/dev/null | grep -v '^lost+found$' || true)" ]
}
# Prints the node ids the cluster lists at host $1 that are not removed, from /v1/brokers JSON on stdin
# (membership_status is active, draining or removed).
node_ids_at() {
  grep -oE '"(node_id|internal_rpc_address|membership_status)"[[:space:]]*:[[:space:]]*("[^"]*"|-?[0-9]+)' |
    awk -v host="$1" '
      function flush() { if (id != "" && addr == host && status != "removed") print id; id = ""; addr = ""; status = "" }
      {
        key = $0; sub(/^"/, "", key); sub(/".*/, "", key)
        value = $0; sub(/^"[^"]*"[ \\t]*:[ \\t]*/, "", value); gsub(/"/, "", value)
        if (key == "node_id") { flush(); id = value }
        else if (key == "internal_rpc_address") addr = value
        else status = value
      }
      END { flush() }'
}
if data_dir_is_empty; then
  if brokers_json="$(admin_curl --silent --fail --max-time 5 "\${CLUSTER_ADMIN_URL}/v1/brokers")"; then
    previous_ids="$(printf '%s' "$brokers_json" | node_ids_at "$fqdn" | tr '\\n' ' ' | sed 's/ $//' || true)"
    if [ -n "$previous_ids" ]; then
      log "DISK LOSS DETECTED: \${POD_NAME} starts with an empty \${DATA_DIR}, but the cluster still lists node id(s) \${previous_ids} at \${fqdn}." >&2
      log "This broker will join under a NEW node id. Once it is up, decommission the old one(s), which are offline and so need --force (docs/kubernetes.md, 'A broker is down for good'):" >&2
      for previous_id in $previous_ids; do
        log "  rpk redpanda admin brokers decommission \${previous_id} --force" >&2
      done
    fi
  else
    log "empty data directory and no answer from \${CLUSTER_ADMIN_URL}: first start of the cluster"
  fi
fi

mkdir -p "$CONFIG_DIR"
cp "\${SCRIPT_DIR}/{{REDPANDA_YAML}}" "\${CONFIG_DIR}/redpanda.yaml"
# Read by Redpanda only when it founds the cluster (cluster properties; docs/kubernetes.md).
cp "\${SCRIPT_DIR}/{{BOOTSTRAP_YAML}}" "\${CONFIG_DIR}/.bootstrap.yaml"

# Seeds and external addresses come from the topology ConfigMap, not from this script: a
# scale-up rewrites that ConfigMap without touching the pod template.
seeds="$(cat "\${TOPOLOGY_DIR}/seeds")"
if [ -z "$seeds" ]; then
  log "no seed servers in \${TOPOLOGY_DIR}/seeds" >&2
  exit 64
fi

kafka_advertised="internal://\${fqdn}:{{KAFKA_PORT}}"
if [ "$EXTERNAL_LISTENER" = "true" ]; then
  mapfile -t external_addresses < "\${TOPOLOGY_DIR}/external-addresses"
  if [ "$ordinal" -ge "\${#external_addresses[@]}" ] || [ -z "\${external_addresses[$ordinal]}" ]; then
    log "ordinal \${ordinal} has no external address in \${TOPOLOGY_DIR}/external-addresses (\${#external_addresses[@]} listed)" >&2
    exit 64
  fi
  kafka_advertised="\${kafka_advertised},external://\${external_addresses[$ordinal]}"
fi

args=(
  redpanda start
  "--config=\${CONFIG_DIR}/redpanda.yaml"
  "--seeds=\${seeds}"
  "--advertise-rpc-addr=\${fqdn}:{{RPC_PORT}}"
  "--advertise-kafka-addr=\${kafka_advertised}"
  "--advertise-pandaproxy-addr=internal://\${fqdn}:{{PROXY_PORT}}"
  "--smp={{SMP}}"
  "--memory={{MEMORY}}"
  "--reserve-memory={{RESERVE_MEMORY}}"
  "--default-log-level=info"
  "\${CPU_FLAGS[@]}"
)
log "exec rpk \${args[*]}"
exec rpk "\${args[@]}"
`;

/** The container's command: renders redpanda.yaml and the per-ordinal flags, then execs `rpk redpanda start`. */
export function renderStartScript(namespace: string, cluster: ClusterConfig): string {
  const sizing = brokerSizing(cluster);
  return fill(START_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    ADMIN_CREDENTIALS_DIR: PATHS.adminCredentials,
    HEADLESS: HEADLESS_SERVICE_NAME,
    NAMESPACE: namespace,
    CLUSTER_DOMAIN: cluster.clusterDomain,
    CONFIG_DIR: PATHS.config,
    DATA_DIR: PATHS.data,
    TOPOLOGY_DIR: PATHS.topology,
    CLUSTER_ADMIN_URL: `http://${clientServiceFqdn(namespace, cluster.clusterDomain)}:${PORTS.admin}`,
    EXTERNAL_LISTENER: cluster.external.enabled ? "true" : "false",
    CPU_FLAGS: bashArray(sizing.cpuFlags),
    REDPANDA_YAML: SCRIPT_FILES.redpandaYaml,
    BOOTSTRAP_YAML: SCRIPT_FILES.bootstrapYaml,
    KAFKA_PORT: String(PORTS.kafka),
    RPC_PORT: String(PORTS.rpc),
    PROXY_PORT: String(PORTS.httpProxy),
    SMP: String(sizing.smp),
    MEMORY: sizing.memoryFlag,
    RESERVE_MEMORY: sizing.reserveMemoryFlag,
  });
}

/** Shared by both hooks: logging into the container log, the admin API's node id, the deadline. */
const HOOK_PRELUDE = `set -uo pipefail

ADMIN_API="\${ADMIN_API:-http://127.0.0.1:{{ADMIN_PORT}}}"
POLL_SECONDS="\${POLL_SECONDS:-2}"
TOPOLOGY_DIR="\${TOPOLOGY_DIR:-{{TOPOLOGY_DIR}}}"
# Hook output is not in 'kubectl logs' unless written to the main process's stdout.
HOOK_LOG="\${HOOK_LOG:-/proc/1/fd/1}"
# Read by the kubelet into the container status (kubectl describe pod: Last State / Message).
TERMINATION_LOG="\${TERMINATION_LOG:-/dev/termination-log}"

started=$SECONDS
log() {
  local line
  line="{{HOOK}} $(date -u +%Y-%m-%dT%H:%M:%SZ): $*"
  echo "$line" >&2
  echo "$line" >>"$HOOK_LOG" 2>/dev/null || true
}
deadline_passed() { [ $((SECONDS - started)) -ge "$DEADLINE_SECONDS" ]; }
${ADMIN_CURL}json_field() { printf '%s' "$2" | grep -oE "\\"$1\\"[[:space:]]*:[[:space:]]*[^,}]*" | head -n 1 | sed -E 's/^[^:]*:[[:space:]]*//; s/"//g'; }
# Redpanda reports a node id only once the broker has one (>= 0).
node_id() { admin_curl --silent --fail --max-time 5 "\${ADMIN_API}/v1/node_config" | grep -oE '"node_id"[[:space:]]*:[[:space:]]*[0-9]+' | grep -oE '[0-9]+$'; }
# Prints the node id, or returns 1 once the deadline has passed without one.
wait_for_node_id() {
  until id="$(node_id)"; do
    deadline_passed && return 1
    sleep "$POLL_SECONDS"
  done
  echo "$id"
}
`;

const PRE_STOP_TEMPLATE = `#!/bin/bash
# preStop of the {{STATEFULSET}} brokers: put this broker in maintenance mode (its partition
# leaderships move to the other brokers) and wait until the drain has finished, so a rolling
# restart never takes leaders down with the pod. Its deadline is the termination grace period
# minus the time kept for Redpanda's own shutdown, so the kubelet never cuts it off silently:
# whenever it could not drain in time it says so (container log, termination message, a
# FailedPreStopHook event from its non-zero exit) and lets the broker stop.
DEADLINE_SECONDS="\${DRAIN_TIMEOUT_SECONDS:-{{DRAIN_TIMEOUT}}}"
${HOOK_PRELUDE}
fail() {
  log "DRAIN NOT FINISHED: $*"
  printf 'pre-stop: drain not finished: %s\\n' "$*" >"$TERMINATION_LOG" 2>/dev/null || true
  exit 1
}
replicas="$(cat "\${TOPOLOGY_DIR}/replicas" 2>/dev/null || echo 0)"
if [ "$replicas" -lt 3 ]; then
  log "not draining: maintenance mode needs at least 3 brokers and cluster.replicas is \${replicas}"
  exit 0
fi

id="$(wait_for_node_id)" || fail "the admin API at \${ADMIN_API} reported no node id within \${DEADLINE_SECONDS}s; stopping without a drain"
log "putting node \${id} into maintenance mode (drain deadline \${DEADLINE_SECONDS}s)"

# One broker at a time may be in maintenance: a 400 means another broker holds the slot (its
# own restart is still draining or it has not left maintenance yet), so wait for it. A 503
# means the cluster has no controller leader (a multi-broker outage): retry as well.
last_status=""
while :; do
  status="$(admin_curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 -X PUT "\${ADMIN_API}/v1/brokers/\${id}/maintenance" || true)"
  [ -n "$status" ] || status="000"
  if [ "$status" = "200" ]; then
    log "node \${id} is in maintenance mode"
    break
  fi
  # 404: the cluster no longer lists this node id (it was decommissioned): nothing to drain.
  if [ "$status" = "404" ]; then
    log "node \${id} is not a member of the cluster (decommissioned): nothing to drain"
    exit 0
  fi
  if [ "$status" != "$last_status" ]; then
    case "$status" in
      400) log "another broker holds the maintenance slot (HTTP 400); retrying every \${POLL_SECONDS}s" ;;
      503) log "the cluster has no controller leader (HTTP 503); retrying every \${POLL_SECONDS}s" ;;
      401|403) log "the admin API refused the superuser credentials in \${ADMIN_CREDENTIALS_DIR} (HTTP \${status}); retrying every \${POLL_SECONDS}s" ;;
      *) log "PUT /v1/brokers/\${id}/maintenance answered HTTP \${status}; retrying every \${POLL_SECONDS}s" ;;
    esac
    last_status="$status"
  fi
  deadline_passed && fail "node \${id} could not enter maintenance mode within \${DEADLINE_SECONDS}s (last answer HTTP \${status}); leaderships were NOT drained"
  sleep "$POLL_SECONDS"
done

while :; do
  body="$(admin_curl --silent --fail --max-time 5 "\${ADMIN_API}/v1/maintenance" || true)"
  if [ "$(json_field finished "$body")" = "true" ]; then
    failed="$(json_field failed "$body")"
    if [ "$(json_field errors "$body")" = "true" ] || [ "\${failed:-0}" != "0" ]; then
      fail "drain of node \${id} finished with errors (failed transfers: \${failed:-unknown}); status: \${body}"
    fi
    log "node \${id} drained: $(json_field partitions "$body") leaderships moved in $((SECONDS - started))s"
    exit 0
  fi
  deadline_passed && fail "drain of node \${id} did not finish within \${DEADLINE_SECONDS}s; last status: \${body:-no answer}"
  sleep "$POLL_SECONDS"
done
`;

const POST_START_TEMPLATE = `#!/bin/bash
# postStart of the {{STATEFULSET}} brokers: take this broker out of maintenance mode once its
# admin API answers. It NEVER fails: a failed postStart kills the container, and after a
# multi-broker outage (no controller leader, HTTP 503) that would kill a healthy broker just
# when the cluster needs it. Nor does it leave the broker in maintenance: a broker left there
# holds the cluster's single maintenance slot, and every later preStop would stop without
# draining. The hook returns after {{POST_START_TIMEOUT}}s at most (the kubelet starts the probes only
# after it), and past that deadline a copy of it keeps trying in the background for as long as
# the startup probe lets the broker start ({{WATCH}}s); only then does it give up, with a line
# starting "post-start GAVE UP" in the container log that names the command to finish by hand.
if [ "\${POST_START_BACKGROUND:-}" = "1" ]; then
  DEADLINE_SECONDS="\${POST_START_WATCH_SECONDS:-{{WATCH}}}"
else
  DEADLINE_SECONDS="\${POST_START_TIMEOUT_SECONDS:-{{POST_START_TIMEOUT}}}"
fi
${HOOK_PRELUDE}
give_up() {
  if [ "\${POST_START_BACKGROUND:-}" != "1" ]; then
    log "still waiting, in the background: $*"
    POST_START_BACKGROUND=1 nohup bash "$0" </dev/null >/dev/null 2>&1 &
    disown
    exit 0
  fi
  log "GAVE UP (the broker keeps running): $*"
  exit 0
}
id="$(wait_for_node_id)" || give_up "the admin API at \${ADMIN_API} reported no node id within \${DEADLINE_SECONDS}s; if this broker was in maintenance mode, run: rpk cluster maintenance disable <its node id>"

last_status=""
while :; do
  status="$(admin_curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 -X DELETE "\${ADMIN_API}/v1/brokers/\${id}/maintenance" || true)"
  [ -n "$status" ] || status="000"
  case "$status" in
    200) log "node \${id} left maintenance mode"; exit 0 ;;
    400) log "node \${id} was not in maintenance mode"; exit 0 ;;
    404) log "node \${id} is not a member of the cluster (decommissioned): no maintenance to leave"; exit 0 ;;
  esac
  if [ "$status" != "$last_status" ]; then
    [ "$status" = "503" ] && log "the cluster has no controller leader (HTTP 503); retrying every \${POLL_SECONDS}s" || log "DELETE /v1/brokers/\${id}/maintenance answered HTTP \${status}; retrying every \${POLL_SECONDS}s"
    last_status="$status"
  fi
  deadline_passed && give_up "node \${id} could not leave maintenance mode within \${DEADLINE_SECONDS}s (last answer HTTP \${status}); run: rpk cluster maintenance disable \${id}"
  sleep "$POLL_SECONDS"
done
`;

/** Exits 1 unless GET /v1/status/ready says "ready" in its body (a public route: no credentials). */
const statusReadyCheck = (
  verdict: string,
  bootingNote: string,
) => `if ! body="$(curl --silent --fail --max-time 3 "\${ADMIN_API}/v1/status/ready")"; then
  echo "${verdict}: the admin API did not answer GET /v1/status/ready"
  exit 1
fi
if ! printf '%s' "$body" | grep -qE '"status"[[:space:]]*:[[:space:]]*"ready"'; then
  echo "${verdict}: the broker reports \${body:-nothing}${bootingNote}"
  exit 1
fi
`;

const STARTUP_TEMPLATE = `#!/bin/bash
# Startup probe of the {{STATEFULSET}} brokers: started once this broker's admin API says
# "ready" in its body. /v1/status/ready answers HTTP 200 from early on, with {"status":"booting"}
# until the Kafka and RPC servers run, so the status code alone would start the liveness probe
# (and the roll's clock) during log recovery. A public endpoint: asked without credentials.
set -uo pipefail
ADMIN_API="\${ADMIN_API:-http://127.0.0.1:{{ADMIN_PORT}}}"
${statusReadyCheck("not started", "")}exit 0
`;

const READINESS_TEMPLATE = `#!/bin/bash
# Readiness of the {{STATEFULSET}} brokers: the roll gate, not a traffic switch (every Service
# clients bootstrap through publishes not-ready addresses). Ready only when this broker's admin
# API says "ready" in its body (/v1/status/ready answers HTTP 200 while booting too) and the
# cluster is healthy: no node down, no leaderless or under-replicated partition (rpk cluster
# health, as the official chart). So a rolling restart and the PodDisruptionBudget wait for the
# cluster to heal before they take the next broker down. Output lands in the probe's event.
set -uo pipefail
ADMIN_API="\${ADMIN_API:-http://127.0.0.1:{{ADMIN_PORT}}}"
RPK_TIMEOUT_SECONDS="\${RPK_TIMEOUT_SECONDS:-{{RPK_TIMEOUT}}}"

${statusReadyCheck("not ready", " (still starting)")}if ! health="$(timeout "$RPK_TIMEOUT_SECONDS" rpk cluster health 2>&1)"; then
  echo "not ready: rpk cluster health failed: $(printf '%s' "$health" | tr '\\n' ' ')"
  exit 1
fi
if ! printf '%s\\n' "$health" | grep -qE '^Healthy:[[:space:]]+true[[:space:]]*$'; then
  echo "not ready: the cluster is not healthy: $(printf '%s' "$health" | grep -E '^(Healthy|Unhealthy reasons|Nodes down|Leaderless|Under-replicated)' | tr -s ' ' | tr '\\n' ';')"
  exit 1
fi
exit 0
`;

/** Seconds a readiness run may spend in `rpk cluster health` (the probe's own timeout is a bit longer). */
export const READINESS_RPK_TIMEOUT_SECONDS = 5;

export function drainTimeoutSeconds(
  cluster: Pick<ClusterConfig, "terminationGracePeriodSeconds">,
): number {
  return cluster.terminationGracePeriodSeconds - SHUTDOWN_MARGIN_SECONDS;
}

export function renderPreStopScript(cluster: ClusterConfig): string {
  return fill(PRE_STOP_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    HOOK: "pre-stop",
    ADMIN_PORT: String(PORTS.admin),
    ADMIN_CREDENTIALS_DIR: PATHS.adminCredentials,
    TOPOLOGY_DIR: PATHS.topology,
    DRAIN_TIMEOUT: String(drainTimeoutSeconds(cluster)),
  });
}

export function renderPostStartScript(cluster: ClusterConfig): string {
  return fill(POST_START_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    HOOK: "post-start",
    ADMIN_PORT: String(PORTS.admin),
    ADMIN_CREDENTIALS_DIR: PATHS.adminCredentials,
    WATCH: String(cluster.startupTimeoutSeconds),
    TOPOLOGY_DIR: PATHS.topology,
    POST_START_TIMEOUT: String(Math.min(POST_START_TIMEOUT_SECONDS, cluster.startupTimeoutSeconds)),
  });
}

export function renderStartupScript(): string {
  return fill(STARTUP_TEMPLATE, { STATEFULSET: STATEFULSET_NAME, ADMIN_PORT: String(PORTS.admin) });
}

export function renderReadinessScript(): string {
  return fill(READINESS_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    ADMIN_PORT: String(PORTS.admin),
    RPK_TIMEOUT: String(READINESS_RPK_TIMEOUT_SECONDS),
  });
}

export interface ScriptsConfigMap {
  /** `apphub-redpanda-scripts-<hash>`: a content change is a new ConfigMap, so the brokers roll. */
  name: string;
  data: Record<string, string>;
}

export function renderScripts(namespace: string, cluster: ClusterConfig): ScriptsConfigMap {
  const data = {
    [SCRIPT_FILES.start]: renderStartScript(namespace, cluster),
    [SCRIPT_FILES.preStop]: renderPreStopScript(cluster),
    [SCRIPT_FILES.postStart]: renderPostStartScript(cluster),
    [SCRIPT_FILES.startup]: renderStartupScript(),
    [SCRIPT_FILES.readiness]: renderReadinessScript(),
    [SCRIPT_FILES.redpandaYaml]: renderRedpandaYaml(cluster),
    [SCRIPT_FILES.bootstrapYaml]: renderBootstrapYaml(cluster),
  };
  const hash = createHash("sha256");
  for (const [key, value] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b)))
    hash.update(`${key}\0${value}\0`);
  return { name: `${SCRIPTS_CONFIGMAP_PREFIX}-${hash.digest("hex").slice(0, 10)}`, data };
}
