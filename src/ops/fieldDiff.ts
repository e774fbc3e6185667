/**
 * Field-level differences between two JSON values (rendered resource inputs), with paths a
 * reviewer can read: lists of named items (containers, env vars, ports, volumes) are matched
 * by `name` rather than by position, so inserting one env var reports one addition instead
 * of shifting every later entry.
 */

export interface FieldChange {
  /** Path segments from the root of the compared value; list items matched by name read `[name]`. */
  path: PathSegment[];
  /** `undefined` when the field is new. */
  before: unknown;
  /** `undefined` when the field was removed. */
  after: unknown;
}

/** `json` marks a string field whose content is a JSON document (IAM policies) compared as such. */
import { isRecord } from "../config/values";

type JsonRecord = Record<string, unknown>;

export type PathSegment = { key: string } | { index: number } | { named: string } | { json: true };

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

/** Every leaf-level difference between `before` and `after`, in a stable order. */
export function diffValues(
  before: unknown,
  after: unknown,
  path: PathSegment[] = [],
): FieldChange[] {
  if (deepEqual(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], [...path, { key }]));
  }
  const beforeJson = jsonDocument(before);
  const afterJson = jsonDocument(after);
  if (beforeJson !== undefined && afterJson !== undefined)
    return diffValues(beforeJson, afterJson, [...path, { json: true }]);
  if (Array.isArray(before) && Array.isArray(after)) {
    const named = namedItems(before) && namedItems(after);
    if (named) return diffNamedLists(before as JsonRecord[], after as JsonRecord[], path);
    // Lists of scalars (command arguments, ports) read best as one before/after pair.
    if (before.every(isScalar) && after.every(isScalar)) return [{ path, before, after }];
    if (before.length === after.length)
      return before.flatMap((item, index) => diffValues(item, after[index], [...path, { index }]));
  }
  return [{ path, before, after }];
}

/** The parsed object or list when `value` is a string holding one, e.g. an IAM policy. */
function jsonDocument(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isScalar(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/** `name` (Kubernetes' merge key for most lists), `metadata.name` (volumeClaimTemplates), `Sid` (IAM statements) or `id` (S3 lifecycle rules). */
function itemName(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  if (typeof item.name === "string") return item.name;
  if (typeof item.Sid === "string") return item.Sid;
  if (typeof item.id === "string") return item.id;
  return isRecord(item.metadata) && typeof item.metadata.name === "string"
    ? item.metadata.name
    : undefined;
}

/** A list whose items all carry distinct names. */
function namedItems(list: unknown[]): boolean {
  if (list.length === 0) return true;
  const names = list.map(itemName);
  return names.every((name) => name !== undefined) && new Set(names).size === names.length;
}

function diffNamedLists(
  before: JsonRecord[],
  after: JsonRecord[],
  path: PathSegment[],
): FieldChange[] {
  if (before.length === 0 && after.length === 0) return [];
  const byName = (list: JsonRecord[]) => new Map(list.map((item) => [itemName(item)!, item]));
  const olds = byName(before);
  const news = byName(after);
  const names = [...olds.keys(), ...[...news.keys()].filter((name) => !olds.has(name))];
  const changes = names.flatMap((name) => {
    const old = olds.get(name);
    const updated = news.get(name);
    const itemPath: PathSegment[] = [...path, { named: name }];
    if (old === undefined || updated === undefined)
      return [{ path: itemPath, before: old, after: updated }];
    return diffValues(old, updated, itemPath);
  });
  const orderBefore = before.map((item) => itemName(item)!).filter((name) => news.has(name));
  const orderAfter = after.map((item) => itemName(item)!).filter((name) => olds.has(name));
  // Order matters for containers (start order) and args-like lists: say so when only it changed.
  if (changes.length === 0 && !deepEqual(orderBefore, orderAfter)) {
    return [
      {
        path,
        before: orderBefore.map((name) => `[${name}]`),
        after: orderAfter.map((name) => `[${name}]`),
      },
    ];
  }
  return changes;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `spec.template.spec.containers[redpanda].env[APPHUB_X].value`; odd keys are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if ("key" in segment)
      text += PLAIN_KEY.test(segment.key)
        ? `${text === "" ? "" : "."}${segment.key}`
        : `[${JSON.stringify(segment.key)}]`;
    else if ("index" in segment) text += `[${segment.index}]`;
    else if ("json" in segment) text += "(json)";
    else text += `[${segment.named}]`;
  }
  return text === "" ? "(value)" : text;
}

const PLAIN_VALUE = /^[\w.:/@+,=-]+$/;
const MAX_VALUE_LENGTH = 160;

/** A value on one line: plain strings and numbers as they are, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (typeof value === "string" && PLAIN_VALUE.test(value)) return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 3)}...` : text;
}

/** True when a before/after pair reads better as a line diff (scripts, configs, argument lists). */
export function isMultiline(change: FieldChange): boolean {
  const multi = (value: unknown) =>
    (typeof value === "string" && value.includes("\n")) ||
    (Array.isArray(value) && value.every(isScalar));
  return multi(change.before) && multi(change.after);
}

function toLines(value: unknown): string[] {
  if (typeof value === "string") return value.replace(/\n$/, "").split("\n");
  return (value as unknown[]).map((item) =>
    typeof item === "string" ? item : JSON.stringify(item),
  );
}

/**
 * A minimal line diff (longest common subsequence), only changed lines, prefixed `-` / `+`.
 * Inputs are rendered scripts and argument lists: hundreds of lines at most.
 */
export function lineDiff(before: unknown, after: unknown): string[] {
  const a = toLines(before);
  const b = toLines(after);
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return out;
}
