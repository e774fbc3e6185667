// A real Kubernetes control plane as a test peer: etcd, kube-apiserver and kube-controller-manager,
// built from the Go module proxy by `bash test/peers/engines/build.sh kube` (kubernetes v1.33.13,
// etcd v3.5.21) and run on loopback with openssl-made certificates, a static bearer token, RBAC,
// service-account signing keys and `--endpoint-reconciler-type=none`.
//
// There is no kubelet and no scheduler: pods are admitted (PodSecurity included) but never run.
// The controller manager runs the controllers whose effects the tests assert (Deployment →
// ReplicaSet → Pods, the default ServiceAccount and its token, namespace deletion, garbage
// collection). The StatefulSet controller is left out on purpose: it would rewrite a StatefulSet's
// status from its never-running pods, and the Pulumi tests stand in for the kubelet by marking the
// StatefulSet ready through its status subresource.
//
// State (certificates, token, etcd data, logs, pid files, the kubeconfig) lives in
// `<peers cache>/kube`; `up` is idempotent and restarts only what is down, on the same data.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { stringify } from "yaml";
import { buildEngine, engineDir } from "./engines";
import { type StartOutcome, PeerProcess, launchAndWait, pollUntil, waitReady } from "./lifecycle";
import { PeerError, cacheDir, isPortOpen, withLock } from "./proc";

export const KUBE_VERSION = "v1.33.13";
const HOST = "127.0.0.1";
export const KUBE_API_PORT = 16443;
export const KUBE_API_SERVER = `https://${HOST}:${KUBE_API_PORT}`;
const ETCD_CLIENT_PORT = 12379;
const ETCD_PEER_PORT = 12380;
const SERVICE_CIDR = "10.96.0.0/16";
/** The user the static token authenticates; `system:masters` is bound to cluster-admin by RBAC's bootstrap policy. */
const ADMIN_USER = "apphub-peer-admin";
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;
// Controllers the tests rely on (current names; see `kube-controller-manager --help`, --controllers).
const CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "namespace-controller",
  "garbage-collector-controller",
];

type Component = "etcd" | "kube-apiserver" | "kube-controller-manager";
const COMPONENTS: readonly Component[] = ["etcd", "kube-apiserver", "kube-controller-manager"];

// ---------------------------------------------------------------- files

export function kubeStateDir(): string {
  return path.join(cacheDir(), "kube");
}

function file(name: string): string {
  return path.join(kubeStateDir(), name);
}

/** The kubeconfig of the peer's admin user (token auth); pass it to kubectl with --kubeconfig or KUBECONFIG. */
export function kubeconfigPath(): string {
  return file("kubeconfig");
}

const pki = {
  caKey: () => file("pki/ca.key"),
  caCert: () => file("pki/ca.crt"),
  serverKey: () => file("pki/apiserver.key"),
  serverCert: () => file("pki/apiserver.crt"),
  serviceAccountKey: () => file("pki/sa.key"),
  serviceAccountPub: () => file("pki/sa.pub"),
  tokenFile: () => file("pki/tokens.csv"),
};

/** A component's process: the state dir is on every command line, so a recycled pid of some other process never matches. */
function componentProcess(component: Component): PeerProcess {
  return new PeerProcess({
    label: component,
    pidFile: file(`${component}.pid`),
    logFile: file(`${component}.log`),
    marker: kubeStateDir(),
    commandLine: () => ({ command: binary(component), args: componentArgs(component) }),
    stopGraceMs: STOP_GRACE_MS,
  });
}

// ---------------------------------------------------------------- engine

function binary(component: Component): string {
  return path.join(engineDir("kube"), "bin", component);
}

// ---------------------------------------------------------------- credentials

function openssl(args: string[], what: string): void {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new PeerError(`openssl ${what} failed: ${result.error?.message ?? result.stderr.trim()}`);
  }
}

/** A CA, the serving certificate (SANs: loopback and the in-cluster names), service-account keys and the token. */
function ensureCredentials(): void {
  if (fs.existsSync(kubeconfigPath())) return;
  fs.rmSync(file("pki"), { recursive: true, force: true });
  fs.mkdirSync(file("pki"), { recursive: true, mode: 0o700 });
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      pki.caKey(),
      "-out",
      pki.caCert(),
      "-days",
      "3650",
      "-subj",
      "/CN=apphub-kube-peer-ca",
    ],
    "CA",
  );
  const extensions = file("pki/apiserver.ext");
  const names = [
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ];
  fs.writeFileSync(
    extensions,
    `subjectAltName=IP:${HOST},IP:10.96.0.1,${names.join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  const csr = file("pki/apiserver.csr");
  openssl(
    [
      "req",
      "-new",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      pki.serverKey(),
      "-out",
      csr,
      "-subj",
      "/CN=kube-apiserver",
    ],
    "server key",
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      pki.caCert(),
      "-CAkey",
      pki.caKey(),
      "-CAcreateserial",
      "-out",
      pki.serverCert(),
      "-days",
      "3650",
      "-extfile",
      extensions,
    ],
    "server certificate",
  );
  openssl(["genrsa", "-out", pki.serviceAccountKey(), "2048"], "service-account key");
  openssl(
    ["rsa", "-in", pki.serviceAccountKey(), "-pubout", "-out", pki.serviceAccountPub()],
    "service-account public key",
  );
  const token = randomBytes(24).toString("hex");
  fs.writeFileSync(pki.tokenFile(), `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, {
    mode: 0o600,
  });
  // Written last: its presence marks the credentials complete.
  fs.writeFileSync(kubeconfigPath(), kubeconfigText(token), { mode: 0o600 });
}

function kubeconfigText(token: string): string {
  const ca = fs.readFileSync(pki.caCert()).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "apphub-kube-peer",
        cluster: { server: KUBE_API_SERVER, "certificate-authority-data": ca },
      },
    ],
    users: [{ name: ADMIN_USER, user: { token } }],
    contexts: [
      { name: "apphub-kube-peer", context: { cluster: "apphub-kube-peer", user: ADMIN_USER } },
    ],
    "current-context": "apphub-kube-peer",
  });
}

export interface KubeAccess {
  server: string;
  token: string;
  ca: Buffer;
  kubeconfig: string;
}

/** How a test reaches the peer: its URL, the admin token, the CA, and the kubeconfig path. */
export function kubeAccess(): KubeAccess {
  if (!fs.existsSync(kubeconfigPath()))
    throw new PeerError(
      `no kube peer state in ${kubeStateDir()}: run \`npm run peers -- up kube\``,
    );
  const token = fs.readFileSync(pki.tokenFile(), "utf8").split(",")[0] ?? "";
  return {
    server: KUBE_API_SERVER,
    token,
    ca: fs.readFileSync(pki.caCert()),
    kubeconfig: kubeconfigPath(),
  };
}

// ---------------------------------------------------------------- processes

function componentArgs(component: Component): string[] {
  switch (component) {
    case "etcd":
      return [
        "--name=apphub-kube-peer",
        `--data-dir=${file("etcd-data")}`,
        `--listen-client-urls=http://${HOST}:${ETCD_CLIENT_PORT}`,
        `--advertise-client-urls=http://${HOST}:${ETCD_CLIENT_PORT}`,
        `--listen-peer-urls=http://${HOST}:${ETCD_PEER_PORT}`,
        `--initial-advertise-peer-urls=http://${HOST}:${ETCD_PEER_PORT}`,
        `--initial-cluster=apphub-kube-peer=http://${HOST}:${ETCD_PEER_PORT}`,
        // A throwaway test store: durability is not worth the fsync latency on a shared CI disk.
        "--unsafe-no-fsync",
        "--quota-backend-bytes=1073741824",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [
        `--etcd-servers=http://${HOST}:${ETCD_CLIENT_PORT}`,
        `--bind-address=${HOST}`,
        `--advertise-address=${HOST}`,
        `--secure-port=${KUBE_API_PORT}`,
        `--tls-cert-file=${pki.serverCert()}`,
        `--tls-private-key-file=${pki.serverKey()}`,
        `--client-ca-file=${pki.caCert()}`,
        `--token-auth-file=${pki.tokenFile()}`,
        "--authorization-mode=RBAC",
        "--anonymous-auth=false",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki.serviceAccountPub()}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey()}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // No kubelet registers as an endpoint of the `kubernetes` Service, so do not reconcile it.
        "--endpoint-reconciler-type=none",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=0",
      ];
    case "kube-controller-manager":
      return [
        `--kubeconfig=${kubeconfigPath()}`,
        `--controllers=${CONTROLLERS.join(",")}`,
        `--service-account-private-key-file=${pki.serviceAccountKey()}`,
        `--root-ca-file=${pki.caCert()}`,
        "--leader-elect=false",
        `--bind-address=${HOST}`,
        // 0 means no health/metrics endpoint of its own: readiness is checked through the API instead.
        "--secure-port=0",
        "--profiling=false",
        "--v=0",
      ];
  }
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  body: string;
}

function get(url: string, withAuth: boolean): Promise<Answer> {
  const access = withAuth ? kubeAccess() : undefined;
  return new Promise((resolve, reject) => {
    const request = (url.startsWith("https:") ? https : http).get(
      url,
      {
        timeout: 3_000,
        ...(access ? { ca: access.ca, headers: { Authorization: `Bearer ${access.token}` } } : {}),
      },
      (response: http.IncomingMessage) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
  });
}

async function answers(
  url: string,
  withAuth: boolean,
  expect: (answer: Answer) => boolean,
): Promise<boolean> {
  try {
    return expect(await get(url, withAuth));
  } catch {
    return false;
  }
}

const etcdHealthy = (): Promise<boolean> =>
  answers(
    `http://${HOST}:${ETCD_CLIENT_PORT}/health`,
    false,
    (a) => a.status === 200 && a.body.includes('"health":"true"'),
  );
const apiReady = (): Promise<boolean> =>
  answers(`${KUBE_API_SERVER}/readyz`, true, (a) => a.status === 200);
/** The service-account controller creating `default` in `default` shows the controller manager is at work. */
const controllersAtWork = (): Promise<boolean> =>
  answers(
    `${KUBE_API_SERVER}/api/v1/namespaces/default/serviceaccounts/default`,
    true,
    (a) => a.status === 200,
  );

const READY: Record<Component, () => Promise<boolean>> = {
  etcd: etcdHealthy,
  "kube-apiserver": apiReady,
  "kube-controller-manager": controllersAtWork,
};

const PORT_OF: Partial<Record<Component, number>> = {
  etcd: ETCD_CLIENT_PORT,
  "kube-apiserver": KUBE_API_PORT,
};

// ---------------------------------------------------------------- lifecycle

/** Starts whatever of etcd, kube-apiserver and kube-controller-manager is not running, in that order. */
export function startKube(): Promise<StartOutcome> {
  return withLock(`${kubeStateDir()}.lock`, startKubeUnlocked);
}

async function startKubeUnlocked(): Promise<StartOutcome> {
  const down = COMPONENTS.filter((component) => componentProcess(component).pid() === undefined);
  if (down.length === 0) {
    for (const component of COMPONENTS) await bringUp(component, false);
    return "already-running";
  }
  // A cold build (test/peers/engines/build.sh kube) takes ~5–11 min on 2 cores; then it is cached.
  await buildEngine("kube");
  for (const component of down) {
    const port = PORT_OF[component];
    if (port !== undefined && (await isPortOpen(HOST, port))) {
      throw new PeerError(
        `kube peer: ${HOST}:${port} (for ${component}) is taken by a process this launcher did not start (state dir ${kubeStateDir()}).`,
      );
    }
  }
  const fresh = !fs.existsSync(kubeconfigPath());
  fs.mkdirSync(kubeStateDir(), { recursive: true });
  ensureCredentials();
  for (const component of COMPONENTS) await bringUp(component, down.includes(component));
  return fresh || down.length === COMPONENTS.length ? "started" : "repaired";
}

/** Launches the component if asked, then waits until it is ready (each needs the one before). */
function bringUp(component: Component, launch: boolean): Promise<void> {
  const ready = pollUntil(READY[component], START_TIMEOUT_MS, 300, `${component} to be ready`);
  const peer = `kube peer: ${component}`;
  const process = componentProcess(component);
  return launch ? launchAndWait(peer, [process], ready) : waitReady(peer, [process], ready);
}

/** Stops what this launcher started (found by pid file), controller manager first. The state stays for a warm start. */
export async function stopKube(): Promise<string[]> {
  const report: string[] = [];
  for (const component of [...COMPONENTS].reverse())
    report.push(await componentProcess(component).stop());
  return report;
}

export async function kubeStatus(): Promise<string[]> {
  const lines = await Promise.all(
    COMPONENTS.map(async (component) => {
      const ready = await READY[component]().catch(() => false);
      return componentProcess(component).status(ready ? "ready" : "not ready");
    }),
  );
  return [...lines, `kubeconfig ${kubeconfigPath()}`];
}
