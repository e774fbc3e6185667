import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { MASK } from "../../src/render/capture";
import type { Container } from "../support/kubeObjects";
import {
  REPO_ROOT,
  findObject,
  renderRepoStack,
  renderStackYaml,
  resourcesOfType,
  type RenderResult,
} from "../support/render";

/** kubernetes-models validates at runtime; its typings under CommonJS resolution omit validate(). */
const validate = (model: unknown) => (model as { validate(): void }).validate();

const BACKUP = "apphub-redpanda-backup";
const BROKER_PODS = ["apphub-redpanda-0", "apphub-redpanda-1", "apphub-redpanda-2"];

function one(result: RenderResult, type: string) {
  const found = resourcesOfType(result, type).filter((resource) => resource.parent === BACKUP);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

type PolicyStatement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};
const statementsOf = (policy: unknown) =>
  (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;

function cronJobOf(result: RenderResult) {
  const job = findObject(result, "CronJob", BACKUP) as unknown as {
    spec: Record<string, unknown> & {
      jobTemplate: {
        spec: Record<string, unknown> & {
          template: {
            spec: {
              serviceAccountName: string;
              securityContext: Record<string, unknown>;
              containers: Container[];
            };
          };
        };
      };
    };
  };
  return job;
}

describe("SnapshotBackup in prod (AWS bucket)", () => {
  const prod = renderRepoStack("prod");

  it("renders", () => {
    expect(prod.status, prod.stderr).toBe(0);
  });

  it("creates the configured bucket, protected from deletion and never force-destroyed", () => {
    const bucket = one(prod, "aws:s3/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({
      bucket: "apphub-prod-redpanda-snapshots",
      region: "us-east-1",
      forceDestroy: false,
    });
    expect(bucket.inputs.tags).toMatchObject({ "app.kubernetes.io/part-of": "apphub" });
    expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true });
    // Losing the key loses every snapshot: protected the same way.
    expect(one(prod, "aws:kms/key:Key").options).toMatchObject({
      protect: true,
      retainOnDelete: true,
    });
    expect(one(prod, "aws:kms/key:Key").inputs).toMatchObject({ enableKeyRotation: true });
  });

  it("blocks public access on all four settings and disables ACLs", () => {
    expect(
      one(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      one(prod, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs,
    ).toMatchObject({ rule: { objectOwnership: "BucketOwnerEnforced" } });
  });

  it("versions the bucket and encrypts it with the stack's KMS key", () => {
    expect(one(prod, "aws:s3/bucketVersioning:BucketVersioning").inputs).toMatchObject({
      versioningConfiguration: { status: "Enabled" },
    });
    const encryption = one(
      prod,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(encryption.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: expect.stringContaining(`${BACKUP}-key`),
        },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("denies any request not made over TLS", () => {
    const policy = one(prod, "aws:s3/bucketPolicy:BucketPolicy");
    expect(statementsOf(policy.inputs.policy)).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          "arn:aws:s3:::apphub-prod-redpanda-snapshots",
          "arn:aws:s3:::apphub-prod-redpanda-snapshots/*",
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("expires released snapshots, noncurrent versions and incomplete multipart uploads", () => {
    const lifecycle = one(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect(lifecycle.dependsOn).toContain(`${BACKUP}-versioning`);
    const rules = lifecycle.inputs.rules as Array<{ id: string; status: string }>;
    expect(rules.map((rule) => rule.id)).toEqual([
      "expire-released-snapshot-manifests",
      "expire-released-snapshot-data",
      "expire-noncurrent-versions",
      "abort-incomplete-multipart-uploads",
    ]);
    expect(rules.every((rule) => rule.status === "Enabled")).toBe(true);
    expect(rules[0]).toMatchObject({
      expiration: { days: 14 },
      filter: { and: { prefix: "redpanda/", tags: { "apphub-backup-released": "manifest" } } },
    });
    expect(rules[1]).toMatchObject({
      expiration: { days: 16 },
      filter: { and: { prefix: "redpanda/", tags: { "apphub-backup-released": "data" } } },
    });
    expect(rules[2]).toMatchObject({ noncurrentVersionExpiration: { noncurrentDays: 3 } });
    expect(rules[3]).toMatchObject({ abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
  });

  it("gives the job a role limited to the snapshot prefix, the needed actions and the key", () => {
    const statements = statementsOf(one(prod, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual([
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:ListBucket",
      "s3:PutObject",
      "s3:PutObjectTagging",
    ]);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      for (const resource of [statement.Resource].flat()) expect(resource).not.toBe("*");
    }
    expect(
      statements.find((statement) => statement.Sid === "ReadWriteSnapshotObjects")!.Resource,
    ).toEqual(["arn:aws:s3:::apphub-prod-redpanda-snapshots/redpanda/*"]);
    expect(
      statements.find((statement) => statement.Sid === "UseSnapshotKeyThroughS3")!.Resource,
    ).toEqual([expect.stringContaining(`${BACKUP}-key`)]);
  });

  it("runs the hourly CronJob: Forbid, starting deadline, history and backoff limits, non-root, resources", () => {
    const job = cronJobOf(prod);
    expect(() => validate(new CronJob(job as never))).not.toThrow();
    expect(job.spec).toMatchObject({
      schedule: "0 * * * *",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 900,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
    });
    expect(job.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 2 });
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe(BACKUP);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    const container = pod.containers[0]!;
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.resources).toMatchObject({
      requests: { cpu: expect.any(String), memory: expect.any(String) },
      limits: { memory: expect.any(String) },
    });
    expect(container.image).toBe("ghcr.io/apphub/streaming-backup:0.1.0");
    // IAM role, not keys: no static credentials in the job.
    expect(container.env!.map((env) => env.name)).not.toContain("AWS_SECRET_ACCESS_KEY");
  });

  it("lets the ServiceAccount exec only into the three broker pods of its namespace", () => {
    const role = findObject(prod, "Role", BACKUP);
    expect(() => validate(new Role(role as never))).not.toThrow();
    expect(role.metadata.namespace).toBe("apphub-system");
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["pods"], resourceNames: BROKER_PODS, verbs: ["get"] },
      {
        apiGroups: [""],
        resources: ["pods/exec"],
        resourceNames: BROKER_PODS,
        verbs: ["create", "get"],
      },
    ]);
    const binding = findObject(prod, "RoleBinding", BACKUP);
    expect(() => validate(new RoleBinding(binding as never))).not.toThrow();
    expect(binding).toMatchObject({
      roleRef: { kind: "Role", name: BACKUP },
      subjects: [{ kind: "ServiceAccount", name: BACKUP, namespace: "apphub-system" }],
    });
    // Nothing cluster-wide.
    expect(
      prod.objects.filter(
        (object) => /^ClusterRole/.test(object.kind) && JSON.stringify(object).includes(BACKUP),
      ),
    ).toEqual([]);
    expect(() =>
      validate(new ServiceAccount(findObject(prod, "ServiceAccount", BACKUP) as never)),
    ).not.toThrow();
  });

  it("targets the broker pods and data directory the cluster component declares", () => {
    const statefulSet = findObject(prod, "StatefulSet", "apphub-redpanda") as unknown as {
      spec: {
        replicas: number;
        template: {
          spec: { containers: Array<{ name: string; volumeMounts: Array<{ mountPath: string }> }> };
        };
      };
    };
    const env = Object.fromEntries(
      cronJobOf(prod).spec.jobTemplate.spec.template.spec.containers[0]!.env!.map((entry) => [
        entry.name,
        entry.value,
      ]),
    );
    expect(Number(env.BACKUP_BROKER_COUNT)).toBe(statefulSet.spec.replicas);
    const broker = statefulSet.spec.template.spec.containers.find(
      (container) => container.name === env.BACKUP_CONTAINER,
    );
    expect(broker?.volumeMounts.map((mount) => mount.mountPath)).toContain(env.BACKUP_DATA_DIR);
    expect(env.BACKUP_POD_PREFIX).toBe("apphub-redpanda");
  });

  it("exports the bucket and the schedule", () => {
    expect(prod.outputs).toMatchObject({
      backupBucket: "apphub-prod-redpanda-snapshots",
      backupSchedule: "0 * * * *",
    });
  });

  it("uses IRSA when the cluster's OIDC provider is configured", async () => {
    const yamlText = fs
      .readFileSync(path.join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace(
        "    encryption: aws:kms\n",
        "    encryption: aws:kms\n    oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC\n",
      );
    const irsa = await renderStackYaml("prod", yamlText);
    expect(irsa.status, irsa.stderr).toBe(0);
    const trust = statementsOf(one(irsa, "aws:iam/role:Role").inputs.assumeRolePolicy)[0]!;
    expect(trust).toMatchObject({ Action: "sts:AssumeRoleWithWebIdentity" });
    expect(trust.Condition!.StringEquals!["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"]).toBe(
      `system:serviceaccount:apphub-system:${BACKUP}`,
    );
    const account = findObject(irsa, "ServiceAccount", BACKUP);
    expect(account.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:/);
  });
});

describe("SnapshotBackup on minikube (existing S3-compatible endpoint)", () => {
  const minikube = renderRepoStack("minikube");

  it("creates no AWS resources and points the job at the endpoint", () => {
    expect(minikube.status, minikube.stderr).toBe(0);
    expect(minikube.resources.filter((resource) => resource.type.startsWith("aws:"))).toEqual([]);
    const env = cronJobOf(minikube).spec.jobTemplate.spec.template.spec.containers[0]!.env!;
    expect(env).toContainEqual({
      name: "BACKUP_ENDPOINT",
      value: "http://apphub-minio.apphub-system.svc.cluster.local:9000",
    });
    expect(env).toContainEqual({ name: "BACKUP_FORCE_PATH_STYLE", value: "true" });
    expect(env.find((entry) => entry.name === "AWS_SECRET_ACCESS_KEY")).toEqual({
      name: "AWS_SECRET_ACCESS_KEY",
      valueFrom: { secretKeyRef: { name: `${BACKUP}-s3`, key: "AWS_SECRET_ACCESS_KEY" } },
    });
  });

  it("keeps the same exec-only RBAC", () => {
    expect(findObject(minikube, "Role", BACKUP).rules).toEqual(
      findObject(renderRepoStack("prod"), "Role", BACKUP).rules,
    );
  });

  it("builds the credentials Secret from the Pulumi secret, which never appears in plain text", async () => {
    const yamlText = `${fs.readFileSync(path.join(REPO_ROOT, "Pulumi.minikube.yaml"), "utf8")}  apphub-streaming:backupSecretAccessKey:\n    secure: AAABAHsomeciphertext\n`;
    const withSecret = await renderStackYaml("minikube", yamlText);
    expect(withSecret.status, withSecret.stderr).toBe(0);
    const secret = resourcesOfType(withSecret, "kubernetes:core/v1:Secret").find(
      (resource) => resource.parent === BACKUP,
    );
    expect(secret?.inputs.metadata).toMatchObject({
      name: `${BACKUP}-s3`,
      namespace: "apphub-system",
    });
    expect(secret?.inputs.stringData).toEqual({
      AWS_ACCESS_KEY_ID: MASK,
      AWS_SECRET_ACCESS_KEY: MASK,
    });
    const job = resourcesOfType(withSecret, "kubernetes:batch/v1:CronJob").find(
      (resource) => resource.parent === BACKUP,
    )!;
    expect(job.dependsOn).toContain(`${BACKUP}-s3-credentials`);
    expect(JSON.stringify(withSecret.resources)).not.toContain("AAABAHsomeciphertext");
  });
});
