/**
 * `npm run state -- recover --stack <s> [--backend <url>] [--project-dir <dir>] [--dry-run]`
 *
 * The first step of the runbook for a `pulumi up` that was killed (docs/topics.md): makes the
 * stack's files in a Pulumi file backend readable again, offline, so that `pulumi cancel` and
 * `pulumi up` work. What it repairs and why: src/ops/stateRecovery.ts. It reads the files,
 * decides there, then moves or writes only what the plan names, keeping every replaced or
 * set-aside file under `.pulumi/recovered/<time>/`; it deletes nothing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parse as parseYaml } from "yaml";
import {
  compressionOf,
  formatRecovery,
  keptCopyKey,
  planRecovery,
  type FoundFile,
  type Inspection,
  type RecoveryStep,
} from "../ops/stateRecovery";
import {
  defineCommands,
  EXIT,
  processIo,
  required,
  runCli,
  runParsed,
  UsageError,
  type Io,
} from "./kit";

export const STATE_CLI = defineCommands({
  name: "state",
  summary: "Repairs a stack's files in a Pulumi file backend after a run was killed.",
  commands: {
    recover: {
      summary:
        "Sets aside cut-off metadata sidecars and restores an unreadable checkpoint from its newest readable copy, keeping what it replaces; run before pulumi cancel and pulumi up.",
      usage: "--stack <s> [--backend <file://dir>] [--project-dir <dir>] [--dry-run]",
      options: {
        stack: { type: "string", description: "the stack to repair", value: "<s>" },
        backend: {
          type: "string",
          description:
            "the file backend (default: PULUMI_BACKEND_URL, else backend.url in Pulumi.yaml)",
          value: "<file://dir>",
        },
        "project-dir": {
          type: "string",
          description: "where Pulumi.yaml is (default: the current directory)",
          value: "<dir>",
        },
        "dry-run": { type: "boolean", description: "report what would change; change nothing" },
      },
      attention:
        "cannot recover: the checkpoint and every copy of it are unreadable; nothing changed",
    },
  },
  attention: "recover: no readable checkpoint (nothing changed)",
  notes: [
    "Only file:// backends need this: an S3 or Pulumi Cloud backend writes whole objects, so after",
    "a killed run `pulumi cancel` then `pulumi up` is enough there.",
  ],
});

/** The backend, project or stack given cannot be found or is not a file backend: exit 2. */
export class RecoverInputError extends Error {
  override readonly name = "RecoverInputError";
}

/** The folder a `file://` backend URL names (Pulumi's forms: `file://~`, `file:///abs`, `file://./rel`). */
export function fileBackendRoot(url: string, projectDir: string): string {
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(url)?.[1];
  if (scheme?.toLowerCase() !== "file")
    throw new RecoverInputError(
      `backend ${url}: recover repairs file:// backends only; ${scheme ?? "this"} backends write whole objects, so after a killed run pulumi cancel, then pulumi up, is enough`,
    );
  const rest = url.slice("file://".length).replace(/\?.*$/, "");
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  return path.resolve(projectDir, rest);
}

/** The backend URL: --backend, else PULUMI_BACKEND_URL, else `backend.url` of Pulumi.yaml. */
function backendUrl(flag: string | undefined, project: ProjectFile): string {
  const url = flag ?? (process.env.PULUMI_BACKEND_URL || undefined) ?? project.backendUrl;
  if (url === undefined)
    throw new UsageError(
      "--backend is required: the file backend (file://<dir>), or set PULUMI_BACKEND_URL",
    );
  return url;
}

interface ProjectFile {
  name: string;
  backendUrl?: string;
}

function readProject(projectDir: string): ProjectFile {
  const file = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(file))
    throw new RecoverInputError(`no Pulumi.yaml in ${projectDir}: run from the project directory`);
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as {
    name?: unknown;
    backend?: { url?: unknown };
  };
  if (typeof doc?.name !== "string")
    throw new RecoverInputError(`${file}: name: expected the project name`);
  const url = doc.backend?.url;
  return { name: doc.name, ...(typeof url === "string" ? { backendUrl: url } : {}) };
}

/** Why these bytes are not a Pulumi checkpoint, or undefined when they are one. */
export function checkpointProblem(bytes: Buffer, key: string): string | undefined {
  if (bytes.length === 0) return "is empty";
  const compression = compressionOf(key);
  let text: string;
  if (compression === ".gz") {
    try {
      text = zlib.gunzipSync(bytes).toString("utf8");
    } catch (error) {
      return `is not readable gzip (${(error as Error).message})`;
    }
  } else if (compression === ".zst") {
    // Node has no zstd decoder: the frame's magic number is as far as this can check.
    return bytes.readUInt32LE(0) === 0xfd2fb528 ? undefined : "is not a zstd frame";
  } else text = bytes.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `is cut off or not JSON (${(error as Error).message})`;
  }
  const shape = parsed as { version?: unknown; checkpoint?: unknown } | null;
  if (typeof shape?.version !== "number" || typeof shape.checkpoint !== "object")
    return "is not a Pulumi checkpoint (no version and checkpoint)";
  return undefined;
}

/** Why a metadata sidecar cannot be decoded, or undefined when it can. */
export function sidecarProblem(text: string): string | undefined {
  if (text.trim() === "") return "is empty";
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? undefined
      : "is not a JSON object";
  } catch {
    return "is cut off or not JSON";
  }
}

/** The files of one stack in a project-scoped file backend, read but not changed. */
class BackendFiles {
  constructor(
    readonly root: string,
    readonly project: string,
    readonly stack: string,
  ) {}

  private abs(key: string): string {
    return path.join(this.root, ...key.split("/"));
  }

  private list(dir: string): string[] {
    const full = this.abs(dir);
    if (!fs.existsSync(full)) return [];
    return fs
      .readdirSync(full, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `${dir}/${entry.name}`);
  }

  private mtime(key: string): number {
    return fs.statSync(this.abs(key)).mtimeMs;
  }

  private readCheckpoint(key: string): FoundFile {
    const problem = checkpointProblem(fs.readFileSync(this.abs(key)), key);
    return problem === undefined ? { key } : { key, problem };
  }

  inspect(): Inspection {
    const stacksDir = `.pulumi/stacks/${this.project}`;
    const historyDir = `.pulumi/history/${this.project}/${this.stack}`;
    const backupsDir = `.pulumi/backups/${this.project}/${this.stack}`;
    const locksDir = `.pulumi/locks/organization/${this.project}/${this.stack}`;
    const base = `${stacksDir}/${this.stack}`;
    const variants = [".json", ".json.gz", ".json.zst"].map((ext) => `${base}${ext}`);
    const stackFiles = this.list(stacksDir).filter(
      (key) =>
        variants.some((variant) => key === variant || key.startsWith(`${variant}.`)) ||
        key.startsWith(`${base}.pulumi-tags`),
    );
    const byNewest = (keys: string[]) =>
      keys.sort((a, b) => this.mtime(b) - this.mtime(a) || b.localeCompare(a));
    const current = byNewest(variants.filter((key) => stackFiles.includes(key)))[0];
    if (current === undefined)
      throw new RecoverInputError(
        `no stack ${this.stack} of project ${this.project} in ${this.root} (no ${base}.json)`,
      );
    const dirFiles = [historyDir, backupsDir, locksDir].flatMap((dir) => this.list(dir));
    const meta = ".pulumi/meta.yaml.attrs";
    const sidecars = [...stackFiles, ...dirFiles, ...(fs.existsSync(this.abs(meta)) ? [meta] : [])]
      .filter((key) => key.endsWith(".attrs"))
      .map((key): FoundFile => {
        const problem = sidecarProblem(fs.readFileSync(this.abs(key), "utf8"));
        return problem === undefined ? { key } : { key, problem };
      });
    // Newest first: the `.bak` is the save before the last; history and backups carry the time in their name.
    const stamped = (keys: string[]) =>
      keys.sort((a, b) => Number(/(\d+)\D*$/.exec(b)?.[1]) - Number(/(\d+)\D*$/.exec(a)?.[1]));
    const plain = (keys: string[]) => keys.filter((key) => !/\.(attrs|tmp)$/.test(key));
    const copies = [
      ...byNewest(variants.map((key) => `${key}.bak`).filter((key) => stackFiles.includes(key))),
      ...stamped(plain(this.list(historyDir)).filter((key) => key.includes(".checkpoint.json"))),
      ...stamped(plain(this.list(backupsDir))),
    ].map((key) => this.readCheckpoint(key));
    return {
      stack: this.stack,
      checkpoint: this.readCheckpoint(current),
      sidecars,
      copies,
      locks: plain(this.list(locksDir)),
      temps: [...stackFiles, ...dirFiles].filter((key) => key.endsWith(".tmp")),
    };
  }

  /** Carries out one step; whatever it replaces or moves is kept under `.pulumi/recovered/<stamp>/`. */
  apply(step: RecoveryStep, stamp: string): void {
    const kept = this.abs(keptCopyKey(stamp, step.key));
    fs.mkdirSync(path.dirname(kept), { recursive: true });
    if (step.kind === "set-aside") {
      fs.renameSync(this.abs(step.key), kept);
      return;
    }
    // Keep a copy first, then replace in one rename: the stack never lacks a checkpoint file.
    const sameName = step.into === step.key;
    if (sameName) fs.copyFileSync(this.abs(step.key), kept);
    const target = this.abs(step.into);
    const temp = `${target}.${process.pid}.recover.tmp`;
    fs.writeFileSync(temp, fs.readFileSync(this.abs(step.from)), { flush: true });
    fs.renameSync(temp, target);
    // Under another compression's name, the unreadable one must go, or Pulumi might pick it.
    if (!sameName) fs.renameSync(this.abs(step.key), kept);
  }
}

interface RecoverOptions {
  stack?: string | undefined;
  backend?: string | undefined;
  "project-dir"?: string | undefined;
  "dry-run"?: boolean | undefined;
}

function recover(values: RecoverOptions, io: Io): number {
  const stack = required(values, "stack", "the stack to repair");
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new UsageError(
      `--stack: expected a stack name (letters, digits, _ . -), got ${JSON.stringify(stack)}`,
    );
  const projectDir = path.resolve(values["project-dir"] ?? process.cwd());
  const project = readProject(projectDir);
  const url = backendUrl(values.backend, project);
  const root = fileBackendRoot(url, projectDir);
  const metaFile = path.join(root, ".pulumi", "meta.yaml");
  if (!fs.existsSync(metaFile))
    throw new RecoverInputError(`${url} is not a Pulumi file backend (no .pulumi/meta.yaml)`);
  const meta = parseYaml(fs.readFileSync(metaFile, "utf8")) as { version?: unknown } | null;
  if (typeof meta?.version !== "number" || meta.version < 1)
    throw new RecoverInputError(
      `${url} keeps stacks in the legacy layout (no project folders); run pulumi state upgrade, then recover`,
    );
  const files = new BackendFiles(root, project.name, stack);
  const plan = planRecovery(files.inspect());
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dryRun = values["dry-run"] ?? false;
  if (!plan.stuck && !dryRun) for (const step of plan.steps) files.apply(step, stamp);
  const header = `recover stack ${stack} of project ${project.name} in ${url}:`;
  io.out(formatRecovery(header, plan, stamp, dryRun));
  if (plan.stuck) return EXIT.attention;
  io.out(
    plan.locked
      ? `next: pulumi cancel --stack ${stack} --yes (releases the killed run's lock), then pulumi up --stack ${stack}`
      : `next: pulumi up --stack ${stack}`,
  );
  return EXIT.ok;
}

/** The state command without the process: exit code, output through `io`. */
export function stateCommand(argv: readonly string[], io: Io = processIo): Promise<number> {
  return runParsed(STATE_CLI, argv, (parsed) => recover(parsed.values, io), io, [
    RecoverInputError,
  ]);
}

if (require.main === module) runCli("state", () => stateCommand(process.argv.slice(2)));
