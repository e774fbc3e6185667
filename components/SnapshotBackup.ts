import * as pulumi from "@pulumi/pulumi";
import {
  accessPolicyJson,
  declareBackupCronJob,
  declareCredentialsSecret,
  declareExecRbac,
  declareJobRole,
  declareJobServiceAccount,
  declareSnapshotBucket,
  existingBucket,
} from "../src/backup/declare";
import { planCredentials } from "../src/backup/infra";
import { normalizePrefix } from "../src/backup/layout";
import { CONTAINER_NAME, PATHS, STATEFULSET_NAME } from "../src/cluster/constants";
import type { BackupConfig } from "../src/config/schema";
import { DEFAULT_NAMESPACE } from "../src/config/schema";
import { planFor } from "../src/declare";

/** Arguments of {@link SnapshotBackup}. */
export interface SnapshotBackupArgs {
  /** Namespace of the CronJob, its ServiceAccount, RBAC and credentials Secret. Default: `apphub-system`. */
  namespace?: string;
  /** Bucket, schedule, retention, image and access settings (`apphub-streaming:backup.*`). */
  backup: BackupConfig;
  /** Number of brokers whose data directories are backed up: pods `<podPrefix>-0` .. `-(n-1)`. */
  brokerCount: number;
  /** Protect the bucket and its KMS key from deletion (`protect` and `retainOnDelete`). Default: false. */
  protectBucket?: boolean;
  /**
   * Secret access key for static credentials (`apphub-streaming:backupSecretAccessKey`), a Pulumi
   * secret; goes with `backup.accessKeyId`. Default: none (an IAM role, or an existing Secret).
   */
  secretAccessKey?: pulumi.Input<string>;
  /** The broker StatefulSet's name, which prefixes its pod names. Default: `apphub-redpanda`. */
  podPrefix?: string;
  /** The broker container that mounts the data volume. Default: `redpanda`. */
  brokerContainer?: string;
  /** The broker's data directory inside that container. Default: `/var/lib/redpanda/data`. */
  dataDir?: string;
}

/**
 * The S3 bucket for broker snapshots (private, versioned, encrypted, TLS-only, lifecycle),
 * least-privilege access for the backup job, and the hourly incremental backup CronJob that
 * reads each broker's data directory through `kubectl exec`. See docs/backup-restore.md.
 */
export class SnapshotBackup extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly schedule: pulumi.Output<string>;
  /** The IAM role the job runs as; absent with static credentials (no output, so no "undefined value" warning). */
  public readonly roleArn?: pulumi.Output<string>;
  /** The stack's KMS key for the bucket; undefined unless this stack creates the bucket with `aws:kms`. */
  public readonly kmsKeyArn: pulumi.Output<string | undefined>;
  /** The S3 policy the job needs, as JSON: attached to the created role, or for an operator to grant elsewhere (MinIO, an existing role). */
  public readonly accessPolicyJson: pulumi.Output<string>;
  public readonly serviceAccountName: pulumi.Output<string>;

  constructor(name: string, args: SnapshotBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("apphub:streaming:SnapshotBackup", name, {}, opts);
    const backup = args.backup;
    const credentials = planFor(this, () =>
      planCredentials(backup, args.secretAccessKey !== undefined),
    );
    const scope = {
      name,
      parent: this,
      backup,
      namespace: args.namespace ?? DEFAULT_NAMESPACE,
      prefix: normalizePrefix(backup.prefix),
    };

    const bucket = backup.createBucket
      ? declareSnapshotBucket(scope, args.protectBucket ?? false)
      : existingBucket(backup);
    this.accessPolicyJson = accessPolicyJson(scope, bucket.arn, bucket.kmsKeyArn);
    const roleArn = declareJobRole(scope, credentials, this.accessPolicyJson);
    const serviceAccount = declareJobServiceAccount(scope, credentials, roleArn);
    const brokers = {
      podPrefix: args.podPrefix ?? STATEFULSET_NAME,
      brokerCount: args.brokerCount,
      brokerContainer: args.brokerContainer ?? CONTAINER_NAME,
      dataDir: args.dataDir ?? PATHS.data,
    };
    const rbac = declareExecRbac(scope, serviceAccount, brokers);
    const jobCredentials = declareCredentialsSecret(scope, credentials, args.secretAccessKey);
    declareBackupCronJob(scope, brokers, jobCredentials, rbac);

    this.bucketName = pulumi.output(backup.bucketName);
    this.schedule = pulumi.output(backup.schedule);
    if (roleArn) this.roleArn = roleArn;
    this.kmsKeyArn = bucket.kmsKeyArn;
    this.serviceAccountName = serviceAccount.metadata.name;
    this.registerOutputs({
      bucketName: this.bucketName,
      schedule: this.schedule,
      ...(roleArn ? { roleArn } : {}),
      kmsKeyArn: this.kmsKeyArn,
      accessPolicyJson: this.accessPolicyJson,
      serviceAccountName: this.serviceAccountName,
    });
  }
}
