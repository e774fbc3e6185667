/**
 * Runs `npm run render` the way a user does: compiled JS in a child Node process, since
 * vitest's module transform breaks Pulumi's closure serialization (SPEC, "Pulumi facts").
 * Needs `npm run build` first (`npm test` does it).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { RenderedResource } from "../../src/render/write";

export const REPO_ROOT = path.resolve(__dirname, "../..");
const RENDER_CLI = path.join(REPO_ROOT, "dist/src/cli/render.js");

export interface RenderResult {
  status: number;
  stdout: string;
  stderr: string;
  resources: RenderedResource[];
  /** Every Kubernetes object: those of kubernetes.yaml, then the patches of patches.yaml. */
  objects: KubeObject[];
  /** kubernetes.yaml: the objects the program owns. */
  owned: KubeObject[];
  /** patches.yaml: the DeploymentPatches. */
  patches: KubeObject[];
  outputs: Record<string, unknown>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Renders the repository's stacks concurrently into a fresh directory, recording each exit status. */
export async function renderRepoStacksInto(stacks: readonly string[]): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-repo-"));
  await Promise.all(
    stacks.map(
      (stack) =>
        new Promise<void>((done) => {
          const child = spawn(process.execPath, [RENDER_CLI, "--stack", stack, "--out", out], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
          let stdout = "";
          let stderr = "";
          child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
          child.on("close", (status) => {
            fs.writeFileSync(path.join(out, `${stack}.status.json`), JSON.stringify({ status, stdout, stderr }));
            done();
          });
        }),
    ),
  );
  return out;
}

/** Renders a stack file given as YAML text, in a scratch directory. */
export function renderStackYaml(stack: string, yamlText: string, env: NodeJS.ProcessEnv = {}): RenderResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-"));
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yamlText);
  return renderIn(dir, stack, env);
}

export function renderIn(cwd: string, stack: string, env: NodeJS.ProcessEnv = {}): RenderResult {
  if (!fs.existsSync(RENDER_CLI)) throw new Error(`${RENDER_CLI} is missing: run npm run build first`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "apphub-render-out-"));
  const child = spawnSync(process.execPath, [RENDER_CLI, "--stack", stack, "--out", out], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return readRender(path.join(out, stack), { status: child.status ?? -1, stdout: child.stdout, stderr: child.stderr });
}

export function readRender(dir: string, run?: { status: number; stdout: string; stderr: string }): RenderResult {
  const statusFile = `${dir}.status.json`;
  const { status, stdout, stderr } = run ?? (JSON.parse(fs.readFileSync(statusFile, "utf8")) as { status: number; stdout: string; stderr: string });
  const read = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8") : undefined);
  const resourcesText = read("resources.json");
  const documents = (file: string): KubeObject[] => {
    const text = read(file);
    // A file of only its header comment parses as one empty document.
    return text ? parseAllDocuments(text).flatMap((doc) => (doc.toJSON() as KubeObject | null) ?? []) : [];
  };
  const owned = documents("kubernetes.yaml");
  const patches = documents("patches.yaml");
  const outputsText = read("outputs.json");
  return {
    status,
    stdout,
    stderr,
    resources: resourcesText ? (JSON.parse(resourcesText) as RenderedResource[]) : [],
    objects: [...owned, ...patches],
    owned,
    patches,
    outputs: outputsText ? (JSON.parse(outputsText) as Record<string, unknown>) : {},
  };
}

export function resourcesOfType(result: RenderResult, type: string): RenderedResource[] {
  return result.resources.filter((resource) => resource.type === type);
}

export function findObject(result: RenderResult, kind: string, name: string): KubeObject {
  const found = result.objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${result.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
