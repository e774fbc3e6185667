/**
 * Problems in stack config as the user reads them: each names its full key path
 * (`apphub-streaming:topics.apphub.core.events.retentionMs`) and what was expected.
 */
import type { z } from "zod";
import { describeValue, isRecord } from "./values";

export const CONFIG_NAMESPACE = "apphub-streaming";

export interface ConfigIssue {
  /** Full key path, e.g. `apphub-streaming:topics.apphub.core.events.retentionMs`. */
  key: string;
  message: string;
}

export function keyPath(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}

/** Longest quoted value in a report line. */
const QUOTE_LIMIT = 60;
export const quoted = (value: unknown): string => describeValue(value, QUOTE_LIMIT);

/** Marks a zod issue whose message came from a shared rule (`rules.ts`) and already says what was got. */
export const RULED = { ruled: true } as const;

export function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  if (issue.code === "unrecognized_keys") {
    return {
      key: keyPath([...issue.path, issue.keys.join(", ")]),
      message: "unknown key; see the README for the keys this program reads",
    };
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return { key: keyPath(issue.path), message: `is required: ${issue.message}` };
  }
  if (issue.code === "custom" && (issue.params as { ruled?: boolean } | undefined)?.ruled) {
    return { key: keyPath(issue.path), message: issue.message };
  }
  return { key: keyPath(issue.path), message: `${issue.message}, got ${quoted(issue.input)}` };
}

/**
 * A copy of `raw` without the values the issues point at (unknown keys included): parsed
 * again, each of them takes its default, so the rules that relate keys can still run.
 */
export function withoutPaths(
  raw: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): Record<string, unknown> {
  const copy = structuredClone(raw);
  for (const issue of issues) {
    const paths =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => [...issue.path, key])
        : [issue.path];
    for (const path of paths) {
      const parent = path
        .slice(0, -1)
        .reduce<unknown>(
          (node, key) =>
            isRecord(node) || Array.isArray(node)
              ? (node as Record<PropertyKey, unknown>)[key]
              : undefined,
          copy,
        );
      if (isRecord(parent) && path.length > 0) delete parent[path[path.length - 1] as string];
      else if (Array.isArray(parent) && path.length > 0)
        parent.splice(Number(path[path.length - 1]), 1);
    }
  }
  return copy;
}

export function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const id = `${issue.key}\u0000${issue.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  - ${issue.key}: ${issue.message}`);
  return [
    `Invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):`,
    ...lines,
  ].join("\n");
}
