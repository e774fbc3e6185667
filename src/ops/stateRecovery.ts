/**
 * What `npm run state -- recover` does to a stack in a Pulumi file backend (`file://`) after a
 * run was killed: decided here from what the files look like, carried out by src/cli/state.ts.
 *
 * Why a killed `pulumi up` can leave a stack that no command opens ("failed to load checkpoint:
 * EOF", `pulumi cancel` included): the file backend (gocloud's fileblob) writes every blob to a
 * temp file and renames it into place, so the checkpoint itself is always whole; but first it
 * writes the blob's metadata sidecar, `<blob>.attrs`, in place (create-with-truncate, then
 * write). A SIGKILL between the two leaves an empty sidecar, and every later read of the
 * checkpoint fails decoding it. The checkpoint is rewritten on every step of an update, so a
 * kill mid-`up` can land there. A sidecar only holds the blob's content type and MD5; without
 * one the blob reads as plain bytes. So the repair is to set the broken sidecar aside.
 *
 * A checkpoint that does not parse at all (a machine crash, a disk filled up) is restored from
 * the newest copy that does: `<checkpoint>.bak` (the previous save), then the checkpoints the
 * backend keeps in `.pulumi/history`, then `.pulumi/backups`. Nothing is deleted: whatever is
 * replaced or set aside is moved under `.pulumi/recovered/<time>/`, a folder Pulumi never reads.
 * Lock files are only reported: releasing them is `pulumi cancel`'s job.
 */

/** A file of the stack in the backend, by its path relative to the backend's root folder. */
export interface FoundFile {
  key: string;
  /** Why the file cannot be read as what it should be; absent when it reads fine. */
  problem?: string;
}

/** What recover found for one stack. */
export interface Inspection {
  stack: string;
  /** The stack's checkpoint: `<stack>.json` (or `.json.gz`/`.json.zst`), the newest if several. */
  checkpoint: FoundFile;
  /** Every metadata sidecar (`*.attrs`) of the stack's files and of `.pulumi/meta.yaml`. */
  sidecars: readonly FoundFile[];
  /** Copies a checkpoint can be restored from, newest first: the `.bak`, history, backups. */
  copies: readonly FoundFile[];
  /** Lock files in the stack's lock folder (a run that did not finish leaves its own). */
  locks: readonly string[];
  /** Temp files of interrupted writes (`*.tmp`) beside the stack's files. */
  temps: readonly string[];
}

export type RecoveryStep =
  | { kind: "set-aside"; key: string; why: string }
  | { kind: "restore"; key: string; from: string; into: string; why: string };

export interface RecoveryPlan {
  steps: RecoveryStep[];
  /** Set when the stack cannot be repaired from what is there: nothing is changed. */
  stuck?: string;
  /** What the person should know. */
  notes: string[];
  /** Lock files are there: `pulumi cancel` comes before `pulumi up`. */
  locked: boolean;
}

/** The folder, relative to the backend root, where set-aside and replaced files are kept. */
export const RECOVERED_DIR = ".pulumi/recovered";

/** Decides what recover changes; a pure function of what was found. */
export function planRecovery(found: Inspection): RecoveryPlan {
  const steps: RecoveryStep[] = [];
  const notes: string[] = [];
  for (const sidecar of found.sidecars) {
    if (sidecar.problem === undefined) continue;
    steps.push({
      kind: "set-aside",
      key: sidecar.key,
      why: `metadata sidecar ${sidecar.problem}: a write of it was cut off, and Pulumi fails reading its blob ("EOF"); the blob reads as plain bytes without it`,
    });
  }
  if (found.checkpoint.problem !== undefined) {
    const copy = found.copies.find((candidate) => candidate.problem === undefined);
    if (!copy) {
      const tried = found.copies.map((candidate) => `${candidate.key} (${candidate.problem})`);
      return {
        steps: [],
        stuck:
          `the checkpoint ${found.checkpoint.key} ${found.checkpoint.problem}, and no readable copy to restore it from` +
          (tried.length > 0 ? `: ${tried.join("; ")}` : " (no .bak, history or backups)") +
          "; nothing was changed",
        notes: [],
        locked: found.locks.length > 0,
      };
    }
    steps.push({
      kind: "restore",
      key: found.checkpoint.key,
      from: copy.key,
      into: restoredKey(found.checkpoint.key, copy.key),
      why: `the checkpoint ${found.checkpoint.problem}`,
    });
    notes.push(
      `the restored checkpoint may predate the last resources the killed run recorded; the next pulumi up records them again (a topic that exists is adopted, not created twice)`,
    );
  }
  if (found.temps.length > 0)
    notes.push(
      `left alone: ${found.temps.length} temp file(s) of interrupted writes (${found.temps.join(", ")}); Pulumi never reads them, delete them when you like`,
    );
  if (found.locks.length > 0)
    notes.push(
      `the stack is locked by ${found.locks.length} lock file(s) (${found.locks.join(", ")}); release them with pulumi cancel once no pulumi command runs on it`,
    );
  return { steps, notes, locked: found.locks.length > 0 };
}

/** How a checkpoint file is compressed, by its name: `.gz`, `.zst` or none (`.bak` aside). */
export function compressionOf(key: string): "" | ".gz" | ".zst" {
  const name = key.replace(/\.bak$/, "");
  if (name.endsWith(".gz")) return ".gz";
  if (name.endsWith(".zst")) return ".zst";
  return "";
}

/**
 * Where the restored checkpoint goes: the unreadable one's name, with the compression of the
 * copy it is restored from (Pulumi reads whichever of `<stack>.json`, `.json.gz`, `.json.zst`
 * is newest, so the bytes and the name must agree).
 */
export function restoredKey(checkpointKey: string, fromKey: string): string {
  const plain = checkpointKey.replace(/\.(gz|zst)$/, "");
  return `${plain}${compressionOf(fromKey)}`;
}

/** Where a file set aside or replaced by a recover at `stamp` is kept. */
export function keptCopyKey(stamp: string, key: string): string {
  return `${RECOVERED_DIR}/${stamp}/${key.replace(/^\.pulumi\//, "")}`;
}

/** The report recover prints: what it did (or, with `dryRun`, would do), then what comes next. */
export function formatRecovery(
  header: string,
  plan: RecoveryPlan,
  stamp: string,
  dryRun: boolean,
): string {
  const lines = [header];
  if (plan.stuck) return [...lines, `cannot recover: ${plan.stuck}`].join("\n");
  const verb = (done: string, would: string) => (dryRun ? would : done);
  for (const step of plan.steps) {
    const kept = keptCopyKey(stamp, step.key);
    if (step.kind === "set-aside")
      lines.push(
        `${verb("set aside", "would set aside")} ${step.key} (${step.why}); kept as ${kept}`,
      );
    else
      lines.push(
        `${verb("restored", "would restore")} ${step.into} from ${step.from} (${step.why}); the unreadable ${step.key} kept as ${kept}`,
      );
  }
  if (plan.steps.length === 0) lines.push("nothing to repair: every file of the stack reads fine");
  lines.push(...plan.notes.map((note) => `note: ${note}`));
  if (dryRun && plan.steps.length > 0) lines.push("dry run: nothing changed");
  return lines.join("\n");
}
