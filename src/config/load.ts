/**
 * Edges that turn config sources into the raw map `parseStackConfig` validates:
 * the Pulumi runtime (during `pulumi up` / preview and under mocks) and a stack file on disk
 * (for the offline CLIs, which run without the Pulumi CLI and cannot decrypt secrets).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE, SECRET_KEYS, formatIssues, parseStackConfig, type StackConfig } from "./schema";

/** Pulumi hands config values over as strings, objects and numbers JSON-encoded. */
export function decodeConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** `{ "apphub-streaming:topics": "{...}" }` → `{ topics: {...} }`; other namespaces are ignored. */
export function rawFromPulumiConfig(all: Record<string, string>): Record<string, unknown> {
  const prefix = `${CONFIG_NAMESPACE}:`;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), decodeConfigValue(value)]),
  );
}

export interface StackFile {
  /** Raw values keyed without the namespace; secure values are replaced by a placeholder. */
  raw: Record<string, unknown>;
  /** Keys whose values are Pulumi secrets (`secure:` in the file). */
  secretKeys: string[];
}

export const SECRET_PLACEHOLDER = "[secret]";

export function stackFilePath(stack: string, projectDir = process.cwd()): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** Reads `Pulumi.<stack>.yaml`. Secure values cannot be decrypted offline: they become `[secret]`. */
export function readStackFile(file: string): StackFile {
  const document: unknown = parseYaml(fs.readFileSync(file, "utf8"));
  const config = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const shortKey = key.slice(prefix.length);
    if (isSecure(value)) {
      secretKeys.push(shortKey);
      raw[shortKey] = SECRET_PLACEHOLDER;
    } else {
      raw[shortKey] = value;
    }
  }
  return { raw, secretKeys };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Parses a stack file into a resolved config, or throws with the full validation report. */
export function loadStackConfig(stack: string, projectDir = process.cwd()): StackConfig {
  const { raw } = readStackFile(stackFilePath(stack, projectDir));
  const result = parseStackConfig(raw, process.env);
  if (!result.ok) throw new ConfigError(formatIssues(result.issues));
  return result.config;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export { SECRET_KEYS };
