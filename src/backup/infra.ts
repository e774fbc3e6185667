/**
 * What the SnapshotBackup component declares, as pure functions of plain values: the bucket
 * and IAM policy documents, the lifecycle rules, the RBAC rules and the CronJob. The
 * component only wires these to resources; tests check them directly and through a render.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { BackupConfig } from "../config/schema";
import { RELEASE_TAG_KEY, normalizePrefix } from "./layout";
import { lifecycleDays } from "./plan";
import { brokerPodNames } from "./settings";
import { SETTING_ENV } from "./settings";

export const BACKUP_APP_NAME = "apphub-redpanda-backup";
/** Where the job's env and the restore runbook expect static credentials when no IAM role is used. */
export const CREDENTIALS_SECRET_KEYS = {
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
} as const;

/** Job limits. The deadline must stay under a day: the lifecycle margin (plan.ts `lifecycleDays`) assumes a run ends within one. */
export const JOB_ACTIVE_DEADLINE_SECONDS = 6 * 3600;
/** A run that could not start within this long after its schedule is skipped, not started late. */
export const STARTING_DEADLINE_SECONDS = 900;
export const JOB_BACKOFF_LIMIT = 2;
export const SUCCESSFUL_JOBS_HISTORY = 3;
export const FAILED_JOBS_HISTORY = 5;
/** The image's `node` user. */
export const JOB_USER_ID = 1000;

type PolicyDocument = { Version: "2012-10-17"; Statement: Record<string, unknown>[] };

/** Denies every request that does not arrive over TLS, from anyone. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * Exactly what backup and restore do, on the snapshot prefix only: list it, read and write
 * objects, tag superseded chains for expiry, abort its own failed multipart uploads. No
 * delete: a stolen job credential cannot remove backups (and versioning keeps what it could
 * overwrite). With a stack KMS key, the key may be used only through S3 in the bucket's region.
 */
export function backupAccessPolicy(input: {
  bucketArn: string;
  prefix: string;
  kmsKeyArn?: string | undefined;
  region: string;
}): PolicyDocument {
  const prefix = normalizePrefix(input.prefix);
  const statements: Record<string, unknown>[] = [
    {
      Sid: "ListSnapshotPrefix",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: [input.bucketArn],
      Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
    },
    {
      Sid: "ReadWriteSnapshotObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
      Resource: [`${input.bucketArn}/${prefix}/*`],
    },
  ];
  if (input.kmsKeyArn) {
    statements.push({
      Sid: "UseSnapshotKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: [input.kmsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** IRSA: only this namespace's backup ServiceAccount, through the cluster's OIDC provider, may assume the role. */
export function irsaTrustPolicy(input: {
  oidcProviderArn: string;
  namespace: string;
  serviceAccount: string;
}): PolicyDocument {
  const issuer = input.oidcProviderArn.slice(
    input.oidcProviderArn.indexOf("oidc-provider/") + "oidc-provider/".length,
  );
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: input.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${input.namespace}:${input.serviceAccount}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  };
}

/**
 * EKS Pod Identity, when no OIDC provider is configured: the role is usable only by a pod
 * identity association an administrator creates for the backup ServiceAccount.
 */
export function podIdentityTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ],
  };
}

export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: { prefix?: string; and?: { prefix: string; tags: Record<string, string> } };
  expiration?: { days?: number; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/**
 * Expiry only ever applies to objects carrying the release tag, which the backup puts on a
 * chain once a newer chain is latest: whatever the latest snapshots reference is untagged and
 * cannot expire, however long backups stop. Data outlives manifests (see `lifecycleDays`).
 * On a versioned bucket expiry leaves a delete marker; the noncurrent rule then removes the
 * old version after `noncurrentRetentionDays`, and the leftover markers.
 */
export function lifecycleRules(input: {
  prefix: string;
  retentionDays: number;
  noncurrentRetentionDays: number;
  fullEveryHours: number;
}): LifecycleRule[] {
  const prefix = `${normalizePrefix(input.prefix)}/`;
  const days = lifecycleDays(input.retentionDays, input.fullEveryHours);
  return [
    {
      id: "expire-released-snapshot-manifests",
      status: "Enabled",
      filter: { and: { prefix, tags: { [RELEASE_TAG_KEY]: "manifest" } } },
      expiration: { days: days.manifests },
    },
    {
      id: "expire-released-snapshot-data",
      status: "Enabled",
      filter: { and: { prefix, tags: { [RELEASE_TAG_KEY]: "data" } } },
      expiration: { days: days.data },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: { prefix },
      noncurrentVersionExpiration: { noncurrentDays: input.noncurrentRetentionDays },
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: { prefix },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  verbs: string[];
}

/**
 * `kubectl exec` reads the pod (`get pods`) and then opens `pods/exec`: with `create` over
 * SPDY, with `get` over WebSockets (the default from kubectl 1.30). Both verbs, on the
 * broker pods by name only; nothing else in the namespace.
 */
export function backupRbacRules(podPrefix: string, brokerCount: number): PolicyRule[] {
  const pods = brokerPodNames(podPrefix, brokerCount);
  return [
    { apiGroups: [""], resources: ["pods"], resourceNames: pods, verbs: ["get"] },
    { apiGroups: [""], resources: ["pods/exec"], resourceNames: pods, verbs: ["create", "get"] },
  ];
}

export interface CronJobInput {
  namespace: string;
  backup: BackupConfig;
  brokerCount: number;
  serviceAccountName: string;
  /** StatefulSet name; pods are `<podPrefix>-<ordinal>`. */
  podPrefix: string;
  brokerContainer: string;
  dataDir: string;
  /** Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; undefined when an IAM role provides credentials. */
  credentialsSecretName?: string | undefined;
}

export function backupLabels(): Record<string, string> {
  return {
    "app.kubernetes.io/name": BACKUP_APP_NAME,
    "app.kubernetes.io/component": "backup",
    "app.kubernetes.io/part-of": "apphub",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The CronJob object (apiVersion batch/v1), ready for `new k8s.batch.v1.CronJob(name, object)`. */
export function backupCronJob(
  input: CronJobInput,
): k8s.types.input.batch.v1.CronJob & { apiVersion: "batch/v1"; kind: "CronJob" } {
  const { backup } = input;
  const labels = backupLabels();
  const env: k8s.types.input.core.v1.EnvVar[] = [
    { name: SETTING_ENV.bucket, value: backup.bucketName },
    { name: SETTING_ENV.prefix, value: normalizePrefix(backup.prefix) },
    { name: SETTING_ENV.region, value: backup.region },
    { name: "AWS_REGION", value: backup.region },
    ...(backup.endpoint ? [{ name: SETTING_ENV.endpoint, value: backup.endpoint }] : []),
    { name: SETTING_ENV["force-path-style"], value: String(backup.forcePathStyle) },
    { name: SETTING_ENV["full-every-hours"], value: String(backup.fullEveryHours) },
    { name: SETTING_ENV.namespace, valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: SETTING_ENV.brokers, value: String(input.brokerCount) },
    { name: SETTING_ENV["pod-prefix"], value: input.podPrefix },
    { name: SETTING_ENV.container, value: input.brokerContainer },
    { name: SETTING_ENV["data-dir"], value: input.dataDir },
    // kubectl keeps a discovery cache under $HOME; the root filesystem is read-only.
    { name: "HOME", value: "/tmp" },
    ...(input.credentialsSecretName
      ? Object.values(CREDENTIALS_SECRET_KEYS).map((key) => ({
          name: key,
          valueFrom: { secretKeyRef: { name: input.credentialsSecretName!, key } },
        }))
      : []),
  ];
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: BACKUP_APP_NAME, namespace: input.namespace, labels },
    spec: {
      schedule: backup.schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
      successfulJobsHistoryLimit: SUCCESSFUL_JOBS_HISTORY,
      failedJobsHistoryLimit: FAILED_JOBS_HISTORY,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: JOB_BACKOFF_LIMIT,
          activeDeadlineSeconds: JOB_ACTIVE_DEADLINE_SECONDS,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: input.serviceAccountName,
              restartPolicy: "Never",
              securityContext: {
                runAsNonRoot: true,
                runAsUser: JOB_USER_ID,
                runAsGroup: JOB_USER_ID,
                seccompProfile: { type: "RuntimeDefault" },
              },
              containers: [
                {
                  name: "backup",
                  image: backup.image,
                  args: ["backup", "--kubectl"],
                  env,
                  resources: {
                    requests: { cpu: "100m", memory: "256Mi" },
                    limits: { cpu: "1", memory: "1Gi" },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            },
          },
        },
      },
    },
  };
}

export type CredentialPlan =
  /** An existing role (backup.roleArn), annotated on the ServiceAccount. */
  | { mode: "existing-role"; roleArn: string }
  /** A role this stack creates, trusted via IRSA (oidcProviderArn) or EKS Pod Identity. */
  | { mode: "created-role"; trust: "irsa" | "pod-identity" }
  /** Static keys in a Secret: created from config (accessKeyId + backupSecretAccessKey) or expected to exist. */
  | { mode: "secret"; create: boolean };

/** How the job gets S3 credentials; throws a message naming the config keys when they contradict. */
export function planCredentials(backup: BackupConfig, hasSecretAccessKey: boolean): CredentialPlan {
  if (hasSecretAccessKey && !backup.accessKeyId) {
    throw new Error(
      "apphub-streaming:backup.accessKeyId is required when apphub-streaming:backupSecretAccessKey is set: expected the access key id that goes with it",
    );
  }
  if (backup.roleArn) {
    if (backup.accessKeyId)
      throw new Error(
        "apphub-streaming:backup.accessKeyId: expected either backup.roleArn or static credentials (backup.accessKeyId), not both",
      );
    return { mode: "existing-role", roleArn: backup.roleArn };
  }
  if (backup.accessKeyId || backup.endpoint) return { mode: "secret", create: hasSecretAccessKey };
  if (backup.createBucket || backup.oidcProviderArn)
    return { mode: "created-role", trust: backup.oidcProviderArn ? "irsa" : "pod-identity" };
  return { mode: "secret", create: false };
}
