/**
 * Stub AppHub core and timestore Deployments shaped like SPEC's, for the patch and Pulumi e2e
 * suites: `envFrom` the `apphub-core-config` ConfigMap (which says `APPHUB_STREAMING_ENABLED:
 * "false"`), an `env` of their own and, on one of them, the team's own `APPHUB_STREAMING_ENABLED`.
 * The image is never pulled (the kube peer has no kubelet); the pod spec meets PodSecurity
 * `restricted`, so the ReplicaSets' pods are admitted.
 */
import { stringify } from "yaml";

export const STUB_IMAGE = "registry.apphub.example/apphub/core:2026.11.0";
/** The Deployment whose own manifest also sets the variable the patches inject. */
export const TEAM_SETS_FLAG = "apphub-core-workflows";
export const TEAM_ENV = { name: "APPHUB_LOG_LEVEL", value: "info" };
export const TEAM_FLAG = { name: "APPHUB_STREAMING_ENABLED", value: "false" };
export const CONFIG_MAP_REF = { configMapRef: { name: "apphub-core-config" } };

/** AppHub's manifest as multi-document YAML: the ConfigMap, the sequencer Secret and one Deployment per target. */
export function appHubManifest(
  namespace: string,
  targets: Readonly<Record<string, readonly string[]>>,
): string {
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "apphub-core-config", namespace },
    data: { APPHUB_STREAMING_ENABLED: "false" },
  };
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "apphub-sequencer-db", namespace },
    stringData: { url: "postgres://apphub@sequencer-db:5432/apphub_sequences" },
  };
  const deployments = Object.entries(targets).map(([name, containers]) => {
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "apphub" };
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels },
          spec: {
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 10001,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: containers.map((container) => ({
              name: container,
              image: STUB_IMAGE,
              envFrom: [CONFIG_MAP_REF],
              env: [TEAM_ENV, ...(name === TEAM_SETS_FLAG ? [TEAM_FLAG] : [])],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            })),
          },
        },
      },
    };
  });
  return [configMap, secret, ...deployments].map((object) => `---\n${stringify(object)}`).join("");
}
