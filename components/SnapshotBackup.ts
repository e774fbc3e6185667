import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  BACKUP_APP_NAME,
  CREDENTIALS_SECRET_KEYS,
  backupAccessPolicy,
  backupCronJob,
  backupLabels,
  backupRbacRules,
  irsaTrustPolicy,
  lifecycleRules,
  planCredentials,
  podIdentityTrustPolicy,
  tlsOnlyBucketPolicy,
} from "../src/backup/infra";
import { normalizePrefix } from "../src/backup/layout";
import type { BackupConfig } from "../src/config/schema";
import { CONTAINER_NAME, PATHS, STATEFULSET_NAME } from "../src/cluster/constants";
import { DEFAULT_NAMESPACE } from "../src/config/schema";

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
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    const podPrefix = args.podPrefix ?? STATEFULSET_NAME;
    const prefix = normalizePrefix(backup.prefix);
    const credentials = planCredentials(backup, args.secretAccessKey !== undefined);
    const tags = {
      "app.kubernetes.io/part-of": "apphub",
      "apphub/component": "redpanda-backup",
      "apphub/snapshot-prefix": prefix,
    };
    const labels = backupLabels();

    let bucketArn: pulumi.Output<string> = pulumi.output(`arn:aws:s3:::${backup.bucketName}`);
    let kmsKey: aws.kms.Key | undefined;
    if (backup.createBucket) {
      const protection = {
        protect: args.protectBucket ?? false,
        retainOnDelete: args.protectBucket ?? false,
      };
      if (backup.encryption === "aws:kms") {
        kmsKey = new aws.kms.Key(
          `${name}-key`,
          {
            description: `Encrypts Redpanda broker snapshots in s3://${backup.bucketName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            region: backup.region,
            tags,
          },
          { parent: this, ...protection },
        );
        new aws.kms.Alias(
          `${name}-key-alias`,
          { name: `alias/${backup.bucketName}`, targetKeyId: kmsKey.keyId, region: backup.region },
          { parent: this },
        );
      }
      const bucket = new aws.s3.Bucket(
        `${name}-bucket`,
        { bucket: backup.bucketName, region: backup.region, forceDestroy: false, tags },
        { parent: this, ...protection },
      );
      bucketArn = bucket.arn;
      const bucketOpts = { parent: this };
      new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        {
          bucket: bucket.id,
          region: backup.region,
          rule: { objectOwnership: "BucketOwnerEnforced" },
        },
        bucketOpts,
      );
      const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access-block`,
        {
          bucket: bucket.id,
          region: backup.region,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        bucketOpts,
      );
      const versioning = new aws.s3.BucketVersioning(
        `${name}-versioning`,
        {
          bucket: bucket.id,
          region: backup.region,
          versioningConfiguration: { status: "Enabled" },
        },
        bucketOpts,
      );
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
          bucket: bucket.id,
          region: backup.region,
          rules: [
            kmsKey
              ? {
                  applyServerSideEncryptionByDefault: {
                    sseAlgorithm: "aws:kms",
                    kmsMasterKeyId: kmsKey.arn,
                  },
                  bucketKeyEnabled: true,
                }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
          ],
        },
        bucketOpts,
      );
      new aws.s3.BucketPolicy(
        `${name}-tls-only`,
        {
          bucket: bucket.id,
          region: backup.region,
          policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
        },
        { ...bucketOpts, dependsOn: [publicAccessBlock] },
      );
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
          bucket: bucket.id,
          region: backup.region,
          rules: lifecycleRules({
            prefix,
            retentionDays: backup.retentionDays,
            noncurrentRetentionDays: backup.noncurrentRetentionDays,
            fullEveryHours: backup.fullEveryHours,
          }),
        },
        // Noncurrent-version rules only mean something once versioning is on.
        { ...bucketOpts, dependsOn: [versioning] },
      );
    }

    const kmsKeyArn: pulumi.Output<string | undefined> = kmsKey
      ? kmsKey.arn
      : pulumi.output(undefined);
    this.accessPolicyJson = pulumi
      .all([bucketArn, kmsKeyArn])
      .apply(([arn, keyArn]) =>
        JSON.stringify(
          backupAccessPolicy({ bucketArn: arn, prefix, kmsKeyArn: keyArn, region: backup.region }),
        ),
      );

    let roleArn: pulumi.Output<string> | undefined;
    if (credentials.mode === "existing-role") roleArn = pulumi.output(credentials.roleArn);
    if (credentials.mode === "created-role") {
      const role = new aws.iam.Role(
        `${name}-role`,
        {
          description: `Redpanda snapshot backup job (${namespace}/${BACKUP_APP_NAME}): s3://${backup.bucketName}/${prefix}/ only`,
          assumeRolePolicy: JSON.stringify(
            credentials.trust === "irsa"
              ? irsaTrustPolicy({
                  oidcProviderArn: backup.oidcProviderArn!,
                  namespace,
                  serviceAccount: BACKUP_APP_NAME,
                })
              : podIdentityTrustPolicy(),
          ),
          maxSessionDuration: 3600 * 12,
          tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-access`,
        { role: role.name, policy: this.accessPolicyJson },
        { parent: this },
      );
      roleArn = role.arn;
      if (credentials.trust === "pod-identity") {
        pulumi.log.info(
          `backup role uses EKS Pod Identity: associate it with ${namespace}/${BACKUP_APP_NAME} (aws eks create-pod-identity-association), or set apphub-streaming:backup.oidcProviderArn for IRSA`,
          this,
        );
      }
    }

    const k8sOpts = { parent: this };
    const annotateRole =
      credentials.mode === "existing-role" ||
      (credentials.mode === "created-role" && credentials.trust === "irsa");
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: {
          name: BACKUP_APP_NAME,
          namespace,
          labels,
          ...(annotateRole && roleArn
            ? { annotations: { "eks.amazonaws.com/role-arn": roleArn } }
            : {}),
        },
        automountServiceAccountToken: true,
      },
      k8sOpts,
    );
    const role = new k8s.rbac.v1.Role(
      `${name}-exec-brokers`,
      {
        metadata: { name: BACKUP_APP_NAME, namespace, labels },
        rules: backupRbacRules(podPrefix, args.brokerCount),
      },
      k8sOpts,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-exec-brokers`,
      {
        metadata: { name: BACKUP_APP_NAME, namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
      },
      k8sOpts,
    );

    const jobDependencies: pulumi.Resource[] = [binding];
    let credentialsSecretName: string | undefined;
    if (credentials.mode === "secret") {
      credentialsSecretName = `${BACKUP_APP_NAME}-s3`;
      if (credentials.create) {
        jobDependencies.push(
          new k8s.core.v1.Secret(
            `${name}-s3-credentials`,
            {
              metadata: { name: credentialsSecretName, namespace, labels },
              type: "Opaque",
              stringData: pulumi.secret({
                [CREDENTIALS_SECRET_KEYS.accessKeyId]: backup.accessKeyId!,
                [CREDENTIALS_SECRET_KEYS.secretAccessKey]: pulumi.output(args.secretAccessKey!),
              }),
            },
            k8sOpts,
          ),
        );
      } else {
        // Info, not a warning: bringing your own Secret (e.g. MinIO's) is a supported setup.
        pulumi.log.info(
          `apphub-streaming:backupSecretAccessKey is not set: the backup CronJob reads ${CREDENTIALS_SECRET_KEYS.accessKeyId} and ` +
            `${CREDENTIALS_SECRET_KEYS.secretAccessKey} from an existing Secret ${namespace}/${credentialsSecretName}. ` +
            "Set it with `pulumi config set --secret apphub-streaming:backupSecretAccessKey <key>` to have the stack manage it.",
          this,
        );
      }
    }

    new k8s.batch.v1.CronJob(
      `${name}-cronjob`,
      backupCronJob({
        namespace,
        backup,
        brokerCount: args.brokerCount,
        serviceAccountName: BACKUP_APP_NAME,
        podPrefix,
        brokerContainer: args.brokerContainer ?? CONTAINER_NAME,
        dataDir: args.dataDir ?? PATHS.data,
        credentialsSecretName,
      }),
      { ...k8sOpts, dependsOn: jobDependencies },
    );

    this.bucketName = pulumi.output(backup.bucketName);
    this.schedule = pulumi.output(backup.schedule);
    if (roleArn) this.roleArn = roleArn;
    this.kmsKeyArn = kmsKeyArn;
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
