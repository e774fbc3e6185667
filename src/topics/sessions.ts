/**
 * Kafka sessions shared by every call of the dynamic provider within one provider process.
 *
 * The Pulumi engine starts one dynamic-provider process per run and sends it every topic's
 * check / diff / create / update / read / delete; without sharing, each call would connect,
 * negotiate ApiVersions and authenticate on its own (a refresh of N topics = N connections).
 * Here calls with the same connection settings and password share one session, opened on
 * first use and closed after `idleMs` without a caller (the timer never keeps the process
 * alive). The pool is module state of the runtime module, which the serialized provider
 * `require`s at run time: it is never part of the serialized closure or of the state.
 *
 * The pool key is a SHA-256 over the canonical settings and the password, so two stacks with
 * different credentials never share a session; the key, like the password, is never logged.
 */
import { createHash } from "node:crypto";
import { BrokerConnectError, openSession, type KafkaSession, type RequestObserver } from "./kafka";
import { canonicalJson, type ConnectionSettings } from "./model";

/** How long an unused session stays open. Long enough to span the gaps between an engine's calls. */
export const DEFAULT_IDLE_MS = 5_000;

/**
 * How long a failed connect is remembered: callers in that time get the same error instead of
 * each waiting out its own connect timeout (one engine run asks once per topic).
 */
export const FAILED_CONNECT_MEMORY_MS = 30_000;

interface PooledSession {
  session: Promise<KafkaSession>;
  users: number;
  idleTimer: NodeJS.Timeout | undefined;
  /** Set after a failure: no new caller gets it, and it closes when the last one is done. */
  retired: boolean;
}

const pool = new Map<string, PooledSession>();
const failedConnects = new Map<string, { error: unknown; until: number }>();
const counters = { opened: 0, closed: 0 };
let idleMs = DEFAULT_IDLE_MS;
let observer: RequestObserver | undefined;

/** The pool key: a hash of everything that makes a session different, the password included. */
export function sessionKey(settings: ConnectionSettings, password: string | undefined): string {
  return createHash("sha256")
    .update(canonicalJson(settings))
    .update("\0")
    .update(password === undefined ? "\0none" : `\0${password}`)
    .digest("hex");
}

function close(key: string, entry: PooledSession): void {
  if (pool.get(key) === entry) pool.delete(key);
  clearTimeout(entry.idleTimer);
  entry.session.then(
    (session) => {
      counters.closed += 1;
      return session.close();
    },
    () => undefined,
  );
}

/**
 * Runs `work` on the shared session for these settings, opening it if needed. A failure of
 * `work` retires the session (the next caller opens a fresh one), so a broken connection is
 * never handed out again; the failure itself is passed on unchanged.
 */
export async function withSharedSession<T>(
  settings: ConnectionSettings,
  password: string | undefined,
  work: (session: KafkaSession) => Promise<T>,
): Promise<T> {
  const key = sessionKey(settings, password);
  const failed = failedConnects.get(key);
  if (failed && failed.until > Date.now()) throw failed.error;
  let entry = pool.get(key);
  if (!entry) {
    counters.opened += 1;
    const opening = openSession(settings, password, observer);
    const created: PooledSession = {
      session: opening,
      users: 0,
      idleTimer: undefined,
      retired: false,
    };
    entry = created;
    pool.set(key, created);
    // A failed connect is remembered for a while (the same error for every caller), then retried.
    // A refused login is not: the superuser's rotation probes the new password before writing
    // it, and the topics log in with it right after, in the same provider process.
    opening.catch((error: unknown) => {
      if (!(error instanceof BrokerConnectError && error.credentialsRefused))
        failedConnects.set(key, { error, until: Date.now() + FAILED_CONNECT_MEMORY_MS });
      created.retired = true;
      if (pool.get(key) === created) pool.delete(key);
    });
  }
  const current = entry;
  current.users += 1;
  clearTimeout(current.idleTimer);
  current.idleTimer = undefined;
  try {
    return await work(await current.session);
  } catch (error) {
    current.retired = true;
    if (pool.get(key) === current) pool.delete(key);
    throw error;
  } finally {
    current.users -= 1;
    if (current.users === 0) {
      if (current.retired) close(key, current);
      else current.idleTimer = setTimeout(() => close(key, current), idleMs).unref();
    }
  }
}

/** Closes every pooled session now (tests, and a provider process that wants a clean exit). */
export async function closeAllSessions(): Promise<void> {
  const entries = [...pool.entries()];
  failedConnects.clear();
  for (const [key, entry] of entries) close(key, entry);
  await Promise.all(
    entries.map(([, entry]) =>
      entry.session.then((session) => session.close()).catch(() => undefined),
    ),
  );
}

/** How many sessions this process opened and closed, and how many are pooled now. */
export function sessionStats(): { opened: number; closed: number; pooled: number } {
  return { ...counters, pooled: pool.size };
}

/** Test hooks: the idle time and a per-request observer for sessions opened from now on. */
export function configureSessions(options: {
  idleMs?: number;
  observer?: RequestObserver | undefined;
}): void {
  if (options.idleMs !== undefined) idleMs = options.idleMs;
  if ("observer" in options) observer = options.observer;
}
