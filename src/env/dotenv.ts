/**
 * Dotenv text for running core and timestore on the host against the dev stack. The output
 * must read back identically with the `dotenv` package (which core uses), so every value is
 * written bare when that is unambiguous and quoted otherwise.
 */
import type { EnvEntry } from "./variables";

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters dotenv reads back verbatim without quotes (no '#', quotes, spaces or '$'). */
const BARE_VALUE = /^[A-Za-z0-9_.,:/@%+=?&~-]*$/;

export function formatDotenvValue(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${name}: a dotenv value cannot span lines`);
  if (BARE_VALUE.test(value)) return value;
  // dotenv keeps backslashes inside quotes literally, so pick a quote the value does not contain.
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("`")) return `\`${value}\``;
  throw new Error(`${name}: a dotenv value cannot contain all three quote characters`);
}

export function formatDotenv(entries: readonly EnvEntry[], header: readonly string[] = []): string {
  const seen = new Set<string>();
  const lines = header.map((line) => `# ${line}`);
  for (const { name, value } of entries) {
    if (!VARIABLE_NAME.test(name))
      throw new Error(`"${name}" is not a valid environment variable name`);
    if (seen.has(name)) throw new Error(`${name} is set twice`);
    seen.add(name);
    lines.push(`${name}=${formatDotenvValue(name, value)}`);
  }
  return `${lines.join("\n")}\n`;
}
