/** Runs a CLI's command function in-process, capturing what it prints: the user's view, without a child process. */
import type { Io } from "../../src/cli/kit";

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(
  command: (argv: readonly string[], io: Io) => Promise<number>,
  argv: readonly string[],
): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  const status = await command(argv, {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
  });
  return { status, stdout, stderr };
}
