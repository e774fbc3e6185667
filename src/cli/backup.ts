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
import { runBackup, type BackupEvent, type BackupResult } from "../backup/engine";
import { KubectlExecSource } from "../backup/kubectl-source";
import { formatBytes } from "../backup/plan";
import { listSnapshots, resolveManifest, restoreSnapshot } from "../backup/restore";
import {
  brokerPodNames,
  resolveSettings,
  SETTING_ENV,
  type BackupSettings,
  type SettingFlag,
} from "../backup/settings";
import { LocalDirectorySource, type SnapshotSource } from "../backup/source";
import { SnapshotStore, createS3Client } from "../backup/store";
import { verifyDirectory, verifyStored, type VerifyReport } from "../backup/verify";
import {
  EXIT,
  processIo,
  runCli,
  runParsed,
  UsageError,
  type CliSpec,
  type Io,
  type Options,
} from "./kit";

const SETTING_HELP: Record<SettingFlag, string> = {
  bucket: "S3 bucket",
  prefix: "key prefix in the bucket",
  region: "bucket region (else AWS_REGION)",
  endpoint: "S3-compatible endpoint URL",
  "force-path-style": "path-style S3 URLs (MinIO, moto)",
  "full-every-hours": "start a new full snapshot after this many hours",
  concurrency: "parallel transfers",
  namespace: "namespace of the broker pods (--kubectl)",
  brokers: "number of broker pods (--kubectl)",
  "pod-prefix": "StatefulSet name: pods are <prefix>-<ordinal> (--kubectl)",
  container: "broker container in the pod (--kubectl)",
  "data-dir": "broker data directory in the container (--kubectl)",
};

export const BACKUP_CLI: CliSpec<Options> = {
  name: "backup",
  summary:
    "Backs up broker data directories to S3 as incremental snapshots, lists, restores and verifies them.",
  usage: [
    "backup  --kubectl [--brokers N] [--namespace NS] [--full]",
    "backup  --broker N --dir PATH [--full]",
    "list    [--broker N]",
    "restore --broker N --snapshot <id|latest> --into DIR",
    "verify  --broker N --snapshot <id|latest> [--dir DIR | --deep]",
  ],
  commands: ["backup", "list", "restore", "verify"],
  options: {
    ...(Object.fromEntries(
      (Object.entries(SETTING_ENV) as [SettingFlag, string][]).map(([flag, variable]) => [
        flag,
        {
          type: flag === "force-path-style" ? "boolean" : "string",
          description: `${SETTING_HELP[flag]} (or ${variable})`,
          ...(flag === "force-path-style" ? {} : { value: "<value>" }),
        },
      ]),
    ) as Options),
    kubectl: {
      type: "boolean",
      description: "read every broker pod through kubectl exec (what the CronJob runs)",
    },
    broker: { type: "string", description: "broker ordinal (0, 1, ...)", value: "N" },
    dir: { type: "string", description: "a broker data directory on this machine", value: "PATH" },
    full: { type: "boolean", description: "take a full snapshot, not an incremental one" },
    snapshot: { type: "string", description: 'snapshot id from "list", or latest', value: "<id>" },
    into: { type: "string", description: "an empty directory to restore into", value: "DIR" },
    deep: { type: "boolean", description: "verify: read every stored object and check its sha256" },
    verbose: { type: "boolean", description: "print every uploaded object" },
  },
  notes: [
    "Credentials come from the AWS SDK's default chain (IRSA, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).",
  ],
};

type Values = Record<string, string | boolean | undefined>;

function brokerOf(values: Values): number {
  const text = values.broker;
  if (typeof text !== "string" || !/^\d+$/.test(text))
    throw new UsageError(
      `expected --broker to be a broker ordinal (0, 1, ...), got ${JSON.stringify(text ?? null)}`,
    );
  return Number(text);
}

function requireString(values: Values, flag: string, what: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "")
    throw new UsageError(`expected --${flag}: ${what}`);
  return value;
}

function line(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function storeFor(settings: BackupSettings): SnapshotStore {
  return new SnapshotStore(createS3Client(settings), {
    bucket: settings.bucket,
    prefix: settings.prefix,
  });
}

async function backup(values: Values, settings: BackupSettings): Promise<boolean> {
  const store = storeFor(settings);
  const targets: Array<{ broker: number; source: SnapshotSource }> = [];
  if (values.kubectl) {
    if (values.dir !== undefined)
      throw new UsageError("expected either --kubectl or --dir, not both");
    if (settings.brokerCount === undefined)
      throw new UsageError(
        `expected --brokers (or ${SETTING_ENV.brokers}) with --kubectl: the number of broker pods`,
      );
    for (const [broker, pod] of brokerPodNames(
      settings.podPrefix,
      settings.brokerCount,
    ).entries()) {
      targets.push({
        broker,
        source: new KubectlExecSource({
          namespace: settings.namespace,
          pod,
          container: settings.container,
          dataDir: settings.dataDir,
        }),
      });
    }
  } else {
    const dir = requireString(
      values,
      "dir",
      "the broker's data directory (or --kubectl to read the broker pods)",
    );
    targets.push({ broker: brokerOf(values), source: new LocalDirectorySource(dir) });
  }
  const onEvent = (event: BackupEvent) => {
    if (event.event !== "uploaded" || values.verbose) line(event);
  };
  // Brokers are independent: one failing does not stop the others, but fails the run.
  const outcomes = await Promise.allSettled(
    targets.map(({ broker, source }) =>
      runBackup({
        store,
        source,
        broker,
        fullEveryHours: settings.fullEveryHours,
        forceFull: values.full === true,
        concurrency: settings.concurrency,
        onEvent,
      }),
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
  return {
    event: "snapshot",
    ...result,
    uploaded: formatBytes(result.uploadedBytes),
    size: formatBytes(result.bytes),
  };
}

async function list(values: Values, settings: BackupSettings): Promise<boolean> {
  const store = storeFor(settings);
  const brokers = values.broker === undefined ? await store.listBrokers() : [brokerOf(values)];
  if (brokers.length === 0)
    process.stdout.write(`no snapshots under s3://${settings.bucket}/${settings.prefix}/\n`);
  for (const broker of brokers) {
    const snapshots = await listSnapshots(store, broker);
    process.stdout.write(
      `broker ${broker}: ${snapshots.length} snapshot(s) under ${store.describe(broker)}\n`,
    );
    for (const snapshot of snapshots) {
      process.stdout.write(
        `  ${snapshot.latest ? "*" : " "} ${snapshot.snapshotId}  ${snapshot.kind.padEnd(11)}  chain ${snapshot.chainId}\n`,
      );
    }
  }
  return true;
}

async function restore(values: Values, settings: BackupSettings): Promise<boolean> {
  const broker = brokerOf(values);
  const snapshot = requireString(values, "snapshot", 'a snapshot id from "list", or latest');
  const into = requireString(values, "into", "an empty directory (the broker's new data volume)");
  const result = await restoreSnapshot({
    store: storeFor(settings),
    broker,
    snapshot,
    into,
    concurrency: settings.concurrency,
  });
  process.stdout.write(
    `restored broker ${broker} snapshot ${result.snapshotId} into ${into}: ${result.files} files, ${formatBytes(result.bytes)}, every file sha256-verified\n`,
  );
  return true;
}

function printReport(what: string, report: VerifyReport): boolean {
  for (const problem of report.problems)
    process.stdout.write(`  ${problem.path}: ${problem.problem}\n`);
  process.stdout.write(
    `${what}: ${report.ok ? "OK" : `${report.problems.length} problem(s)`} (${report.checkedFiles} files, ${formatBytes(report.checkedBytes)} checked)\n`,
  );
  return report.ok;
}

async function verify(values: Values, settings: BackupSettings): Promise<boolean> {
  const broker = brokerOf(values);
  const snapshot = requireString(values, "snapshot", 'a snapshot id from "list", or latest');
  const store = storeFor(settings);
  const { manifest } = await resolveManifest(store, broker, snapshot);
  if (typeof values.dir === "string") {
    return printReport(
      `${values.dir} against snapshot ${manifest.snapshotId}`,
      await verifyDirectory(values.dir, manifest, settings.concurrency),
    );
  }
  const deep = values.deep === true;
  return printReport(
    `objects of snapshot ${manifest.snapshotId} (${deep ? "sha256" : "sizes"})`,
    await verifyStored(store, manifest, { deep, concurrency: settings.concurrency * 2 }),
  );
}

const COMMANDS: Record<string, (values: Values, settings: BackupSettings) => Promise<boolean>> = {
  backup,
  list,
  restore,
  verify,
};

export function backupCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(
    BACKUP_CLI,
    argv,
    async (parsed) => {
      const values = parsed.values as Values;
      const action = COMMANDS[parsed.command!]!;
      const resolved = resolveSettings(
        values as Partial<Record<SettingFlag, string | boolean>>,
        process.env,
      );
      if (!resolved.ok)
        throw new UsageError(`invalid settings:\n  - ${resolved.problems.join("\n  - ")}`);
      return (await action(values, resolved.settings)) ? EXIT.ok : EXIT.failed;
    },
    io,
  );
}

// Exit explicitly (runCli): a Job must end when the work is done, whatever sockets or children linger.
if (require.main === module) runCli("backup", () => backupCommand(process.argv.slice(2)));
