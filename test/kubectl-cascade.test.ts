// kubectl delete with each cascade mode, with the controller-manager running (the garbage
// collector finishes foreground and orphan deletion, so kubectl's wait completes).
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster } from "./harness/cluster.js";
import { findKubectl, Kubectl } from "./harness/kubectl.js";

const kubectlBinary = findKubectl();

function deployment(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
`;
}

async function until(what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("kubectl delete - background, foreground and orphan cascades with the garbage collector", { skip: !kubectlBinary && "kubectl not installed", timeout: 120_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), "kubectl-cascade-"));
  const cluster = await startCluster({ controllerManagers: 1 });
  try {
    const k = new Kubectl(kubectlBinary!, cluster.kubeconfig(0), home);
    const rsOf = async (app: string) => (await k.json<{ items: Array<Record<string, any>> }>(["rs", "-l", `app=${app}`])).items;
    const podsOf = async (app: string) => (await k.json<{ items: Array<Record<string, any>> }>(["pods", "-l", `app=${app}`])).items;
    for (const mode of ["background", "foreground", "orphan"] as const) {
      const name = `cascade-${mode}`;
      const file = join(home, `${name}.yaml`);
      writeFileSync(file, deployment(name));
      await k.ok(["apply", "-f", file]);
      // The Deployment controller makes a ReplicaSet, the ReplicaSet controller its pods.
      await until(`${name}: ReplicaSet and 2 pods`, async () => (await rsOf(name)).length === 1 && (await podsOf(name)).length === 2);
      // kubectl waits (--wait is the default) until the Deployment is gone.
      const out = await k.ok(["delete", "deployment", name, `--cascade=${mode}`, "--timeout=60s"]);
      assert.equal(out.trim(), `deployment.apps "${name}" deleted`);
      assert.match((await k.fails(["get", "deployment", name])).stderr, /NotFound/);
      if (mode === "orphan") {
        const rs = await rsOf(name);
        assert.equal(rs.length, 1, "orphan: the ReplicaSet stays");
        assert.deepEqual(rs[0]!.metadata.ownerReferences ?? [], [], "orphan: no ownerReference to the deleted Deployment");
        assert.equal((await podsOf(name)).length, 2, "orphan: its pods stay");
      } else {
        if (mode === "foreground") {
          // Foreground: the Deployment was removed only after its dependents.
          assert.equal((await rsOf(name)).length, 0, "foreground: the ReplicaSet went before the Deployment");
        }
        await until(`${name}: dependents gone`, async () => (await rsOf(name)).length === 0 && (await podsOf(name)).length === 0);
      }
    }
  } finally {
    await cluster.stop();
    rmSync(home, { recursive: true, force: true });
  }
});
