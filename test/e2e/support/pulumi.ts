/**
 * Drives the real Pulumi CLI the way a platform engineer does, against a throwaway file backend.
 *
 * Each workspace is a temp folder holding the project as users have it — `Pulumi.yaml`,
 * `package.json`, `tsconfig.json`, `src/` and `components/` and their build (`dist/src`,
 * `dist/components`, `dist/.source-digest`) copied from this checkout, `node_modules/` linked to
 * it — so `pulumi up` runs the compiled program exactly as in a clone after `npm run build`, while the stack files, the backend's state and PULUMI_HOME stay outside the clone and
 * vanish with it. The sources are copied, not linked: Node resolves a linked module to its real
 * path, outside the project, which is not what a clone records (e.g. the source positions the
 * engine stores with every resource, `project:///src/...` in a clone).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { seedTopicsOff } from "../../support/config";
import { ensurePulumiEngine, type PulumiEngine } from "../../peers/engines";
import { SINGLE_BROKERS } from "../../peers/kafka";
import { repoRoot } from "../../peers/proc";
import { copyCheckout } from "../../support/checkout";
import { type ChildResult, runChild } from "../../support/child";

/** What the CLI printed and how it exited; `output` interleaves stdout and stderr as a terminal shows them. */
export type PulumiResult = ChildResult;

export interface PulumiOptions {
  /** Passed as `--stack`; leave out for commands that name the stack themselves (`stack init <name>`). */
  stack?: string;
  /** Resolve instead of throwing when the CLI exits non-zero. Default: false. */
  allowFailure?: boolean;
  /** Extra environment for this run. */
  env?: NodeJS.ProcessEnv;
  /** Kill the run after this long. Default: 10 minutes. */
  timeoutMs?: number;
  /** SIGKILL the CLI when this aborts. */
  signal?: AbortSignal;
}

const PASSPHRASE = "e2e-passphrase-not-a-secret";

export class PulumiWorkspace {
  private constructor(
    readonly engine: PulumiEngine,
    /** The project folder the CLI runs in. */
    readonly projectDir: string,
    /** The file backend (`file://`), where every stack's state lives. */
    readonly backendDir: string,
    private readonly homeDir: string,
  ) {}

  /**
   * `populate` fills the project folder; by default with this checkout as a user has it. The
   * bench's engine floor (`bench/floor.ts`) writes its own project instead.
   */
  static async create(
    label = "e2e",
    populate: (projectDir: string) => void = (dir) => copyCheckout(repoRoot(), dir), // test:e2e builds first
  ): Promise<PulumiWorkspace> {
    const engine = await ensurePulumiEngine();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `apphub-${label}-`));
    const projectDir = path.join(root, "project");
    const backendDir = path.join(root, "backend");
    const homeDir = path.join(root, "pulumi-home");
    for (const dir of [projectDir, backendDir, homeDir]) fs.mkdirSync(dir, { recursive: true });
    populate(projectDir);
    return new PulumiWorkspace(engine, projectDir, backendDir, homeDir);
  }

  /** The environment every CLI run gets: the engine first on PATH, the file backend, the passphrase. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: this.engine.path,
      PULUMI_HOME: this.homeDir,
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // Deterministic, uncoloured output that tests can read.
      NO_COLOR: "1",
      ...extra,
    };
  }

  stackFile(stack: string): string {
    return path.join(this.projectDir, `Pulumi.${stack}.yaml`);
  }

  /** `pulumi stack init`, then the stack's config: `apphub-streaming:` keys plus namespaced ones. */
  async initStack(stack: string, config: Record<string, unknown>): Promise<void> {
    await this.pulumi(["stack", "init", stack], {});
    this.writeConfig(stack, config);
  }

  /**
   * Sets stack config keys as an engineer edits the stack file: keys without a namespace go under
   * `apphub-streaming:`; `undefined` removes a key. Secrets and the encryption salt already in the
   * file stay as they are.
   */
  writeConfig(stack: string, values: Record<string, unknown>): void {
    const file = this.stackFile(stack);
    const doc = parseDocument(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "{}\n");
    if (!doc.has("config")) doc.set("config", doc.createNode({}));
    for (const [key, value] of Object.entries(values)) {
      const fullKey = key.includes(":") ? key : `apphub-streaming:${key}`;
      if (value === undefined) doc.deleteIn(["config", fullKey]);
      else doc.setIn(["config", fullKey], doc.createNode(value));
    }
    fs.writeFileSync(file, doc.toString());
  }

  /** `pulumi config set --secret <key>`, the value passed on stdin so it never appears in argv. */
  async setSecret(stack: string, key: string, value: string): Promise<void> {
    const fullKey = key.includes(":") ? key : `apphub-streaming:${key}`;
    await this.pulumi(["config", "set", "--secret", fullKey], { stack }, value);
  }

  /** Runs the real CLI in the project folder; throws with its output on a non-zero exit unless allowed. */
  async pulumi(args: string[], options: PulumiOptions, stdin?: string): Promise<PulumiResult> {
    const fullArgs = [
      ...args,
      ...(options.stack ? ["--stack", options.stack] : []),
      "--non-interactive",
    ];
    const result = await runChild(this.engine.bin, fullArgs, {
      cwd: this.projectDir,
      env: this.env(options.env),
      input: stdin ?? "",
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.code !== 0 && !options.allowFailure) {
      const signal = result.signal ? ` (${result.signal})` : "";
      throw new Error(
        `pulumi ${fullArgs.join(" ")} exited ${result.code}${signal}:\n${result.output.slice(-6000)}`,
      );
    }
    return result;
  }

  /** `pulumi stack export --show-secrets=false`, parsed. */
  async exportState(stack: string): Promise<{ text: string; deployment: StackExport }> {
    const { stdout } = await this.pulumi(["stack", "export"], { stack });
    return { text: stdout, deployment: JSON.parse(stdout) as StackExport };
  }

  /** The stack's outputs as JSON (secrets stay masked). */
  async outputs(stack: string): Promise<Record<string, unknown>> {
    const { stdout } = await this.pulumi(["stack", "output", "--json"], { stack });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  /** Every file the backend and the project folder hold (state, history, backups, stack files). */
  stateFiles(): string[] {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) files.push(full);
      }
    };
    walk(this.backendDir);
    for (const entry of fs.readdirSync(this.projectDir))
      if (entry.startsWith("Pulumi.")) files.push(path.join(this.projectDir, entry));
    return files;
  }

  /** Removes the temp folders (state included); call from afterAll. */
  dispose(): void {
    fs.rmSync(path.dirname(this.projectDir), { recursive: true, force: true });
  }
}

export interface StackExport {
  version: number;
  deployment: {
    resources?: {
      urn: string;
      type: string;
      id?: string;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    }[];
  };
}

/** A stack name no other run of the suite uses. */
export function uniqueStack(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/**
 * The config of an `external` stack on the single Kafka peer that declares exactly `names` (the
 * seed catalog switched off), each with `settings`.
 */
export function externalTopicsConfig(
  names: readonly string[],
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const topics: Record<string, unknown> = seedTopicsOff();
  for (const name of names) topics[name] = settings;
  return {
    environment: "external",
    kafka: { brokers: SINGLE_BROKERS, brokerCount: 1 },
    topics,
  };
}

/** `text` matched literally inside a RegExp (topic and user names hold dots). */
export const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
