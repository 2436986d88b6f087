/**
 * kubeconfig: the kubeconfig `k8s-dev up` writes for its API server replicas. Pure.
 *
 * Context `k8s-dev` (current) talks to the first replica; `k8s-dev-<id>` to each one. The
 * server speaks plain HTTP on loopback; `insecure-skip-tls-verify` keeps clients that insist on
 * TLS settings (@kubernetes/client-node) happy.
 */
import { stringify } from "yaml";

/** One API server endpoint. */
export interface ApiEndpoint {
  readonly id: string;
  readonly url: string;
}

/** kubeconfigYaml: a kubeconfig for `endpoints` (the first is the current context). */
export function kubeconfigYaml(endpoints: readonly ApiEndpoint[], namespace = "default"): string {
  if (endpoints.length === 0) throw new Error("kubeconfigYaml needs at least one endpoint");
  const names = endpoints.map((e, i) => (i === 0 ? "k8s-dev" : `k8s-dev-${e.id}`));
  if (endpoints.length > 1) names.push(`k8s-dev-${endpoints[0]!.id}`);
  const all = endpoints.length > 1 ? [...endpoints, endpoints[0]!] : [...endpoints];
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: all.map((e, i) => ({ name: names[i], cluster: { server: e.url, "insecure-skip-tls-verify": true } })),
    users: [{ name: "k8s-dev", user: { token: "k8s-dev" } }],
    contexts: all.map((_, i) => ({ name: names[i], context: { cluster: names[i], user: "k8s-dev", namespace } })),
    "current-context": "k8s-dev",
  };
  return "# Written by k8s-dev up; removed by k8s-dev down.\n" + stringify(doc);
}
