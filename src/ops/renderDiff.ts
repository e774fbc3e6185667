/**
 * Compares two offline renders of one stack (base ref vs working tree) and classifies what
 * `pulumi up` would do to the parts that hold data: topics, broker volumes and the backup
 * bucket. Pure: renders in, a structured diff out; `formatRenderDiff` turns it into text.
 *
 * The classification is an offline estimate of the engine's plan. It knows the rules that
 * matter here (Kubernetes immutable fields, URN changes, the topic provider's deletion
 * policy, `replaceOnChanges`) and errs on the side of flagging.
 */
import type { RenderedResource } from "../render/write";
import { KAFKA_TOPIC_TYPE } from "../topics/model";
import {
  diffValues,
  formatPath,
  formatValue,
  isMultiline,
  lineDiff,
  type FieldChange,
} from "./fieldDiff";

/** The topic resources of TopicBootstrap: a dynamic provider resource per topic, named after it. */
export { KAFKA_TOPIC_TYPE };
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const PV = "kubernetes:core/v1:PersistentVolume";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const DOCKER_VOLUME = "docker:index/volume:Volume";
const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const KMS_KEY = "aws:kms/key:Key";
const LIFECYCLE_TYPES = new Set([
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
]);
/** Fields of a StatefulSet the API server refuses to update: changing one replaces the object. */
const STATEFUL_SET_IMMUTABLE = [
  "spec.selector",
  "spec.serviceName",
  "spec.podManagementPolicy",
  "spec.volumeClaimTemplates",
];
const PROVIDER_INPUT = "__provider";

export type Severity = "destructive" | "notice";

export interface Finding {
  severity: Severity;
  /** `topic apphub.core.events`, `StatefulSet apphub-redpanda`, ... */
  subject: string;
  message: string;
}

export type ChangeKind = "added" | "removed" | "updated" | "moved";

export interface ResourceChange {
  kind: ChangeKind;
  type: string;
  name: string;
  before?: RenderedResource;
  after?: RenderedResource;
  /** Input and option differences (`options.protect`, ...), the serialized provider left out. */
  fields: FieldChange[];
  /** The engine would delete and recreate the resource (or its URN changes). */
  replaces: boolean;
  findings: Finding[];
}

export interface RenderDiff {
  /** Changes to topic resources, by topic name. */
  topics: ResourceChange[];
  /** Changes to every other resource, by type then name. */
  resources: ResourceChange[];
  /** Resource types whose serialized dynamic provider code differs (code change, not config). */
  providerCodeChanged: string[];
  findings: Finding[];
  destructive: boolean;
}

/** The URN without stack and project: parent type chain, type and name. Parents are referenced by name. */
function urnKeys(resources: readonly RenderedResource[]): Map<RenderedResource, string> {
  const byName = new Map<string, RenderedResource[]>();
  for (const resource of resources)
    byName.set(resource.name, [...(byName.get(resource.name) ?? []), resource]);
  const typeChain = (resource: RenderedResource, seen: Set<RenderedResource>): string => {
    if (resource.parent === null || seen.has(resource)) return resource.type;
    // Only components parent other resources here; a custom resource of the same name is not a parent.
    const candidates = (byName.get(resource.parent) ?? []).filter(
      (candidate) => candidate !== resource,
    );
    const parent =
      candidates.find(
        (candidate) =>
          !candidate.type.includes(":index/") && !candidate.type.startsWith("kubernetes:"),
      ) ?? candidates[0];
    return parent
      ? `${typeChain(parent, new Set([...seen, resource]))}$${resource.type}`
      : resource.type;
  };
  return new Map(
    resources.map((resource) => [resource, `${typeChain(resource, new Set())}::${resource.name}`]),
  );
}

function comparable(resource: RenderedResource): {
  inputs: Record<string, unknown>;
  options: RenderedResource["options"];
} {
  const inputs = Object.fromEntries(
    Object.entries(resource.inputs).filter(([key]) => key !== PROVIDER_INPUT),
  );
  return { inputs, options: resource.options };
}

/** Field changes between two versions of a resource, paths rooted at `inputs` or `options`. */
function fieldChanges(before: RenderedResource, after: RenderedResource): FieldChange[] {
  const a = comparable(before);
  const b = comparable(after);
  const inputs = diffValues(a.inputs, b.inputs);
  const options = diffValues(a.options, b.options, [{ key: "options" }]);
  return [...inputs, ...options];
}

const pathText = (change: FieldChange) => formatPath(change.path);
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      typeof node === "object" && node !== null
        ? (node as Record<string, unknown>)[key]
        : undefined,
    value,
  );
const changed = (fields: readonly FieldChange[], prefix: string) =>
  fields.filter((field) => {
    const text = pathText(field);
    return text === prefix || text.startsWith(`${prefix}.`) || text.startsWith(`${prefix}[`);
  });

export function diffRenders(
  base: readonly RenderedResource[],
  head: readonly RenderedResource[],
): RenderDiff {
  const baseKeys = urnKeys(base);
  const headKeys = urnKeys(head);
  const baseByKey = new Map([...baseKeys].map(([resource, key]) => [key, resource]));
  const headByKey = new Map([...headKeys].map(([resource, key]) => [key, resource]));
  const changes: ResourceChange[] = [];
  const providerCodeChanged = new Set<string>();

  const removed = [...baseByKey]
    .filter(([key]) => !headByKey.has(key))
    .map(([, resource]) => resource);
  const added = [...headByKey]
    .filter(([key]) => !baseByKey.has(key))
    .map(([, resource]) => resource);
  const identity = (resource: RenderedResource) => `${resource.type}::${resource.name}`;
  const addedByIdentity = new Map(added.map((resource) => [identity(resource), resource]));
  const moved = new Set<RenderedResource>();

  for (const [key, before] of baseByKey) {
    const after = headByKey.get(key);
    if (!after) continue;
    if (before.inputs[PROVIDER_INPUT] !== after.inputs[PROVIDER_INPUT])
      providerCodeChanged.add(before.type);
    const fields = fieldChanges(before, after);
    if (fields.length > 0)
      changes.push(
        classify({ kind: "updated", type: before.type, name: before.name, before, after, fields }),
      );
  }
  for (const before of removed) {
    // Same type and name under another parent type: the URN changes, which the engine treats as delete + create.
    const after = addedByIdentity.get(identity(before));
    if (after) {
      moved.add(after);
      changes.push(
        classify({
          kind: "moved",
          type: before.type,
          name: before.name,
          before,
          after,
          fields: fieldChanges(before, after),
        }),
      );
    } else {
      changes.push(
        classify({ kind: "removed", type: before.type, name: before.name, before, fields: [] }),
      );
    }
  }
  for (const after of added) {
    if (!moved.has(after))
      changes.push(
        classify({ kind: "added", type: after.type, name: after.name, after, fields: [] }),
      );
  }

  const order = (a: ResourceChange, b: ResourceChange) =>
    a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type);
  const topics = changes.filter((change) => change.type === KAFKA_TOPIC_TYPE).sort(order);
  const resources = changes.filter((change) => change.type !== KAFKA_TOPIC_TYPE).sort(order);
  const findings = [...topics, ...resources].flatMap((change) => change.findings);
  return {
    topics,
    resources,
    providerCodeChanged: [...providerCodeChanged].sort(),
    findings,
    destructive: findings.some((finding) => finding.severity === "destructive"),
  };
}

type Unclassified = Omit<ResourceChange, "replaces" | "findings">;

function classify(change: Unclassified): ResourceChange {
  const findings: Finding[] = [];
  let replaces = change.kind === "moved" || replaceOnChangesHit(change);
  const shortType = change.type.slice(change.type.lastIndexOf(":") + 1);
  const subject =
    change.type === KAFKA_TOPIC_TYPE ? `topic ${change.name}` : `${shortType} ${change.name}`;
  const add = (severity: Severity, message: string) =>
    findings.push({ severity, subject, message });
  const before = change.before;
  const retained = before?.options.retainOnDelete === true;

  if (change.type === KAFKA_TOPIC_TYPE) {
    const policy = before?.inputs.deletionPolicy === "delete" ? "delete" : "retain";
    if (change.kind === "removed" || change.kind === "moved") {
      const how =
        change.kind === "removed"
          ? "is removed from config"
          : "moves to another parent (its URN changes, so the engine deletes the old resource)";
      const protectedNote = before?.options.protect
        ? "; protect is set, so pulumi up stops at it until `pulumi state unprotect` is run for it"
        : "";
      if (policy === "delete" && !retained)
        add(
          "destructive",
          `${how} with deletionPolicy "delete": pulumi up DELETES the topic from the broker, with all its data${protectedNote}`,
        );
      else if (change.kind === "removed")
        add(
          "notice",
          `is removed from config: it stays on the broker, no longer managed (deletionPolicy "${policy}")${protectedNote}`,
        );
      else
        add(
          "notice",
          `${how}; deletionPolicy "${policy}" keeps the topic on the broker and the new resource adopts it`,
        );
    }
    if (change.kind === "updated" && change.after) {
      const after = change.after.inputs;
      if (before?.inputs.name !== after.name) {
        replaces = true;
        add(
          "destructive",
          `topic name ${formatValue(before?.inputs.name)} => ${formatValue(after.name)}: the topic would be REPLACED (a new, empty topic)`,
        );
      }
      const partitionsBefore = before?.inputs.partitions;
      if (
        typeof partitionsBefore === "number" &&
        typeof after.partitions === "number" &&
        after.partitions < partitionsBefore
      ) {
        add(
          "destructive",
          `partitions ${partitionsBefore} => ${after.partitions}: Kafka cannot remove partitions; only deleting and recreating the topic (losing its data) could, and the topic provider refuses`,
        );
      }
      if (
        before?.inputs.deletionPolicy !== after.deletionPolicy &&
        after.deletionPolicy === "delete"
      ) {
        add(
          "notice",
          `deletionPolicy becomes "delete": removing this topic from config later DELETES it from the broker`,
        );
      }
    }
  } else if (BUCKET_TYPES.has(change.type)) {
    if (change.kind === "removed" || change.kind === "moved") {
      if (retained)
        add(
          "notice",
          `${change.kind === "removed" ? "is removed" : "moves"}: retainOnDelete keeps the bucket and its backups, no longer managed`,
        );
      else
        add(
          "destructive",
          `${change.kind === "removed" ? "is removed" : "moves (its URN changes)"}: pulumi up DELETES the backup bucket${before?.options.protect ? " (protect is set, so pulumi up fails instead)" : ""}`,
        );
    }
    if (change.kind === "updated") {
      const renamed = [
        ...changed(change.fields, "bucket"),
        ...changed(change.fields, "bucketPrefix"),
      ];
      if (renamed.length > 0) {
        replaces = true;
        add(
          "destructive",
          `bucket name ${renamed.map((field) => `${formatValue(field.before)} => ${formatValue(field.after)}`).join(", ")}: the bucket would be REPLACED and the old one, with every backup, DELETED`,
        );
      }
      if (change.after?.inputs.forceDestroy === true && before?.inputs.forceDestroy !== true) {
        add(
          "destructive",
          "forceDestroy becomes true: deleting the stack or the bucket would delete every backup in it",
        );
      }
    }
  } else if (change.type === STATEFUL_SET) {
    if (change.kind === "removed")
      add(
        "destructive",
        "is removed: pulumi up DELETES every broker of the cluster (their volumes stay only while the PVC retention policy is Retain)",
      );
    if (change.kind === "moved")
      add(
        "destructive",
        "moves (its URN changes): the engine deletes and recreates the StatefulSet, restarting every broker at once",
      );
    if (change.kind === "updated") {
      const immutable = STATEFUL_SET_IMMUTABLE.filter(
        (field) => changed(change.fields, field).length > 0,
      );
      if (nameOrNamespaceChanged(change.fields)) immutable.push("metadata.name/namespace");
      if (immutable.length > 0) {
        replaces = true;
        const volumes = immutable.includes("spec.volumeClaimTemplates");
        add(
          "destructive",
          `would be REPLACED (delete, then create: every broker down at once)${volumes ? "; its volumeClaimTemplates change, and existing broker volumes (PVCs) keep their old size and class" : ""}; immutable fields changed: ${immutable.join(", ")}`,
        );
      }
      const replicas = changed(change.fields, "spec.replicas")[0];
      if (
        replicas &&
        typeof replicas.before === "number" &&
        typeof replicas.after === "number" &&
        replicas.after < replicas.before
      ) {
        add(
          "destructive",
          `spec.replicas ${replicas.before} => ${replicas.after}: removes brokers; decommission them first or their partitions lose replicas`,
        );
      }
      for (const when of ["whenDeleted", "whenScaled"]) {
        const policy = (resource: RenderedResource | undefined) =>
          get(resource?.inputs, "spec", "persistentVolumeClaimRetentionPolicy", when);
        if (policy(change.after) === "Delete" && policy(before) !== "Delete") {
          add(
            "destructive",
            `spec.persistentVolumeClaimRetentionPolicy.${when} becomes Delete: broker volumes are deleted with their pods`,
          );
        }
      }
    }
  } else if (change.type === PVC || change.type === PV || change.type === DOCKER_VOLUME) {
    if (change.kind === "removed" || change.kind === "moved") {
      if (retained)
        add(
          "notice",
          `${change.kind === "removed" ? "is removed" : "moves"}: retainOnDelete keeps the volume, no longer managed`,
        );
      else
        add(
          "destructive",
          `${change.kind === "removed" ? "is removed" : "moves (its URN changes)"}: pulumi up DELETES the volume and its data`,
        );
    }
    if (change.kind === "updated") {
      const growth = (field: FieldChange) => pathText(field) === "spec.resources.requests.storage";
      const other = change.fields.filter(
        (field) =>
          !growth(field) &&
          !pathText(field).startsWith("options") &&
          !pathText(field).startsWith("metadata.labels") &&
          !pathText(field).startsWith("metadata.annotations"),
      );
      if (other.length > 0) {
        replaces = true;
        add(
          "destructive",
          `would be REPLACED, deleting the volume and its data (changed: ${other.map(pathText).join(", ")})`,
        );
      }
    }
  } else if (change.type === KMS_KEY) {
    if ((change.kind === "removed" || change.kind === "moved") && !retained) {
      add(
        "destructive",
        "is removed: pulumi up schedules the KMS key for deletion, and every backup encrypted with it becomes unreadable once it is gone",
      );
    }
  } else if (LIFECYCLE_TYPES.has(change.type) && change.kind === "updated") {
    for (const field of change.fields) {
      const last = field.path[field.path.length - 1];
      const days = last && "key" in last && ["days", "noncurrentDays"].includes(last.key);
      if (
        days &&
        typeof field.before === "number" &&
        typeof field.after === "number" &&
        field.after < field.before
      ) {
        add(
          "notice",
          `${pathText(field)} ${field.before} => ${field.after}: backups expire sooner`,
        );
      }
    }
  } else if (change.type === NAMESPACE) {
    if (change.kind === "removed" || change.kind === "moved")
      add(
        "destructive",
        "is removed: Kubernetes deletes every object in the namespace, broker volumes included",
      );
  } else if (
    change.type.startsWith("kubernetes:") &&
    change.kind === "updated" &&
    nameOrNamespaceChanged(change.fields)
  ) {
    replaces = true;
  }

  if (
    change.kind === "updated" &&
    before?.options.protect === true &&
    change.after?.options.protect === false
  ) {
    add("notice", "protect is turned off");
  }
  return { ...change, replaces, findings };
}

function nameOrNamespaceChanged(fields: readonly FieldChange[]): boolean {
  return fields.some((field) => ["metadata.name", "metadata.namespace"].includes(pathText(field)));
}

function replaceOnChangesHit(change: Unclassified): boolean {
  const triggers = change.after?.options.replaceOnChanges ?? [];
  if (triggers.includes("*"))
    return (
      change.kind === "updated" &&
      change.fields.some((field) => !pathText(field).startsWith("options"))
    );
  return triggers.some((trigger) => changed(change.fields, trigger).length > 0);
}

// --- text ---

export interface DiffHeader {
  stack: string;
  base: string;
  /** How the base side was rendered, for the reader. */
  baseCode: string;
}

const BANNER = "!".repeat(78);

/** The topic-specific way to name a field: `retention.ms` rather than `config["retention.ms"]`. */
function topicFieldName(field: FieldChange): string {
  const [first, ...rest] = field.path;
  if (
    first &&
    "key" in first &&
    first.key === "config" &&
    rest.length === 1 &&
    rest[0] &&
    "key" in rest[0]
  )
    return rest[0].key;
  return formatPath(field.path);
}

function fieldLines(field: FieldChange, name: string, indent: string): string[] {
  if (isMultiline(field))
    return [
      `${indent}${name}`,
      ...lineDiff(field.before, field.after).map((line) => `${indent}  ${line}`),
    ];
  return [`${indent}${name} ${formatValue(field.before)} => ${formatValue(field.after)}`];
}

function topicSummary(resource: RenderedResource): string {
  const inputs = resource.inputs;
  const config =
    typeof inputs.config === "object" && inputs.config !== null
      ? (inputs.config as Record<string, unknown>)
      : {};
  const parts = [
    `partitions ${formatValue(inputs.partitions)}`,
    `replicationFactor ${formatValue(inputs.replicationFactor)}`,
    ...Object.entries(config).map(([key, value]) => `${key} ${formatValue(value)}`),
  ];
  if (inputs.deletionPolicy === "delete") parts.push('deletionPolicy "delete"');
  return parts.join(", ");
}

function destructiveMark(change: ResourceChange): string {
  return change.findings.some((finding) => finding.severity === "destructive")
    ? "!!! DESTRUCTIVE !!! "
    : "";
}

const fieldKey = (field: FieldChange) =>
  JSON.stringify([field.path, field.before ?? null, field.after ?? null]);

/**
 * The same field change on several topics (a provider version, the broker list) is printed
 * once for all of them rather than once per topic.
 */
function sharedTopicFields(topics: readonly ResourceChange[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const change of topics) {
    if (change.kind !== "updated") continue;
    for (const field of change.fields)
      owners.set(fieldKey(field), [...(owners.get(fieldKey(field)) ?? []), change.name]);
  }
  return new Map([...owners].filter(([, names]) => names.length > 1));
}

function topicSectionLines(topics: readonly ResourceChange[]): string[] {
  const shared = sharedTopicFields(topics);
  const printed = new Set<string>();
  return topics.flatMap((change) => {
    const lines: string[] = [];
    if (change.kind === "updated") {
      for (const field of change.fields) {
        const owners = shared.get(fieldKey(field));
        if (!owners)
          lines.push(...fieldLines(field, `${change.name} ${topicFieldName(field)}`, "  "));
        else if (!printed.has(fieldKey(field))) {
          printed.add(fieldKey(field));
          lines.push(
            ...fieldLines(
              field,
              `${owners.length} topics (${owners.join(", ")}) ${topicFieldName(field)}`,
              "  ",
            ),
          );
        }
      }
    }
    return [...lines, ...topicLines(change)];
  });
}

function topicLines(change: ResourceChange): string[] {
  const lines: string[] = [];
  if (change.kind === "added")
    lines.push(`  + ${change.name} added (${topicSummary(change.after!)})`);
  if (change.kind === "moved")
    lines.push(`  ~ ${change.name} moves to another parent resource (URN change)`);
  for (const finding of change.findings) {
    const prefix =
      finding.severity === "destructive"
        ? "!!! DESTRUCTIVE !!! "
        : change.kind === "removed"
          ? "- "
          : "note: ";
    lines.push(`  ${prefix}${change.name} ${finding.message}`);
  }
  return lines;
}

function resourceLines(change: ResourceChange): string[] {
  const mark = destructiveMark(change);
  const symbol = { added: "+", removed: "-", updated: change.replaces ? "+-" : "~", moved: "+-" }[
    change.kind
  ];
  const what =
    change.kind === "moved"
      ? " (moves to another parent: URN change, replaced)"
      : change.replaces
        ? " (replace)"
        : "";
  const lines = [`  ${mark}${symbol} ${change.type} ${change.name}${what}`];
  for (const field of change.fields)
    lines.push(...fieldLines(field, formatPath(field.path), "      "));
  for (const finding of change.findings)
    lines.push(
      `      ${finding.severity === "destructive" ? "!!! DESTRUCTIVE: " : "note: "}${finding.message}`,
    );
  return lines;
}

function count(changes: readonly ResourceChange[], kind: ChangeKind): number {
  return changes.filter((change) => change.kind === kind).length;
}

export function formatRenderDiff(diff: RenderDiff, header: DiffHeader): string {
  const lines = [
    `render diff of stack ${header.stack}: base ${header.base} => working tree`,
    `base rendered with ${header.baseCode}`,
    "",
  ];
  if (
    diff.topics.length === 0 &&
    diff.resources.length === 0 &&
    diff.providerCodeChanged.length === 0
  ) {
    lines.push("no changes");
    return `${lines.join("\n")}\n`;
  }
  if (diff.topics.length > 0) lines.push("topics:", ...topicSectionLines(diff.topics), "");
  if (diff.resources.length > 0)
    lines.push("resources:", ...diff.resources.flatMap(resourceLines), "");
  for (const type of diff.providerCodeChanged) {
    lines.push(
      `note: the serialized provider code of ${type} changed (a code change; every such resource runs the new code on its next update)`,
      "",
    );
  }
  const destructive = diff.findings.filter((finding) => finding.severity === "destructive");
  if (destructive.length > 0) {
    lines.push(
      BANNER,
      `!!! ${destructive.length} DESTRUCTIVE CHANGE${destructive.length === 1 ? "" : "S"}: data would be deleted or replaced`,
      ...destructive.map((finding) => `!!!   ${finding.subject}: ${finding.message}`),
      BANNER,
      "",
    );
  }
  const summary = [
    `topics: ${count(diff.topics, "updated")} changed, ${count(diff.topics, "added")} added, ${count(diff.topics, "removed")} removed`,
    `other resources: ${count(diff.resources, "updated")} changed, ${count(diff.resources, "added")} added, ${count(diff.resources, "removed")} removed, ${count([...diff.topics, ...diff.resources], "moved")} moved`,
    `${destructive.length} destructive`,
  ];
  lines.push(`summary: ${summary.join("; ")}`);
  return `${lines.join("\n")}\n`;
}

/**
 * One stack's section of the pull-request comment: a heading that counts the changes, a
 * CAUTION alert listing every destructive change (GitHub renders it as a red box), and the
 * full text diff.
 */
export function formatRenderDiffMarkdown(diff: RenderDiff, header: DiffHeader): string {
  const destructive = diff.findings.filter((finding) => finding.severity === "destructive");
  const total = diff.topics.length + diff.resources.length;
  const headline =
    destructive.length > 0
      ? `${destructive.length} destructive change${destructive.length === 1 ? "" : "s"}`
      : total === 0
        ? "no changes"
        : `${total} resource${total === 1 ? "" : "s"} changed, nothing destructive`;
  const lines = [`### \`${header.stack}\`: ${headline}`, ""];
  if (destructive.length > 0) {
    lines.push(
      "> [!CAUTION]",
      `> **${headline.toUpperCase()}**: data would be deleted or replaced.`,
      ...destructive.map(
        (finding) => `> - **${finding.subject}**: ${finding.message.replaceAll("\n", " ")}`,
      ),
      "",
    );
  }
  const fence = "````";
  lines.push(
    `<details${total > 0 || destructive.length > 0 ? " open" : ""}><summary>render diff of <code>${header.stack}</code> against ${header.base}</summary>`,
    "",
    `${fence}text`,
    formatRenderDiff(diff, header).trimEnd(),
    fence,
    "",
    "</details>",
  );
  return `${lines.join("\n")}\n`;
}
