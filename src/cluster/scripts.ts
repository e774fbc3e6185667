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
import { externalBrokers, seedServers } from "./addresses";
import {
  clientServiceFqdn,
  HEADLESS_SERVICE_NAME,
  PATHS,
  PORTS,
  SCRIPT_FILES,
  SCRIPTS_CONFIGMAP_PREFIX,
  SHUTDOWN_MARGIN_SECONDS,
  STATEFULSET_NAME,
  CLUSTER_DOMAIN,
} from "./constants";
import { brokerSizing } from "./sizing";

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

/** The static part of `redpanda.yaml`; the start script adds the per-pod addresses as rpk flags. */
export function renderRedpandaYaml(cluster: ClusterConfig): string {
  const kafkaApi: { name: string; address: string; port: number }[] = [{ name: "internal", address: "0.0.0.0", port: PORTS.kafka }];
  if (cluster.external.enabled) kafkaApi.push({ name: "external", address: "0.0.0.0", port: PORTS.kafkaExternal });
  const config = {
    redpanda: {
      data_directory: PATHS.data,
      // The seed list (given with --seeds) founds the cluster: no broker starts one on its own.
      empty_seed_starts_cluster: false,
      developer_mode: cluster.developerMode,
      rpc_server: { address: "0.0.0.0", port: PORTS.rpc },
      kafka_api: kafkaApi,
      admin: [{ address: "0.0.0.0", port: PORTS.admin }],
    },
    pandaproxy: { pandaproxy_api: [{ name: "internal", address: "0.0.0.0", port: PORTS.httpProxy }] },
  };
  return `# Rendered by apphub-streaming (src/cluster/scripts.ts). start.sh copies it to ${PATHS.config}.\n${stringify(config)}`;
}

const START_TEMPLATE = `#!/bin/bash
# Starts one broker of the {{STATEFULSET}} StatefulSet. Rendered by apphub-streaming
# (src/cluster/scripts.ts): every per-pod value below derives from the pod ordinal.
set -euo pipefail

POD_NAME="\${POD_NAME:-$(hostname)}"
CONFIG_DIR="\${CONFIG_DIR:-{{CONFIG_DIR}}}"
DATA_DIR="\${DATA_DIR:-{{DATA_DIR}}}"
CLUSTER_ADMIN_URL="\${CLUSTER_ADMIN_URL:-{{CLUSTER_ADMIN_URL}}}"
SCRIPT_DIR="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"

SEEDS={{SEEDS}}
EXTERNAL_ADDRESSES={{EXTERNAL_ADDRESSES}}
DEV_FLAGS={{DEV_FLAGS}}

log() { echo "start $(date -u +%Y-%m-%dT%H:%M:%SZ): $*"; }

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
# Prints the node ids the cluster lists at host $1 that are not decommissioned, from /v1/brokers JSON on stdin.
node_ids_at() {
  grep -oE '"(node_id|internal_rpc_address|membership_status)"[[:space:]]*:[[:space:]]*("[^"]*"|-?[0-9]+)' |
    awk -v host="$1" '
      function flush() { if (id != "" && addr == host && status != "decommissioned") print id; id = ""; addr = ""; status = "" }
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
  if brokers_json="$(curl --silent --fail --max-time 5 "\${CLUSTER_ADMIN_URL}/v1/brokers")"; then
    previous_ids="$(printf '%s' "$brokers_json" | node_ids_at "$fqdn" | tr '\\n' ' ' | sed 's/ $//' || true)"
    if [ -n "$previous_ids" ]; then
      log "DISK LOSS DETECTED: \${POD_NAME} starts with an empty \${DATA_DIR}, but the cluster still lists node id(s) \${previous_ids} at \${fqdn}." >&2
      log "This broker will join under a NEW node id. Once it is up, decommission the old one(s): rpk redpanda admin brokers decommission <id> (docs/kubernetes.md, 'A broker lost its disk')." >&2
    fi
  else
    log "empty data directory and no answer from \${CLUSTER_ADMIN_URL}: first start of the cluster"
  fi
fi

mkdir -p "$CONFIG_DIR"
cp "\${SCRIPT_DIR}/{{REDPANDA_YAML}}" "\${CONFIG_DIR}/redpanda.yaml"

kafka_advertised="internal://\${fqdn}:{{KAFKA_PORT}}"
if [ "\${#EXTERNAL_ADDRESSES[@]}" -gt 0 ]; then
  if [ "$ordinal" -ge "\${#EXTERNAL_ADDRESSES[@]}" ]; then
    log "ordinal \${ordinal} has no external address (cluster.replicas is \${#EXTERNAL_ADDRESSES[@]})" >&2
    exit 64
  fi
  kafka_advertised="\${kafka_advertised},external://\${EXTERNAL_ADDRESSES[$ordinal]}"
fi

seeds="$(IFS=,; echo "\${SEEDS[*]}")"
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
  "\${DEV_FLAGS[@]}"
)
log "exec rpk \${args[*]}"
exec rpk "\${args[@]}"
`;

/** The container's command: renders redpanda.yaml and the per-ordinal flags, then execs `rpk redpanda start`. */
export function renderStartScript(namespace: string, cluster: ClusterConfig): string {
  const sizing = brokerSizing(cluster);
  const devFlags = [...(cluster.overprovisioned ? ["--overprovisioned"] : []), ...(cluster.developerMode ? ["--check=false"] : [])];
  return fill(START_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    HEADLESS: HEADLESS_SERVICE_NAME,
    NAMESPACE: namespace,
    CLUSTER_DOMAIN,
    CONFIG_DIR: PATHS.config,
    DATA_DIR: PATHS.data,
    CLUSTER_ADMIN_URL: `http://${clientServiceFqdn(namespace)}:${PORTS.admin}`,
    SEEDS: bashArray(seedServers(namespace, cluster.replicas)),
    EXTERNAL_ADDRESSES: bashArray(externalBrokers(cluster)),
    DEV_FLAGS: bashArray(devFlags),
    REDPANDA_YAML: SCRIPT_FILES.redpandaYaml,
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
# Exits non-zero on purpose: the kubelet records a Failed{{HOOK_EVENT}}Hook event with this message.
fail() {
  log "FAILED: $*"
  printf '{{HOOK}} failed: %s\\n' "$*" >"$TERMINATION_LOG" 2>/dev/null || true
  exit 1
}
deadline_passed() { [ $((SECONDS - started)) -ge "$DEADLINE_SECONDS" ]; }
json_field() { printf '%s' "$2" | grep -oE "\\"$1\\"[[:space:]]*:[[:space:]]*[^,}]*" | head -n 1 | sed -E 's/^[^:]*:[[:space:]]*//; s/"//g'; }
# Redpanda reports a node id only once the broker has one (>= 0).
node_id() { curl --silent --fail --max-time 5 "\${ADMIN_API}/v1/node_config" | grep -oE '"node_id"[[:space:]]*:[[:space:]]*[0-9]+' | grep -oE '[0-9]+$'; }
wait_for_node_id() {
  until id="$(node_id)"; do
    deadline_passed && fail "$1"
    sleep "$POLL_SECONDS"
  done
  echo "$id"
}
`;

const PRE_STOP_TEMPLATE = `#!/bin/bash
# preStop of the {{STATEFULSET}} brokers: put this broker in maintenance mode (its partition
# leaderships move to the other brokers) and wait until the drain has finished, so a rolling
# restart never takes leaders down with the pod. It exits non-zero, with the reason in the
# pod's termination message and container log, whenever it could not drain in time.
DEADLINE_SECONDS="\${DRAIN_TIMEOUT_SECONDS:-{{DRAIN_TIMEOUT}}}"
REPLICAS={{REPLICAS}}
${HOOK_PRELUDE}
if [ "$REPLICAS" -lt 3 ]; then
  log "not draining: maintenance mode needs at least 3 brokers and cluster.replicas is \${REPLICAS}"
  exit 0
fi

id="$(wait_for_node_id "the admin API at \${ADMIN_API} reported no node id within \${DEADLINE_SECONDS}s; stopping without a drain")" || exit 1
log "putting node \${id} into maintenance mode (drain deadline \${DEADLINE_SECONDS}s)"

# One broker at a time may be in maintenance: a 400 means another broker holds the slot (its
# own restart is still draining or it has not left maintenance yet), so wait for it.
last_status=""
while :; do
  status="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 -X PUT "\${ADMIN_API}/v1/brokers/\${id}/maintenance" || true)"
  [ -n "$status" ] || status="000"
  if [ "$status" = "200" ]; then
    log "node \${id} is in maintenance mode"
    break
  fi
  if [ "$status" != "$last_status" ]; then
    if [ "$status" = "400" ]; then
      log "another broker holds the maintenance slot (HTTP 400); retrying every \${POLL_SECONDS}s"
    else
      log "PUT /v1/brokers/\${id}/maintenance answered HTTP \${status}; retrying every \${POLL_SECONDS}s"
    fi
    last_status="$status"
  fi
  deadline_passed && fail "node \${id} could not enter maintenance mode within \${DEADLINE_SECONDS}s (last answer HTTP \${status}); leaderships were NOT drained"
  sleep "$POLL_SECONDS"
done

while :; do
  body="$(curl --silent --fail --max-time 5 "\${ADMIN_API}/v1/maintenance" || true)"
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
# admin API answers. The container does not reach Running until this hook has finished, so the
# pod turns Ready (and a rolling update moves on to the next broker, whose preStop needs the
# maintenance slot) only once this broker has left maintenance.
DEADLINE_SECONDS="\${POST_START_TIMEOUT_SECONDS:-{{POST_START_TIMEOUT}}}"
${HOOK_PRELUDE}
id="$(wait_for_node_id "the admin API at \${ADMIN_API} reported no node id within \${DEADLINE_SECONDS}s")" || exit 1

while :; do
  status="$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 -X DELETE "\${ADMIN_API}/v1/brokers/\${id}/maintenance" || true)"
  case "$status" in
    200) log "node \${id} left maintenance mode"; exit 0 ;;
    400) log "node \${id} was not in maintenance mode"; exit 0 ;;
  esac
  deadline_passed && fail "node \${id} could not leave maintenance mode within \${DEADLINE_SECONDS}s (last answer HTTP \${status:-none}); run: rpk cluster maintenance disable \${id}"
  sleep "$POLL_SECONDS"
done
`;

export function drainTimeoutSeconds(cluster: Pick<ClusterConfig, "terminationGracePeriodSeconds">): number {
  return cluster.terminationGracePeriodSeconds - SHUTDOWN_MARGIN_SECONDS;
}

export function renderPreStopScript(cluster: ClusterConfig): string {
  return fill(PRE_STOP_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    HOOK: "pre-stop",
    HOOK_EVENT: "PreStop",
    ADMIN_PORT: String(PORTS.admin),
    DRAIN_TIMEOUT: String(drainTimeoutSeconds(cluster)),
    REPLICAS: String(cluster.replicas),
  });
}

export function renderPostStartScript(cluster: ClusterConfig): string {
  return fill(POST_START_TEMPLATE, {
    STATEFULSET: STATEFULSET_NAME,
    HOOK: "post-start",
    HOOK_EVENT: "PostStart",
    ADMIN_PORT: String(PORTS.admin),
    POST_START_TIMEOUT: String(cluster.startupTimeoutSeconds),
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
    [SCRIPT_FILES.redpandaYaml]: renderRedpandaYaml(cluster),
  };
  const hash = createHash("sha256");
  for (const [key, value] of Object.entries(data).sort(([a], [b]) => a.localeCompare(b))) hash.update(`${key}\0${value}\0`);
  return { name: `${SCRIPTS_CONFIGMAP_PREFIX}-${hash.digest("hex").slice(0, 10)}`, data };
}
