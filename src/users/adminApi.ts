/**
 * Redpanda's Admin API for SCRAM users, the path for brokers that do not serve KIP-554
 * (every Redpanda release this program deploys: docs/security.md). Shapes from Redpanda's
 * source (v24.2.3 … v24.3.2, `redpanda/admin/security.cc`):
 *
 * - `GET /v1/security/users` → JSON array of names (no mechanism: it cannot be read back);
 * - `POST /v1/security/users` `{username, password, algorithm}`: 200; an existing user with
 *   another password → 500 "User already exists", so an upsert lists first, then POST or PUT;
 * - `PUT /v1/security/users/<name>` `{password, algorithm}`: 200; a missing user → 500;
 * - `DELETE /v1/security/users/<name>`: 200, also when missing;
 * - a broker that is not the controller leader answers 307 with `Location` on the leader's
 *   advertised or RPC host (`?redirect=N`); errors are `{"message": "...", "code": N}`;
 * - with `admin_api_require_auth`, HTTP Basic as a superuser: 401 for a wrong password, 403 for
 *   a user that is not a superuser. Without it any (or no) credential is let through.
 *
 * A 307 is followed only to an origin listed in `kafka.adminUrls` (the credential never goes
 * anywhere else); otherwise the next listed URL is tried, so listing every broker reaches the
 * leader wherever it is. The transport is injectable: unit tests drive it with the documented
 * answers; `pulumi up` uses Node's fetch.
 */
import { SCRAM_MECHANISMS, type ScramMechanism } from "../config/rules";

export interface AdminApiResponse {
  status: number;
  location: string | null;
  body: string;
}

export interface AdminApiRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export type AdminTransport = (url: string, request: AdminApiRequest) => Promise<AdminApiResponse>;

/** Node's fetch, redirects left to the caller (it would carry the credential to any host). */
export const fetchTransport: AdminTransport = async (url, request) => {
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
    redirect: "manual",
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    body: await response.text(),
  };
};

/** How `pulumi up` is told to reach the Admin API; every error about it ends with this. */
export const ADMIN_URLS_HINT =
  "apphub-streaming:kafka.adminUrls lists each broker's Admin API (port 9644) as pulumi up reaches it, e.g. " +
  '"http://127.0.0.1:19644" after kubectl -n <namespace> port-forward pod/apphub-redpanda-0 19644:9644; ' +
  "pulumi up authenticates there as the kafka.sasl user (a superuser) with kafkaSaslPassword (docs/security.md)";

/** An answer of the Admin API that is not a success; `status` 401/403 means the credential was refused. */
export class AdminApiError extends Error {
  override readonly name = "AdminApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const isAdminAuthFailure = (error: unknown): boolean =>
  error instanceof AdminApiError && (error.status === 401 || error.status === 403);

export interface AdminApiSettings {
  urls: readonly string[];
  /** HTTP Basic credential; absent: no Authorization header (an Admin API without auth). */
  credentials?: { username: string; password: string };
  timeoutMs: number;
}

export interface RedpandaUsers {
  list(): Promise<string[]>;
  /** Creates the user, or replaces its credential (password and mechanism) when it exists. */
  upsert(name: string, password: string, mechanism: ScramMechanism): Promise<void>;
  /** Deletes the user's credential; nothing to do when it is missing. */
  delete(name: string): Promise<void>;
}

/** Redpanda's `{"message": ..., "code": ...}`, or the raw body. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: quote the body as it is
  }
  return body.trim().slice(0, 300) || "(empty body)";
}

const MAX_REDIRECTS = 3;
const USERS_PATH = "/v1/security/users";

export function redpandaUsers(
  settings: AdminApiSettings,
  transport: AdminTransport = fetchTransport,
): RedpandaUsers {
  if (settings.urls.length === 0)
    throw new Error(`no Redpanda Admin API URL given: ${ADMIN_URLS_HINT}`);
  const origins = new Set(settings.urls.map((url) => new URL(url).origin));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (settings.credentials) {
    const { username, password } = settings.credentials;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  /** One call: each listed URL in turn until one answers; 307 followed within the listed origins. */
  async function call(method: AdminApiRequest["method"], path: string, body?: object) {
    const request: AdminApiRequest = {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: settings.timeoutMs,
    };
    const unreachable: string[] = [];
    for (const base of settings.urls) {
      let target = new URL(path, base).href;
      for (let hops = 0; ; hops += 1) {
        let response: AdminApiResponse;
        try {
          response = await transport(target, request);
        } catch (error) {
          unreachable.push(`${base}: ${(error as Error).message}`);
          break;
        }
        if (response.status === 307 || response.status === 308) {
          const leader = new URL(response.location ?? "", target);
          if (origins.has(leader.origin) && hops < MAX_REDIRECTS) {
            target = leader.href;
            continue;
          }
          unreachable.push(
            `${base}: redirected to the controller leader at ${leader.origin}, which is not in kafka.adminUrls`,
          );
          break;
        }
        if (response.status >= 200 && response.status < 300) return response.body;
        const what = `${method} ${path} on ${base}`;
        if (response.status === 401 || response.status === 403)
          throw new AdminApiError(
            `${what} refused the credential (${response.status} ${errorText(response.body)}): the Admin API requires a superuser's password`,
            response.status,
          );
        throw new AdminApiError(
          `${what} failed: ${response.status} ${errorText(response.body)}`,
          response.status,
        );
      }
    }
    throw new Error(
      `could not reach Redpanda's Admin API for ${method} ${path} (${unreachable.join("; ")}): ${ADMIN_URLS_HINT}`,
    );
  }

  const userPath = (name: string) => `${USERS_PATH}/${encodeURIComponent(name)}`;
  const algorithm = (mechanism: ScramMechanism) => {
    if (!SCRAM_MECHANISMS.includes(mechanism))
      throw new Error(`unknown SCRAM mechanism ${mechanism}`);
    return mechanism;
  };

  const list = async (): Promise<string[]> => {
    const body = await call("GET", USERS_PATH);
    const names: unknown = JSON.parse(body);
    if (!Array.isArray(names) || !names.every((name) => typeof name === "string"))
      throw new Error(
        `GET ${USERS_PATH} answered ${body.slice(0, 200)}, expected a JSON list of names`,
      );
    return names as string[];
  };

  return {
    list,
    async upsert(name, password, mechanism) {
      if ((await list()).includes(name))
        await call("PUT", userPath(name), { password, algorithm: algorithm(mechanism) });
      else
        await call("POST", USERS_PATH, {
          username: name,
          password,
          algorithm: algorithm(mechanism),
        });
    },
    async delete(name) {
      await call("DELETE", userPath(name));
    },
  };
}
