/**
 * Builders of the SnapshotBackup component (`components/SnapshotBackup.ts`): the snapshot
 * bucket and its KMS key, the job's IAM role, its ServiceAccount and exec-only RBAC, the static
 * credentials Secret and the CronJob. Each declares under `scope.parent` with the names the
 * component has always given them; the policies and objects come from `infra.ts`.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupConfig } from "../config/schema";
import type { Scope } from "../declare";
import {
  BACKUP_APP_NAME,
  CREDENTIALS_SECRET_KEYS,
  backupAccessPolicy,
  backupCronJob,
  backupLabels,
  backupRbacRules,
  irsaTrustPolicy,
  lifecycleRules,
  podIdentityTrustPolicy,
  tlsOnlyBucketPolicy,
  type CredentialPlan,
} from "./infra";

/** The Secret the job reads static S3 credentials from (`CREDENTIALS_SECRET_KEYS`). */
export const CREDENTIALS_SECRET_NAME = `${BACKUP_APP_NAME}-s3`;

/** What every builder of one SnapshotBackup needs. */
export interface BackupScope extends Scope {
  backup: BackupConfig;
  /** Namespace of the job and its Kubernetes objects. */
  namespace: string;
  /** The normalized snapshot key prefix (`normalizePrefix`). */
  prefix: string;
}

/** AWS tags of the bucket, its key and the job's role. */
export function backupTags(prefix: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": "apphub",
    "apphub/component": "redpanda-backup",
    "apphub/snapshot-prefix": prefix,
  };
}

// --- the bucket ---

/** The created bucket's ARN and its KMS key's ARN (undefined with AES256). */
export interface SnapshotBucket {
  arn: pulumi.Output<string>;
  kmsKeyArn: pulumi.Output<string | undefined>;
}

/**
 * The bucket (private, versioned, encrypted, TLS-only, with lifecycle rules) and, with
 * `aws:kms`, its own rotating key. `protect` guards the bucket and key against deletion.
 */
export function declareSnapshotBucket(scope: BackupScope, protect: boolean): SnapshotBucket {
  const { name, parent, backup } = scope;
  const protection = { protect, retainOnDelete: protect };
  const kmsKey = backup.encryption === "aws:kms" ? declareBucketKey(scope, protection) : undefined;
  const bucket = new aws.s3.Bucket(
    `${name}-bucket`,
    {
      bucket: backup.bucketName,
      region: backup.region,
      forceDestroy: false,
      tags: backupTags(scope.prefix),
    },
    { parent, ...protection },
  );
  const publicAccessBlock = declarePrivateAccess(scope, bucket);
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, region: backup.region, versioningConfiguration: { status: "Enabled" } },
    { parent },
  );
  declareEncryption(scope, bucket, kmsKey);
  declareTlsOnlyPolicy(scope, bucket, publicAccessBlock);
  declareLifecycle(scope, bucket, versioning);
  return { arn: bucket.arn, kmsKeyArn: kmsKey ? kmsKey.arn : pulumi.output(undefined) };
}

function declareBucketKey(
  { name, parent, backup, prefix }: BackupScope,
  protection: { protect: boolean; retainOnDelete: boolean },
): aws.kms.Key {
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `Encrypts Redpanda broker snapshots in s3://${backup.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      region: backup.region,
      tags: backupTags(prefix),
    },
    { parent, ...protection },
  );
  new aws.kms.Alias(
    `${name}-key-alias`,
    { name: `alias/${backup.bucketName}`, targetKeyId: key.keyId, region: backup.region },
    { parent },
  );
  return key;
}

/** Object ownership by the bucket owner (no ACLs) and every public access blocked. */
function declarePrivateAccess(
  { name, parent, backup }: BackupScope,
  bucket: aws.s3.Bucket,
): aws.s3.BucketPublicAccessBlock {
  new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, region: backup.region, rule: { objectOwnership: "BucketOwnerEnforced" } },
    { parent },
  );
  return new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    {
      bucket: bucket.id,
      region: backup.region,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent },
  );
}

function declareEncryption(
  { name, parent, backup }: BackupScope,
  bucket: aws.s3.Bucket,
  kmsKey: aws.kms.Key | undefined,
): void {
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
    { parent },
  );
}

function declareTlsOnlyPolicy(
  { name, parent, backup }: BackupScope,
  bucket: aws.s3.Bucket,
  publicAccessBlock: aws.s3.BucketPublicAccessBlock,
): void {
  new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      region: backup.region,
      policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
    },
    { parent, dependsOn: [publicAccessBlock] },
  );
}

function declareLifecycle(
  { name, parent, backup, prefix }: BackupScope,
  bucket: aws.s3.Bucket,
  versioning: aws.s3.BucketVersioning,
): void {
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
    { parent, dependsOn: [versioning] },
  );
}

/** A bucket this stack does not create: its ARN from the name, no key of this stack. */
export function existingBucket(backup: BackupConfig): SnapshotBucket {
  return {
    arn: pulumi.output(`arn:aws:s3:::${backup.bucketName}`),
    kmsKeyArn: pulumi.output(undefined),
  };
}

/** The job's least-privilege S3 (and KMS) policy as JSON, once the ARNs are known. */
export function accessPolicyJson(
  { backup, prefix }: BackupScope,
  bucketArn: pulumi.Input<string>,
  kmsKeyArn: pulumi.Input<string | undefined>,
): pulumi.Output<string> {
  return pulumi
    .all([bucketArn, kmsKeyArn])
    .apply(([arn, keyArn]) =>
      JSON.stringify(
        backupAccessPolicy({ bucketArn: arn, prefix, kmsKeyArn: keyArn, region: backup.region }),
      ),
    );
}

// --- the job's identity and access ---

/**
 * The IAM role the job runs as: the existing one (`backup.roleArn`), or one created here with
 * `accessPolicy` and an IRSA or EKS Pod Identity trust; undefined with static credentials.
 */
export function declareJobRole(
  scope: BackupScope,
  credentials: CredentialPlan,
  accessPolicy: pulumi.Input<string>,
): pulumi.Output<string> | undefined {
  if (credentials.mode === "existing-role") return pulumi.output(credentials.roleArn);
  if (credentials.mode !== "created-role") return undefined;
  const { name, parent, backup, namespace, prefix } = scope;
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
      tags: backupTags(prefix),
    },
    { parent },
  );
  new aws.iam.RolePolicy(`${name}-access`, { role: role.name, policy: accessPolicy }, { parent });
  if (credentials.trust === "pod-identity") {
    pulumi.log.info(
      `backup role uses EKS Pod Identity: associate it with ${namespace}/${BACKUP_APP_NAME} (aws eks create-pod-identity-association), or set apphub-streaming:backup.oidcProviderArn for IRSA`,
      parent,
    );
  }
  return role.arn;
}

/** The job's ServiceAccount, annotated with the role for IRSA (an existing role or a created IRSA one). */
export function declareJobServiceAccount(
  { name, parent, namespace }: BackupScope,
  credentials: CredentialPlan,
  roleArn: pulumi.Output<string> | undefined,
): k8s.core.v1.ServiceAccount {
  const annotateRole =
    credentials.mode === "existing-role" ||
    (credentials.mode === "created-role" && credentials.trust === "irsa");
  return new k8s.core.v1.ServiceAccount(
    `${name}-sa`,
    {
      metadata: {
        name: BACKUP_APP_NAME,
        namespace,
        labels: backupLabels(),
        ...(annotateRole && roleArn
          ? { annotations: { "eks.amazonaws.com/role-arn": roleArn } }
          : {}),
      },
      automountServiceAccountToken: true,
    },
    { parent },
  );
}

/** The broker pods the job backs up, and where their data is. */
export interface BrokerVolumes {
  /** The StatefulSet's name: pods are `<podPrefix>-0` .. `-(brokerCount-1)`. */
  podPrefix: string;
  brokerCount: number;
  /** The container that mounts the data volume. */
  brokerContainer: string;
  /** The data directory inside that container. */
  dataDir: string;
}

/** A Role allowing `exec` into the broker pods only, bound to the job's ServiceAccount. */
export function declareExecRbac(
  { name, parent, namespace }: BackupScope,
  serviceAccount: k8s.core.v1.ServiceAccount,
  brokers: BrokerVolumes,
): k8s.rbac.v1.RoleBinding {
  const labels = backupLabels();
  const role = new k8s.rbac.v1.Role(
    `${name}-exec-brokers`,
    {
      metadata: { name: BACKUP_APP_NAME, namespace, labels },
      rules: backupRbacRules(brokers.podPrefix, brokers.brokerCount),
    },
    { parent },
  );
  return new k8s.rbac.v1.RoleBinding(
    `${name}-exec-brokers`,
    {
      metadata: { name: BACKUP_APP_NAME, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace }],
    },
    { parent },
  );
}

/** Where the job finds static credentials, and the Secret declared for them if any. */
export interface JobCredentials {
  /** The Secret's name; undefined when an IAM role provides credentials. */
  secretName?: string;
  /** The Secret when this stack manages it (the job must come after it). */
  secret?: k8s.core.v1.Secret;
}

/**
 * With static credentials, the Secret holding them: declared from the Pulumi secret
 * `secretAccessKey` when given, else an existing Secret of that name is expected (and said so).
 */
export function declareCredentialsSecret(
  { name, parent, backup, namespace }: BackupScope,
  credentials: CredentialPlan,
  secretAccessKey: pulumi.Input<string> | undefined,
): JobCredentials {
  if (credentials.mode !== "secret") return {};
  const secretName = CREDENTIALS_SECRET_NAME;
  if (!credentials.create) {
    // Info, not a warning: bringing your own Secret (e.g. MinIO's) is a supported setup.
    pulumi.log.info(
      `apphub-streaming:backupSecretAccessKey is not set: the backup CronJob reads ${CREDENTIALS_SECRET_KEYS.accessKeyId} and ` +
        `${CREDENTIALS_SECRET_KEYS.secretAccessKey} from an existing Secret ${namespace}/${secretName}. ` +
        "Set it with `pulumi config set --secret apphub-streaming:backupSecretAccessKey <key>` to have the stack manage it.",
      parent,
    );
    return { secretName };
  }
  const secret = new k8s.core.v1.Secret(
    `${name}-s3-credentials`,
    {
      metadata: { name: secretName, namespace, labels: backupLabels() },
      type: "Opaque",
      stringData: pulumi.secret({
        [CREDENTIALS_SECRET_KEYS.accessKeyId]: backup.accessKeyId!,
        [CREDENTIALS_SECRET_KEYS.secretAccessKey]: pulumi.output(secretAccessKey!),
      }),
    },
    { parent },
  );
  return { secretName, secret };
}

// --- the job ---

/** The hourly backup CronJob, after the RBAC (and the credentials Secret) it runs with. */
export function declareBackupCronJob(
  { name, parent, backup, namespace }: BackupScope,
  brokers: BrokerVolumes,
  credentials: JobCredentials,
  rbac: k8s.rbac.v1.RoleBinding,
): k8s.batch.v1.CronJob {
  return new k8s.batch.v1.CronJob(
    `${name}-cronjob`,
    backupCronJob({
      namespace,
      backup,
      brokerCount: brokers.brokerCount,
      serviceAccountName: BACKUP_APP_NAME,
      podPrefix: brokers.podPrefix,
      brokerContainer: brokers.brokerContainer,
      dataDir: brokers.dataDir,
      credentialsSecretName: credentials.secretName,
    }),
    { parent, dependsOn: credentials.secret ? [rbac, credentials.secret] : [rbac] },
  );
}
