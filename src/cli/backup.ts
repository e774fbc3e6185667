/**
 * Backup and restore of broker data directories to S3 (see docs/backup-restore.md).
 *
 *   backup  --kubectl [--brokers N]            every broker pod, via kubectl exec (the CronJob)
 *   backup  --broker N --dir PATH [--full]     one broker from a local directory
 *   list    [--broker N]                       snapshots, oldest first; * marks latest
 *   restore --broker N --snapshot S|latest --into DIR
 *   verify  --broker N --snapshot S|latest [--dir DIR | --deep]
 *
 * Bucket settings come from flags or BACKUP_* variables; credentials from the AWS SDK's
 * default chain (IRSA, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Exit codes: 0 done,
 * 1 failed (or verification found problems), 2 bad usage.
 */
import { parseArgs } from "node:util";
import { runBackup, type BackupEvent, type BackupResult } from "../backup/engine";
import { KubectlExecSource } from "../backup/kubectl-source";
import { formatBytes } from "../backup/plan";
import { listSnapshots, resolveManifest, restoreSnapshot } from "../backup/restore";
import { brokerPodNames, resolveSettings, SETTING_ENV, type BackupSettings, type SettingFlag } from "../backup/settings";
import { LocalDirectorySource, type SnapshotSource } from "../backup/source";
import { SnapshotStore, createS3Client } from "../backup/store";
import { verifyDirectory, verifyStored, type VerifyReport } from "../backup/verify";

const USAGE = `usage:
  backup  --kubectl [--brokers N] [--namespace NS] [--full]
  backup  --broker N --dir PATH [--full]
  list    [--broker N]
  restore --broker N --snapshot <id|latest> --into DIR
  verify  --broker N --snapshot <id|latest> [--dir DIR | --deep]
bucket flags (or environment): ${Object.entries(SETTING_ENV)
  .map(([flag, variable]) => `--${flag} (${variable})`)
  .join(", ")}`;

class UsageError extends Error {}

const OPTIONS = {
  ...(Object.fromEntries(Object.keys(SETTING_ENV).map((flag) => [flag, { type: flag === "force-path-style" ? "boolean" : "string" }])) as Record<
    SettingFlag,
    { type: "string" | "boolean" }
  >),
  kubectl: { type: "boolean" },
  broker: { type: "string" },
  dir: { type: "string" },
  full: { type: "boolean" },
  snapshot: { type: "string" },
  into: { type: "string" },
  deep: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean" },
} as const;

type Values = Record<string, string | boolean | undefined>;

function brokerOf(values: Values): number {
  const text = values.broker;
  if (typeof text !== "string" || !/^\d+$/.test(text)) throw new UsageError(`expected --broker to be a broker ordinal (0, 1, ...), got ${JSON.stringify(text ?? null)}`);
  return Number(text);
}

function requireString(values: Values, flag: string, what: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "") throw new UsageError(`expected --${flag}: ${what}`);
  return value;
}

function line(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function storeFor(settings: BackupSettings): SnapshotStore {
  return new SnapshotStore(createS3Client(settings), { bucket: settings.bucket, prefix: settings.prefix });
}

async function backup(values: Values, settings: BackupSettings): Promise<boolean> {
  const store = storeFor(settings);
  const targets: Array<{ broker: number; source: SnapshotSource }> = [];
  if (values.kubectl) {
    if (values.dir !== undefined) throw new UsageError("expected either --kubectl or --dir, not both");
    if (settings.brokerCount === undefined) throw new UsageError(`expected --brokers (or ${SETTING_ENV.brokers}) with --kubectl: the number of broker pods`);
    for (const [broker, pod] of brokerPodNames(settings.podPrefix, settings.brokerCount).entries()) {
      targets.push({ broker, source: new KubectlExecSource({ namespace: settings.namespace, pod, container: settings.container, dataDir: settings.dataDir }) });
    }
  } else {
    const dir = requireString(values, "dir", "the broker's data directory (or --kubectl to read the broker pods)");
    targets.push({ broker: brokerOf(values), source: new LocalDirectorySource(dir) });
  }
  const onEvent = (event: BackupEvent) => {
    if (event.event !== "uploaded" || values.verbose) line(event);
  };
  // Brokers are independent: one failing does not stop the others, but fails the run.
  const outcomes = await Promise.allSettled(
    targets.map(({ broker, source }) =>
      runBackup({ store, source, broker, fullEveryHours: settings.fullEveryHours, forceFull: values.full === true, concurrency: settings.concurrency, onEvent }),
    ),
  );
  let ok = true;
  outcomes.forEach((outcome, index) => {
    const broker = targets[index]!.broker;
    if (outcome.status === "fulfilled") line(snapshotLine(outcome.value));
    else {
      ok = false;
      line({ event: "failed", broker, error: (outcome.reason as Error).message });
    }
  });
  return ok;
}

function snapshotLine(result: BackupResult) {
  return { event: "snapshot", ...result, uploaded: formatBytes(result.uploadedBytes), size: formatBytes(result.bytes) };
}

async function list(values: Values, settings: BackupSettings): Promise<boolean> {
  const store = storeFor(settings);
  const brokers = values.broker === undefined ? await store.listBrokers() : [brokerOf(values)];
  if (brokers.length === 0) process.stdout.write(`no snapshots under s3://${settings.bucket}/${settings.prefix}/\n`);
  for (const broker of brokers) {
    const snapshots = await listSnapshots(store, broker);
    process.stdout.write(`broker ${broker}: ${snapshots.length} snapshot(s) under ${store.describe(broker)}\n`);
    for (const snapshot of snapshots) {
      process.stdout.write(`  ${snapshot.latest ? "*" : " "} ${snapshot.snapshotId}  ${snapshot.kind.padEnd(11)}  chain ${snapshot.chainId}\n`);
    }
  }
  return true;
}

async function restore(values: Values, settings: BackupSettings): Promise<boolean> {
  const broker = brokerOf(values);
  const snapshot = requireString(values, "snapshot", 'a snapshot id from "list", or latest');
  const into = requireString(values, "into", "an empty directory (the broker's new data volume)");
  const result = await restoreSnapshot({ store: storeFor(settings), broker, snapshot, into, concurrency: settings.concurrency });
  process.stdout.write(
    `restored broker ${broker} snapshot ${result.snapshotId} into ${into}: ${result.files} files, ${formatBytes(result.bytes)}, every file sha256-verified\n`,
  );
  return true;
}

function printReport(what: string, report: VerifyReport): boolean {
  for (const problem of report.problems) process.stdout.write(`  ${problem.path}: ${problem.problem}\n`);
  process.stdout.write(`${what}: ${report.ok ? "OK" : `${report.problems.length} problem(s)`} (${report.checkedFiles} files, ${formatBytes(report.checkedBytes)} checked)\n`);
  return report.ok;
}

async function verify(values: Values, settings: BackupSettings): Promise<boolean> {
  const broker = brokerOf(values);
  const snapshot = requireString(values, "snapshot", 'a snapshot id from "list", or latest');
  const store = storeFor(settings);
  const { manifest } = await resolveManifest(store, broker, snapshot);
  if (typeof values.dir === "string") {
    return printReport(`${values.dir} against snapshot ${manifest.snapshotId}`, await verifyDirectory(values.dir, manifest, settings.concurrency));
  }
  const deep = values.deep === true;
  return printReport(`objects of snapshot ${manifest.snapshotId} (${deep ? "sha256" : "sizes"})`, await verifyStored(store, manifest, { deep, concurrency: settings.concurrency * 2 }));
}

const COMMANDS: Record<string, (values: Values, settings: BackupSettings) => Promise<boolean>> = { backup, list, restore, verify };

async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const command = positionals[0];
    const action = command === undefined ? undefined : COMMANDS[command];
    if (!action || positionals.length > 1) throw new UsageError(command === undefined ? "missing command" : `unknown command: ${positionals.join(" ")}`);
    const resolved = resolveSettings(values as Partial<Record<SettingFlag, string | boolean>>, process.env);
    if (!resolved.ok) throw new UsageError(`invalid settings:\n  - ${resolved.problems.join("\n  - ")}`);
    return (await action(values, resolved.settings)) ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}

// Exit explicitly: a Job must end when the work is done, whatever sockets or children linger.
main(process.argv.slice(2)).then((code) => process.exit(code));
