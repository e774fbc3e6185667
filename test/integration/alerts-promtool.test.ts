/**
 * The rendered alert rules against real promtool (built from the Go proxy by
 * test/peers/engines/build.sh): `promtool check rules` on the rules exactly as the prod stack
 * renders them, and `promtool test rules` cases that feed series named and labelled as
 * Redpanda v24.3 exports them (`shard`, `redpanda_request`, `redpanda_topic`, ...) under both
 * ways Prometheus scrapes the brokers, each case run under each:
 * - the Prometheus Operator (our ServiceMonitor): target labels `namespace`, `service`, `pod`,
 *   `container`, `endpoint`, `job` = Service name, `instance` and the Service label
 *   `redpanda_cluster` (targetLabels); `honorLabels: false`, so an internal metric's own
 *   `namespace` (the Kafka namespace) is kept as `exported_namespace`;
 * - the annotation job of the prometheus chart (`kubernetes-service-endpoints`,
 *   `honor_labels: true`): every Service label through its labelmap (so `redpanda_cluster`),
 *   `namespace`, `service`, `node`, `instance`, job `kubernetes-service-endpoints`, no `pod`;
 *   an internal metric's own `namespace` replaces Kubernetes'.
 * Each alert has a firing case and a quiet one.
 *
 * `promtool test rules` compares annotations exactly; the cases test expressions, `for` and
 * labels, so they run on the same rules with annotations left out (the full file is what
 * `check rules` validates, templates included).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { alertRuleGroups } from "../../src/cluster/alerts";
import { type ChildResult, runChild } from "../support/child";

const REPO = path.resolve(__dirname, "../..");
const NS = "apphub-system";
let promtool = "";
let dir = "";

type Shape = "operator" | "annotations";
type Endpoint = "/metrics" | "/public_metrics";
const SHAPES: Shape[] = ["operator", "annotations"];

/**
 * Broker N's series labels as `shape` stores them: Redpanda's own labels (`own`) merged with
 * the target labels of the Service scraped for `endpoint`. A label both have is Redpanda's under
 * honor_labels (annotations) and `exported_<name>` otherwise (operator).
 */
function brokerLabels(
  shape: Shape,
  ordinal: number,
  endpoint: Endpoint,
  own: Record<string, string> = {},
): string {
  const instance = `10.1.0.${10 + ordinal}:9644`;
  const serviceLabels = {
    "app.kubernetes.io/name": "redpanda",
    "app.kubernetes.io/instance": "apphub-redpanda",
    "app.kubernetes.io/component": endpoint === "/metrics" ? "broker" : "metrics",
    "app.kubernetes.io/part-of": "apphub-streaming",
    "app.kubernetes.io/managed-by": "pulumi",
    redpanda_cluster: NS,
  };
  const target: Record<string, string> =
    shape === "operator"
      ? {
          // ServiceMonitor apphub-redpanda: the public-metrics Service, both paths.
          namespace: NS,
          service: "apphub-redpanda-public-metrics",
          endpoint: "admin",
          pod: `apphub-redpanda-${ordinal}`,
          container: "redpanda",
          job: "apphub-redpanda-public-metrics",
          instance,
          redpanda_cluster: serviceLabels.redpanda_cluster,
        }
      : {
          ...Object.fromEntries(
            Object.entries(serviceLabels).map(([key, value]) => [
              key.replace(/[^a-zA-Z0-9_]/g, "_"),
              value,
            ]),
          ),
          namespace: NS,
          service:
            endpoint === "/metrics" ? "apphub-redpanda-headless" : "apphub-redpanda-public-metrics",
          node: `ip-10-0-${ordinal}-1.ec2.internal`,
          instance,
          job: "kubernetes-service-endpoints",
        };
  const merged: Record<string, string> = { ...target };
  for (const [key, value] of Object.entries(own)) {
    if (shape === "annotations" || !(key in target)) merged[key] = value;
    else merged[`exported_${key}`] = value;
  }
  return Object.entries(merged)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",");
}
const series = (name: string, labels: string, values: string) => ({
  series: `${name}{${labels}}`,
  values,
});

interface Case {
  name: string;
  input_series: { series: string; values: string }[];
  alert: string;
  eval_time: string;
  /** Labels of each expected alert besides alertname; [] = quiet. */
  firing: Record<string, string>[];
}

function run(cases: Case[], shape: Shape | "apphub"): Promise<ChildResult> {
  const file = path.join(dir, `tests-${shape}-${cases[0]!.alert}.yaml`);
  fs.writeFileSync(
    file,
    stringify({
      rule_files: ["rules-for-tests.yaml"],
      evaluation_interval: "1m",
      tests: cases.map((testCase) => ({
        name: testCase.name,
        interval: "1m",
        input_series: testCase.input_series,
        alert_rule_test: [
          {
            eval_time: testCase.eval_time,
            alertname: testCase.alert,
            exp_alerts: testCase.firing.map((labels) => ({ exp_labels: labels })),
          },
        ],
      })),
    }),
  );
  return runChild(promtool, ["test", "rules", file], { cwd: dir });
}

beforeAll(() => {
  // Cached after the first build (~10 min cold on 2 cores); prints where it is.
  execFileSync("bash", [path.join(REPO, "test/peers/engines/build.sh"), "promtool"], {
    stdio: "inherit",
  });
  const engineDir = execFileSync(
    "bash",
    [path.join(REPO, "test/peers/engines/build.sh"), "--print-dir", "promtool"],
    { encoding: "utf8" },
  ).trim();
  promtool = path.join(engineDir, "bin", "promtool");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-promtool-"));
  const groups = alertRuleGroups(NS, { backlogAlertSeconds: 300, storageSize: "100Gi" });
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }));
  const bare = groups.map((group) => ({
    ...group,
    rules: group.rules.map(({ annotations: _annotations, ...rule }) => rule),
  }));
  fs.writeFileSync(path.join(dir, "rules-for-tests.yaml"), stringify({ groups: bare }));
}, 1_800_000);

describe("promtool check rules", () => {
  it("accepts the rendered rules, templates included", async () => {
    const result = await runChild(promtool, ["check", "rules", path.join(dir, "rules.yaml")]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain("SUCCESS: 10 rules found");
  });
});

describe.each(SHAPES)("promtool test rules on Redpanda-named series, %s scrape shape", (shape) => {
  const target = (ordinal: number, endpoint: Endpoint = "/public_metrics", own = {}) =>
    brokerLabels(shape, ordinal, endpoint, own);
  const uptime = (ordinals: number[]) =>
    ordinals.map((ordinal) =>
      series("redpanda_application_uptime_seconds_total", target(ordinal), "0+60x60"),
    );
  const critical = { severity: "critical", redpanda_cluster: NS };
  const warning = { severity: "warning", redpanda_cluster: NS };
  const test = (cases: Case[]) => run(cases, shape);

  it("RedpandaClusterUnhealthy: fires on leaderless partitions, a broker missing or none scraped; quiet on a healthy cluster", async () => {
    const members = series("redpanda_cluster_brokers", target(0), "3x60");
    const result = await test([
      {
        name: "healthy: three brokers export, no leaderless partition",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          members,
          series("redpanda_cluster_unavailable_partitions", target(0), "0x60"),
          ...uptime([0, 1, 2]),
        ],
        firing: [],
      },
      {
        name: "leaderless partitions (exported by the controller leader only)",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          members,
          series("redpanda_cluster_unavailable_partitions", target(0), "0 0 2x60"),
          ...uptime([0, 1, 2]),
        ],
        firing: [critical],
      },
      {
        name: "a broker missing: three members, two export",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          members,
          series("redpanda_cluster_unavailable_partitions", target(0), "0x60"),
          ...uptime([0, 1]),
        ],
        firing: [critical],
      },
      {
        name: "no broker scraped at all",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [series("up", target(0), "0x60")],
        firing: [critical],
      },
      {
        name: "a broker restarting for less than 5 minutes stays quiet",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          members,
          ...uptime([0, 1]),
          series("redpanda_application_uptime_seconds_total", target(2), "0+60x10 _x3 0+60x40"),
        ],
        firing: [],
      },
      {
        name: "another cluster's brokers do not count for this one",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          members,
          ...uptime([0, 1]),
          series(
            "redpanda_application_uptime_seconds_total",
            target(2).replace(`redpanda_cluster="${NS}"`, 'redpanda_cluster="other-team"'),
            "0+60x60",
          ),
        ],
        firing: [critical],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it("RedpandaSegmentCreationSpike: fires when segments roll far faster than over the last hour, summed over shards and partitions", async () => {
    // vectorized_storage_log_log_segments_created: internal, per namespace/topic/partition/shard.
    const segments = (partition: number, shard: number, values: string) =>
      series(
        "vectorized_storage_log_log_segments_created",
        target(partition % 3, "/metrics", {
          namespace: "kafka",
          topic: "apphub.core.events",
          partition: String(partition),
          shard: String(shard),
        }),
        values,
      );
    const result = await test([
      {
        name: "steady segment creation",
        alert: "RedpandaSegmentCreationSpike",
        eval_time: "95m",
        input_series: [
          segments(0, 0, "0+1x150"),
          segments(1, 1, "0+1x150"),
          segments(2, 0, "0+1x150"),
        ],
        firing: [],
      },
      {
        name: "a burst: 100 segments a minute per partition after 80 minutes of 1",
        alert: "RedpandaSegmentCreationSpike",
        eval_time: "95m",
        input_series: [
          segments(0, 0, "0+1x80 180+100x40"),
          segments(1, 1, "0+1x80 180+100x40"),
          segments(2, 0, "0+1x150"),
        ],
        firing: [warning],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it("RedpandaKafkaLatencyHigh: fires per request type when its p99 is above 250ms across brokers", async () => {
    // redpanda_kafka_request_latency_seconds: public histogram, shard aggregated away, label redpanda_request.
    const buckets = (ordinal: number, request: "produce" | "consume", slow: boolean) =>
      [
        ["0.131071", slow ? "0x30" : "0+100x30"],
        ["0.262143", slow ? "0x30" : "0+100x30"],
        ["0.524287", "0+100x30"],
        ["+Inf", "0+100x30"],
      ].map(([le, values]) =>
        series(
          "redpanda_kafka_request_latency_seconds_bucket",
          target(ordinal, "/public_metrics", { redpanda_request: request, le: le! }),
          values!,
        ),
      );
    const result = await test([
      {
        name: "fast produce and consume",
        alert: "RedpandaKafkaLatencyHigh",
        eval_time: "25m",
        input_series: [0, 1, 2].flatMap((ordinal) => [
          ...buckets(ordinal, "produce", false),
          ...buckets(ordinal, "consume", false),
        ]),
        firing: [],
      },
      {
        name: "slow produce on every broker, fast consume",
        alert: "RedpandaKafkaLatencyHigh",
        eval_time: "25m",
        input_series: [0, 1, 2].flatMap((ordinal) => [
          ...buckets(ordinal, "produce", true),
          ...buckets(ordinal, "consume", false),
        ]),
        firing: [{ ...warning, redpanda_request: "produce" }],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it("RedpandaPartitionsUnderReplicated: fires after 10 minutes of under-replicated replicas, not on a rolling restart's blip", async () => {
    const replicas = (partition: number, values: string) =>
      series(
        "redpanda_kafka_under_replicated_replicas",
        target(partition % 3, "/public_metrics", {
          redpanda_namespace: "kafka",
          redpanda_topic: "apphub.core.events",
          redpanda_partition: String(partition),
        }),
        values,
      );
    const result = await test([
      {
        name: "a 4-minute blip while a broker restarts",
        alert: "RedpandaPartitionsUnderReplicated",
        eval_time: "30m",
        input_series: [
          replicas(0, "0x10 1x4 0x20"),
          replicas(1, "0x35"),
          replicas(2, "0x10 1x4 0x20"),
        ],
        firing: [],
      },
      {
        name: "two partitions under-replicated for 20 minutes",
        alert: "RedpandaPartitionsUnderReplicated",
        eval_time: "30m",
        input_series: [replicas(0, "0x10 1x25"), replicas(1, "0x35"), replicas(2, "0x10 1x25")],
        firing: [critical],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it("RedpandaPartitionMovementStuck: fires when movements neither finish nor shrink for 30 minutes", async () => {
    const gauge = (name: string, ordinal: number, values: string) =>
      series(`redpanda_cluster_partition_${name}`, target(ordinal), values);
    const idle = [0, 1, 2].flatMap((ordinal) => [
      gauge("moving_to_node", ordinal, "0x60"),
      gauge("node_cancelling_movements", ordinal, "0x60"),
    ]);
    const result = await test([
      {
        name: "no movement",
        alert: "RedpandaPartitionMovementStuck",
        eval_time: "45m",
        input_series: idle,
        firing: [],
      },
      {
        name: "a long rebalance that keeps making progress",
        alert: "RedpandaPartitionMovementStuck",
        eval_time: "45m",
        input_series: [
          ...idle.slice(0, 4),
          gauge("moving_to_node", 2, "12-0.2x60"),
          gauge("node_cancelling_movements", 2, "0x60"),
        ],
        firing: [],
      },
      {
        name: "four replicas moving to broker 2 for an hour",
        alert: "RedpandaPartitionMovementStuck",
        eval_time: "45m",
        input_series: [
          ...idle.slice(0, 4),
          gauge("moving_to_node", 2, "4x60"),
          gauge("node_cancelling_movements", 2, "0x60"),
        ],
        firing: [warning],
      },
    ]);
    expect(result.code, result.output).toBe(0);
  });

  it("RedpandaDiskSpaceLow and RedpandaDiskSpaceDegraded: per broker, from Redpanda's free-space gauges", async () => {
    const GiB = 1024 ** 3;
    // Brokers 0 and 1 healthy; broker 2 as given. 100Gi volumes: Redpanda keeps 5 GiB free.
    const disks = (alert: string, freeGiB: number) =>
      [0, 1, 2].flatMap((ordinal) => [
        series(
          "redpanda_storage_disk_free_space_alert",
          target(ordinal),
          ordinal === 2 ? alert : "0x30",
        ),
        series(
          "redpanda_storage_disk_free_bytes",
          target(ordinal),
          `${(ordinal === 2 ? freeGiB : 80) * GiB}x30`,
        ),
      ]);
    const broker2 = { redpanda_cluster: NS, instance: "10.1.0.12:9644" };
    const low = await test([
      {
        name: "plenty of space",
        alert: "RedpandaDiskSpaceLow",
        eval_time: "20m",
        input_series: disks("0x30", 60),
        firing: [],
      },
      {
        name: "Redpanda's low-space alert on broker 2",
        alert: "RedpandaDiskSpaceLow",
        eval_time: "20m",
        input_series: disks("0x5 1x25", 4.5),
        firing: [{ severity: "warning", ...broker2 }],
      },
      {
        name: "below twice the free space Redpanda keeps, before its own 5% alert",
        alert: "RedpandaDiskSpaceLow",
        eval_time: "20m",
        input_series: disks("0x30", 8),
        firing: [{ severity: "warning", ...broker2 }],
      },
    ]);
    expect(low.code, low.output).toBe(0);
    const degraded = await test([
      {
        name: "low but still accepting writes",
        alert: "RedpandaDiskSpaceDegraded",
        eval_time: "20m",
        input_series: disks("1x30", 6),
        firing: [],
      },
      {
        name: "broker 2 refuses writes",
        alert: "RedpandaDiskSpaceDegraded",
        eval_time: "20m",
        input_series: disks("1x10 2x20", 4),
        firing: [{ severity: "critical", ...broker2 }],
      },
    ]);
    expect(degraded.code, degraded.output).toBe(0);
  });

  it("promtool itself fails a case whose expectation is wrong (the harness can fail)", async () => {
    const result = await test([
      {
        name: "healthy cluster wrongly expected to alert",
        alert: "RedpandaClusterUnhealthy",
        eval_time: "20m",
        input_series: [
          series("redpanda_cluster_brokers", target(0), "3x60"),
          series("redpanda_cluster_unavailable_partitions", target(0), "0x60"),
          ...uptime([0, 1, 2]),
        ],
        firing: [critical],
      },
    ]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("RedpandaClusterUnhealthy");
  });
});

describe("promtool test rules on AppHub's own series", () => {
  const warning = { severity: "warning" };
  it("AppHub's three: mirror publish failures, a degraded mirror p95, timestore backlog", async () => {
    const app = (name: string, labels: string, values: string) =>
      series(name, `namespace="apphub",pod="apphub-core-api-0",${labels}`, values);
    const latency = (slowAfter: number) =>
      [
        [
          "50",
          slowAfter > 0 ? `0+10x${slowAfter} ${slowAfter * 10}+0x${1500 - slowAfter}` : "0+10x1500",
        ],
        ["500", "0+10x1500"],
        ["+Inf", "0+10x1500"],
      ].map(([le, values]) =>
        app(
          "apphub_stream_mirror_publish_duration_ms_bucket",
          `result="success",le="${le}"`,
          values!,
        ),
      );
    const failures = await run(
      [
        {
          name: "no failures",
          alert: "AppHubStreamMirrorPublishFailures",
          eval_time: "30m",
          input_series: [app("apphub_stream_mirror_publish_total", 'result="failure"', "0x40")],
          firing: [],
        },
        {
          name: "failures",
          alert: "AppHubStreamMirrorPublishFailures",
          eval_time: "30m",
          input_series: [
            app("apphub_stream_mirror_publish_total", 'result="failure"', "0x10 1+1x30"),
          ],
          firing: [{ ...warning, namespace: "apphub" }],
        },
      ],
      "apphub",
    );
    expect(failures.code, failures.output).toBe(0);
    const slow = await run(
      [
        {
          name: "steady p95",
          alert: "AppHubStreamMirrorPublishSlow",
          eval_time: "1480m",
          input_series: latency(0),
          firing: [],
        },
        {
          name: "p95 jumps from under 50ms to ~475ms",
          alert: "AppHubStreamMirrorPublishSlow",
          eval_time: "1480m",
          input_series: latency(1450),
          firing: [{ ...warning, namespace: "apphub" }],
        },
      ],
      "apphub",
    );
    expect(slow.code, slow.output).toBe(0);
    const backlog = (values: string) => [
      series(
        "timestore_streaming_backlog_seconds",
        `namespace="apphub",pod="apphub-timestore-ingest-0"`,
        values,
      ),
    ];
    const timestore = await run(
      [
        {
          name: "keeping up",
          alert: "TimestoreStreamingBacklogHigh",
          eval_time: "30m",
          input_series: backlog("30x40"),
          firing: [],
        },
        {
          name: "lagging 10 minutes",
          alert: "TimestoreStreamingBacklogHigh",
          eval_time: "30m",
          input_series: backlog("30x5 600x35"),
          firing: [{ ...warning, namespace: "apphub" }],
        },
      ],
      "apphub",
    );
    expect(timestore.code, timestore.output).toBe(0);
  });
});
