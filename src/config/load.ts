/**
 * Edges that turn config sources into the raw map `parseStackConfig` validates:
 * the Pulumi runtime (during `pulumi up` / preview and under mocks) and a stack file on disk
 * (for the offline CLIs, which run without the Pulumi CLI and cannot decrypt secrets).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { isRecord } from "./values";
import {
  CONFIG_NAMESPACE,
  SECRET_KEYS,
  formatIssues,
  parseStackConfig,
  type StackConfig,
} from "./schema";

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

/**
 * Which of `keys` (without the namespace) the Pulumi runtime holds as secrets: the language
 * host passes the list of secret config keys along with the config (`PULUMI_CONFIG_SECRET_KEYS`),
 * and mocks get it from `setAllConfig`.
 */
export function runtimeSecretKeys(
  keys: readonly string[],
  isConfigSecret: (key: string) => boolean,
): string[] {
  return keys.filter(
    (key) =>
      isConfigSecret(`${CONFIG_NAMESPACE}:${key}`) ||
      isConfigSecret(`${CONFIG_NAMESPACE}:config:${key}`),
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

/** `file` as the user would name it: relative to the current directory when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/**
 * Parses stack YAML text. A syntax error becomes a `ConfigError` naming file, line and column;
 * a document that is not a mapping with a `config:` mapping likewise.
 */
export function parseStackYaml(text: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  const [error] = document.errors;
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new ConfigError(
      `${shown(file)}:${line}:${col}: invalid YAML: ${error.message.split("\n")[0]}`,
    );
  }
  const content: unknown = document.toJS();
  if (content === null || content === undefined) return {};
  const config = isRecord(content) ? (content.config ?? {}) : undefined;
  if (!isRecord(config)) {
    throw new ConfigError(
      `${shown(file)}: expected a mapping with a "config:" mapping of ${CONFIG_NAMESPACE}:<key> entries`,
    );
  }
  return config;
}

/** Reads `Pulumi.<stack>.yaml`. Secure values cannot be decrypted offline: they become `[secret]`. */
export function readStackFile(file: string): StackFile {
  if (!fs.existsSync(file))
    throw new ConfigError(
      `${shown(file)} does not exist: expected a Pulumi.<stack>.yaml there (${knownStacks(path.dirname(file)).join(", ") || "none found"})`,
    );
  return stackFileFromText(fs.readFileSync(file, "utf8"), file);
}

/** A stack file's text (named `file` in messages) → its `apphub-streaming:` values, secrets as `[secret]`. */
export function stackFileFromText(text: string, file: string): StackFile {
  const config = parseStackYaml(text, file);
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(prefix)) continue;
    const shortKey = key.slice(prefix.length);
    if (isSecure(value)) {
      secretKeys.push(shortKey);
      raw[shortKey] = SECRET_PLACEHOLDER;
    } else if (isSecureMap(value)) {
      // `pulumi config set --secret --path key.leaf` encrypts each leaf; the CLI then treats the whole key as secret.
      secretKeys.push(shortKey);
      raw[shortKey] = Object.fromEntries(
        Object.keys(value).map((leaf) => [leaf, SECRET_PLACEHOLDER]),
      );
    } else {
      raw[shortKey] = value;
    }
  }
  return { raw, secretKeys };
}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** A mapping of secure leaves only, as `pulumi config set --secret --path` writes it. */
function isSecureMap(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.keys(value).length > 0 && Object.values(value).every(isSecure);
}

/** The stacks that have a `Pulumi.<stack>.yaml` in `projectDir`. */
export function knownStacks(projectDir: string): string[] {
  return fs.readdirSync(projectDir).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);
}

/** Parses a stack file into a resolved config, or throws a `ConfigError` with the full validation report. */
export function loadStackConfig(stack: string, projectDir = process.cwd()): StackConfig {
  const { raw, secretKeys } = readStackFile(stackFilePath(stack, projectDir));
  const result = parseStackConfig(raw, process.env, { secretKeys, stack });
  if (!result.ok) throw new ConfigError(formatIssues(result.issues));
  return result.config;
}

/** Bad stack config or a bad stack file: the user's to fix, reported without a stack trace (exit 2). */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export { SECRET_KEYS };
