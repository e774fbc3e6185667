/**
 * Every `rpk` command and flag the repository tells someone to run, or runs itself, exists in
 * the pinned release's rpk (test/support/rpk.ts, checked against rpk's source at v24.3.2): the
 * code of every Markdown page (fenced blocks and inline spans), the rendered broker scripts of
 * both Kubernetes stacks, and the replica guard's refusal.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REDPANDA_IMAGE } from "../../src/config/schema";
import { replicaDecreaseRefusal } from "../../src/cluster/replicaGuard";
import { renderScripts } from "../../src/cluster/scripts";
import { GLOBAL_FLAGS, matchRpkCommand, RPK_COMMANDS, RPK_RELEASE } from "../support/rpk";
import { KUBE_BASICS, loadBalancerListener, SECURED, validConfig } from "../support/config";

const ROOT = path.resolve(__dirname, "../..");

/** Names the seed uses that rpk does not have; quoting them is fine on a line that says so. */
const QUOTED_AS_ABSENT: Record<string, RegExp> = { "cluster move-partitions": /seed/ };

interface Mention {
  where: string;
  text: string;
  /** The Markdown line around an inline span (the text itself otherwise). */
  context?: string;
}

const markdownFiles = (): string[] => [
  "README.md",
  ...fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file}`),
];

/** Code of a Markdown page: fenced blocks (comment lines dropped) and inline spans, with their line. */
function markdownCode(file: string): Mention[] {
  const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const code: Mention[] = [];
  let fence: string[] | undefined;
  let fenceStart = 0;
  lines.forEach((line, index) => {
    if (/^\s*```/.test(line)) {
      if (fence) {
        code.push({ where: `${file}:${fenceStart}`, text: withoutComments(fence.join("\n")) });
        fence = undefined;
      } else {
        fence = [];
        fenceStart = index + 1;
      }
      return;
    }
    if (fence) fence.push(line);
    else
      for (const span of line.matchAll(/`([^`]+)`/g))
        code.push({ where: `${file}:${index + 1}`, text: span[1]!, context: line });
  });
  return code;
}

/** Drops shell comments (a `#` at a line's start or after blanks) and joins continued lines. */
function withoutComments(script: string): string {
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .join("\n");
}

/** Each `rpk ...` in `text`: its words and flags up to the end of the shell command. */
function rpkInvocations(text: string): string[][] {
  const found: string[][] = [];
  const normalized = text.replace(/<[^>]*>/g, "ARG");
  for (const match of normalized.matchAll(/(?:^|[\s(`'"])rpk\s+([^\n]*)/g)) {
    const tokens: string[] = [];
    for (const raw of match[1]!.split(/\s+/)) {
      if (raw === "" || /[|;&#()`<>]/.test(raw) || raw.startsWith("$(")) break;
      tokens.push(raw.replace(/["',.:]+$/, ""));
    }
    if (tokens.length > 0 && !/^["'$]/.test(tokens[0]!)) found.push(tokens);
  }
  return found;
}

/** What is wrong with one invocation against the pinned rpk, or undefined. */
function problem(tokens: readonly string[], line: string): string | undefined {
  const words = tokens.filter((token) => !token.startsWith("-"));
  const matched = matchRpkCommand(words);
  if (!matched) {
    const quotedAbsent = Object.entries(QUOTED_AS_ABSENT).find(([name]) =>
      words.join(" ").startsWith(name),
    );
    if (quotedAbsent && quotedAbsent[1].test(line)) return undefined;
    return `no command "rpk ${words.join(" ")}" in rpk ${RPK_RELEASE}`;
  }
  const known = new Set([...matched.command.flags, ...GLOBAL_FLAGS]);
  const unknown = tokens
    .filter((token) => token.startsWith("-"))
    .map((token) => token.split("=")[0]!)
    .filter((flag) => !known.has(flag));
  return unknown.length > 0
    ? `"rpk ${matched.command.path}" has no flag ${unknown.join(", ")} in rpk ${RPK_RELEASE} (${matched.command.source})`
    : undefined;
}

function check(mentions: readonly Mention[]): string[] {
  return mentions.flatMap((mention) =>
    rpkInvocations(mention.text).flatMap((tokens) => {
      const found = problem(tokens, mention.context ?? mention.text);
      return found ? [`${mention.where}: rpk ${tokens.join(" ")}: ${found}`] : [];
    }),
  );
}

const stacks = {
  minikube: validConfig({ environment: "minikube", ...KUBE_BASICS }),
  prod: validConfig({
    environment: "prod",
    ...KUBE_BASICS,
    cluster: {
      external: loadBalancerListener({
        advertisedHost: "redpanda-{ordinal}.example.internal",
        ...SECURED,
      }),
    },
  }),
};

describe(`rpk commands quoted or run by the repository exist in rpk ${RPK_RELEASE}`, () => {
  it("pins that release as the broker image", () => {
    expect(REDPANDA_IMAGE).toBe(`docker.redpanda.com/redpandadata/redpanda:${RPK_RELEASE}`);
  });

  it("finds the commands in the docs (a sanity check of the extraction)", () => {
    const invocations = markdownFiles()
      .flatMap(markdownCode)
      .flatMap((mention) => rpkInvocations(mention.text));
    const paths = new Set(
      invocations.flatMap((tokens) => {
        const matched = matchRpkCommand(tokens.filter((token) => !token.startsWith("-")));
        return matched ? [matched.command.path] : [];
      }),
    );
    for (const expected of [
      "cluster health",
      "redpanda admin brokers list",
      "redpanda admin brokers decommission",
      "cluster partitions move",
    ])
      expect(paths).toContain(expected);
    // And a misspelt command or flag is caught.
    expect(
      check([{ where: "x", text: "rpk cluster move-partitions apphub.core.events" }]),
    ).toHaveLength(1);
    expect(
      check([{ where: "x", text: "rpk redpanda admin brokers decommission 2 --forse" }]),
    ).toEqual([expect.stringContaining("has no flag --forse")]);
  });

  it("in every Markdown page", () => {
    expect(check(markdownFiles().flatMap(markdownCode))).toEqual([]);
  });

  it.each(Object.keys(stacks))("in the broker scripts the %s stack renders", (stack) => {
    const scripts = renderScripts("apphub-system", stacks[stack as keyof typeof stacks].cluster);
    const mentions = Object.entries(scripts.data)
      .filter(([file]) => file.endsWith(".sh") || !file.includes("."))
      .map(([file, text]) => ({ where: `${stack}:${file}`, text: withoutComments(text) }));
    expect(check(mentions)).toEqual([]);
    // start.sh builds `rpk redpanda start`'s flags in an array, not after the word rpk.
    const start = scripts.data["start.sh"]!;
    const flags = [...start.matchAll(/["'](--[a-z-]+)(?:=|["'])/g)].map((match) => match[1]!);
    expect(flags).toContain("--seeds");
    const startCommand = RPK_COMMANDS.find((command) => command.path === "redpanda start")!;
    expect(
      flags.filter((flag) => !startCommand.flags.includes(flag) && !GLOBAL_FLAGS.includes(flag)),
    ).toEqual([]);
  });

  it("in the replica guard's refusal", () => {
    const refusal = replicaDecreaseRefusal(5, 3, false)!;
    expect(check([{ where: "replicaGuard", text: refusal }])).toEqual([]);
    expect(rpkInvocations(refusal).length).toBeGreaterThan(0);
  });
});
