import { describe, expect, it } from "vitest";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import {
  JOB_ACTIVE_DEADLINE_SECONDS,
  backupAccessPolicy,
  backupCronJob,
  backupRbacRules,
  irsaTrustPolicy,
  lifecycleRules,
  planCredentials,
  tlsOnlyBucketPolicy,
} from "../../src/backup/infra";
import { RELEASE_TAG_KEY } from "../../src/backup/layout";
import type { BackupConfig } from "../../src/config/schema";
import { KUBE_BASICS, validConfig } from "../support/config";
import { allows } from "../support/iamPolicy";

/** kubernetes-models validates at runtime; its typings under CommonJS resolution omit validate(). */
const validate = (model: unknown) => (model as { validate(): void }).validate();

/** A prod stack's backup settings: Kubernetes stacks need broker addresses too, but the backup section is what these tests vary. */
function backupConfig(overrides: Record<string, unknown> = {}): BackupConfig {
  return validConfig({
    environment: "prod",
    kafka: KUBE_BASICS.kafka,
    backup: { bucketName: "apphub-prod-redpanda-snapshots", ...overrides },
  }).backup;
}

describe("bucket and access policies: what they allow, not how they are written", () => {
  const bucketArn = "arn:aws:s3:::apphub-prod-redpanda-snapshots";
  const object = (key: string) => `${bucketArn}/${key}`;
  const tls = { "aws:SecureTransport": "true" };
  const job = backupAccessPolicy({ bucketArn, prefix: "/redpanda/", region: "us-east-1" });
  const bucket = tlsOnlyBucketPolicy(bucketArn);

  it("denies every request that does not arrive over TLS, to the bucket and its objects, even one the job may make", () => {
    for (const request of [
      { action: "s3:GetObject", resource: object("redpanda/0/manifest.json") },
      { action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": "redpanda/0/" } },
    ]) {
      expect(allows([job, bucket], { ...request, context: { ...request.context, ...tls } })).toBe(
        true,
      );
      expect(
        allows([job, bucket], {
          ...request,
          context: { ...request.context, "aws:SecureTransport": "false" },
        }),
      ).toBe(false);
    }
  });

  it("lets the job read, write and tag snapshots and abort its uploads under the prefix only", () => {
    for (const action of [
      "s3:GetObject",
      "s3:PutObject",
      "s3:PutObjectTagging",
      "s3:AbortMultipartUpload",
    ]) {
      expect(
        allows([job], { action, resource: object("redpanda/2/chunks/abc"), context: tls }),
      ).toBe(true);
      expect(
        allows([job], { action, resource: object("other-team/2/chunks/abc"), context: tls }),
      ).toBe(false);
      expect(
        allows([job], { action, resource: object("redpanda-old/2/chunks/abc"), context: tls }),
      ).toBe(false);
    }
    expect(
      allows([job], {
        action: "s3:ListBucket",
        resource: bucketArn,
        context: { "s3:prefix": "redpanda/1/" },
      }),
    ).toBe(true);
    expect(
      allows([job], { action: "s3:ListBucket", resource: bucketArn, context: { "s3:prefix": "" } }),
    ).toBe(false);
  });

  it("never lets the job delete a snapshot or change the bucket, wherever it asks", () => {
    for (const action of [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:PutBucketPolicy",
      "s3:PutLifecycleConfiguration",
      "s3:DeleteBucket",
    ]) {
      for (const resource of [bucketArn, object("redpanda/0/manifest.json")]) {
        expect(allows([job], { action, resource, context: tls })).toBe(false);
      }
    }
  });

  it("lets the job use the stack's KMS key only through S3 in the bucket's region", () => {
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/abc";
    const withKey = backupAccessPolicy({
      bucketArn,
      prefix: "redpanda",
      region: "us-east-1",
      kmsKeyArn: keyArn,
    });
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(
        allows([withKey], {
          action,
          resource: keyArn,
          context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
        }),
      ).toBe(true);
      expect(
        allows([withKey], {
          action,
          resource: keyArn,
          context: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        }),
      ).toBe(false);
      expect(allows([withKey], { action, resource: keyArn })).toBe(false);
    }
    expect(
      allows([withKey], {
        action: "kms:ScheduleKeyDeletion",
        resource: keyArn,
        context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
      }),
    ).toBe(false);
    expect(
      allows([job], {
        action: "kms:Decrypt",
        resource: keyArn,
        context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
      }),
    ).toBe(false);
  });

  it("trusts only the backup ServiceAccount of its namespace, through the cluster's OIDC provider", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    const trust = irsaTrustPolicy({
      oidcProviderArn: arn,
      namespace: "apphub-system",
      serviceAccount: "apphub-redpanda-backup",
    });
    const assume = (sub: string, aud = "sts.amazonaws.com") =>
      allows([trust], {
        action: "sts:AssumeRoleWithWebIdentity",
        context: {
          "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": sub,
          "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": aud,
        },
      });
    expect(assume("system:serviceaccount:apphub-system:apphub-redpanda-backup")).toBe(true);
    expect(assume("system:serviceaccount:apphub-system:default")).toBe(false);
    expect(assume("system:serviceaccount:other:apphub-redpanda-backup")).toBe(false);
    expect(
      assume("system:serviceaccount:apphub-system:apphub-redpanda-backup", "some-other-audience"),
    ).toBe(false);
    expect((trust.Statement[0] as { Principal: unknown }).Principal).toEqual({ Federated: arn });
  });
});

describe("lifecycle rules", () => {
  const rules = lifecycleRules({
    prefix: "redpanda",
    retentionDays: 14,
    noncurrentRetentionDays: 3,
    fullEveryHours: 24,
  });
  const byId = (id: string) => rules.find((rule) => rule.id === id)!;

  it("expires only objects of released chains: manifests after retentionDays, data after the margin", () => {
    expect(byId("expire-released-snapshot-manifests")).toMatchObject({
      filter: { and: { prefix: "redpanda/", tags: { [RELEASE_TAG_KEY]: "manifest" } } },
      expiration: { days: 14 },
    });
    expect(byId("expire-released-snapshot-data")).toMatchObject({
      filter: { and: { prefix: "redpanda/", tags: { [RELEASE_TAG_KEY]: "data" } } },
      expiration: { days: 16 },
    });
    // No rule expires current objects by age alone: untagged (latest-chain) objects never expire.
    for (const rule of rules) {
      if (rule.expiration?.days !== undefined)
        expect(rule.filter.and?.tags?.[RELEASE_TAG_KEY]).toBeDefined();
    }
  });

  it("removes noncurrent versions, stale delete markers and abandoned multipart uploads", () => {
    expect(byId("expire-noncurrent-versions")).toMatchObject({
      filter: { prefix: "redpanda/" },
      noncurrentVersionExpiration: { noncurrentDays: 3 },
      expiration: { expiredObjectDeleteMarker: true },
    });
    expect(byId("abort-incomplete-multipart-uploads")).toMatchObject({
      filter: { prefix: "redpanda/" },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    });
  });
});

describe("RBAC", () => {
  it("allows exec (both transports) and get on the broker pods by name, nothing else", () => {
    const rules = backupRbacRules("apphub-redpanda", 3);
    const pods = ["apphub-redpanda-0", "apphub-redpanda-1", "apphub-redpanda-2"];
    expect(rules).toEqual([
      { apiGroups: [""], resources: ["pods"], resourceNames: pods, verbs: ["get"] },
      { apiGroups: [""], resources: ["pods/exec"], resourceNames: pods, verbs: ["create", "get"] },
    ]);
    expect(() =>
      validate(new Role({ metadata: { name: "x", namespace: "apphub-system" }, rules })),
    ).not.toThrow();
  });
});

describe("CronJob", () => {
  const input = {
    namespace: "apphub-system",
    backup: backupConfig({ schedule: "15 * * * *", fullEveryHours: 12 }),
    brokerCount: 3,
    serviceAccountName: "apphub-redpanda-backup",
    podPrefix: "apphub-redpanda",
    brokerContainer: "redpanda",
    dataDir: "/var/lib/redpanda/data",
  };

  it("is a valid batch/v1 CronJob", () => {
    const job = backupCronJob(input);
    expect(() => validate(new CronJob(job as never))).not.toThrow();
    // The validator does reject what the API server would.
    const broken = JSON.parse(JSON.stringify(job));
    broken.spec.startingDeadlineSeconds = "soon";
    expect(() => validate(new CronJob(broken))).toThrow();
  });

  it("runs hourly by default, never concurrently, with a starting deadline, history limits and a backoff limit", () => {
    const job = backupCronJob({ ...input, backup: backupConfig() }) as unknown as {
      spec: Record<string, unknown> & { jobTemplate: { spec: Record<string, unknown> } };
    };
    expect(job.spec).toMatchObject({
      schedule: "0 * * * *",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 900,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
    });
    expect(job.spec.jobTemplate.spec).toMatchObject({
      backoffLimit: 2,
      activeDeadlineSeconds: JOB_ACTIVE_DEADLINE_SECONDS,
    });
    // The lifecycle margin assumes a run ends within a day.
    expect(JOB_ACTIVE_DEADLINE_SECONDS).toBeLessThan(24 * 3600);
  });

  it("runs non-root with a read-only root filesystem and resources set, configured from stack config", () => {
    const job = JSON.parse(JSON.stringify(backupCronJob(input)));
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const [container] = pod.containers;
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    expect(container.args).toEqual(["backup", "--kubectl"]);
    const env = Object.fromEntries(
      container.env
        .filter((e: { value?: string }) => e.value !== undefined)
        .map((e: { name: string; value: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      BACKUP_BUCKET: "apphub-prod-redpanda-snapshots",
      BACKUP_PREFIX: "redpanda",
      BACKUP_FULL_EVERY_HOURS: "12",
      BACKUP_BROKER_COUNT: "3",
      BACKUP_POD_PREFIX: "apphub-redpanda",
    });
    expect(job.spec.schedule).toBe("15 * * * *");
    expect(container.env.some((e: { name: string }) => e.name === "AWS_SECRET_ACCESS_KEY")).toBe(
      false,
    );
  });

  it("reads static credentials from the Secret, never from a literal", () => {
    const job = JSON.parse(
      JSON.stringify(
        backupCronJob({ ...input, credentialsSecretName: "apphub-redpanda-backup-s3" }),
      ),
    );
    const env = job.spec.jobTemplate.spec.template.spec.containers[0].env as Array<{
      name: string;
      value?: string;
      valueFrom?: unknown;
    }>;
    const secret = env.find((e) => e.name === "AWS_SECRET_ACCESS_KEY")!;
    expect(secret.value).toBeUndefined();
    expect(secret.valueFrom).toEqual({
      secretKeyRef: { name: "apphub-redpanda-backup-s3", key: "AWS_SECRET_ACCESS_KEY" },
    });
  });
});

describe("credentials", () => {
  it("uses a given role, else creates one on AWS, else static keys", () => {
    expect(
      planCredentials(backupConfig({ roleArn: "arn:aws:iam::123456789012:role/x" }), false),
    ).toEqual({ mode: "existing-role", roleArn: "arn:aws:iam::123456789012:role/x" });
    expect(planCredentials(backupConfig({ createBucket: true }), false)).toEqual({
      mode: "created-role",
      trust: "pod-identity",
    });
    expect(
      planCredentials(
        backupConfig({
          createBucket: true,
          oidcProviderArn:
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/A",
        }),
        false,
      ),
    ).toEqual({ mode: "created-role", trust: "irsa" });
    expect(
      planCredentials(
        backupConfig({ createBucket: false, endpoint: "http://minio:9000", accessKeyId: "apphub" }),
        true,
      ),
    ).toEqual({ mode: "secret", create: true });
    expect(
      planCredentials(
        backupConfig({ createBucket: false, endpoint: "http://minio:9000", accessKeyId: "apphub" }),
        false,
      ),
    ).toEqual({ mode: "secret", create: false });
  });

  it("names the keys that contradict each other", () => {
    expect(() => planCredentials(backupConfig({ createBucket: false }), true)).toThrow(
      /backup\.accessKeyId is required when apphub-streaming:backupSecretAccessKey is set/,
    );
    expect(() =>
      planCredentials(backupConfig({ roleArn: "arn:aws:iam::1:role/x", accessKeyId: "a" }), false),
    ).toThrow(/either backup\.roleArn or static credentials/);
  });
});
