/**
 * One failure, one report, in the provider process.
 *
 * The engine sends one call per topic, many at once; when the brokers are down every one of them
 * fails for the same reason, and the Node dynamic-provider host echoes each failure's
 * `${error}: ${error.stack}` on the provider's stderr, which the CLI shows under the stack's
 * diagnostics. Unchecked, a refresh of 200 topics printed ~800 lines of the same connect error
 * and Node stack frames. Here:
 * - the first call to fail with a given error carries its full message (it names the brokers,
 *   the cause and what to check); every other call that fails with the very same error (they
 *   shared the failed connection, see `sessions.ts`) says only that it was not attempted;
 * - the host's echo of these errors is dropped from stderr, so no stack trace is printed, unless
 *   `APPHUB_DEBUG` is set, which keeps the echo (stacks included).
 */

/** The message of a call that failed with an error another call of the run already reported. */
export function notAttemptedMessage(what: string, firstMessage: string): string {
  const brokers = /Kafka brokers (\S+?):? /.exec(firstMessage)?.[1];
  const cause = brokers === undefined ? "failed" : `brokers ${brokers} unreachable`;
  return `${what}: not attempted (${cause}; reported once, on another topic)`;
}

/** Whether stack traces are wanted (`APPHUB_DEBUG` set to anything but empty or "0"). */
export function debugWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.APPHUB_DEBUG;
  return value !== undefined && value !== "" && value !== "0";
}

const reported = new WeakSet<object>();
/** The host's echo texts (`${error}: ${error.stack}`) of the errors thrown from here. */
const echoes = new Set<string>();
let stderrFiltered = false;

/** Drops the host's echo of errors this module already shaped; everything else passes. */
function filterHostEchoes(): void {
  if (stderrFiltered || debugWanted()) return;
  stderrFiltered = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && echoes.delete(args[0])) return;
    original(...args);
  };
}

/** An Error with `message`, its stack left out unless debugging, its host echo silenced. */
function shaped(message: string, original: unknown): Error {
  const error = new Error(message);
  if (debugWanted()) {
    if (original instanceof Error && original.stack) error.stack = `${message}\n${original.stack}`;
    return error;
  }
  error.stack = `Error: ${message}`;
  echoes.add(`${String(error)}: ${error.stack}`);
  return error;
}

/**
 * Runs one provider call for `what` (a topic name); a failure is thrown as one short report:
 * the first with the full message, repeats of the same error as "not attempted".
 */
export async function reportingFailures<T>(what: string, call: () => Promise<T>): Promise<T> {
  filterHostEchoes();
  try {
    return await call();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (typeof error === "object" && error !== null) {
      if (reported.has(error)) throw shaped(notAttemptedMessage(what, message), error);
      reported.add(error);
    }
    throw shaped(message, error);
  }
}
