/**
 * Two helpers every validator needs: telling a plain object from anything else, and quoting a
 * value the user gave inside an error message. Dependency-free, so any module may import it.
 */

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A value as a report quotes it: JSON, "nothing" for undefined, cut to `maxLength` characters
 * (with "...") so one huge value does not swamp a report of many problems.
 */
export function describeValue(value: unknown, maxLength = Infinity): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}
