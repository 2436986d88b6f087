// Garbage collector (issue 4) against a real cluster: API server, relay and two
// controller-manager replicas as child processes. ConfigMaps owned by a ConfigMap owner are
// deleted through HTTP with each propagation policy; then the leading controller-manager is
// SIGKILLed, the standby takes the Lease, and collection still works.
import "reflect-metadata";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnActor, type ActorProcessHandle } from "./harness/actor-process.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";

const NS = "default";
const LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager";

let cluster: TestCluster;
let base: string;
const managers: ActorProcessHandle[] = [];

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; describe: string }> {
  const res = await fetch(base + path, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": body && (body as any).__merge ? "application/merge-patch+json" : "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body, (k, v) => (k === "__merge" ? undefined : v)) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed, describe: `${method} ${path} → ${res.status} ${text.slice(0, 500)}` };
}

const cmPath = (name = "") => `/api/v1/namespaces/${NS}/configmaps${name ? "/" + name : ""}`;

async function getConfigMap(name: string): Promise<any | undefined> {
  const r = await call("GET", cmPath(name));
  if (r.status === 404) return undefined;
  assert.equal(r.status, 200, r.describe);
  return r.body;
}

interface Owner {
  name: string;
  uid: string;
}

async function createConfigMap(name: string, meta: Record<string, unknown> = {}): Promise<Owner> {
  const r = await call("POST", cmPath(), { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...meta }, data: { k: "v" } });
  assert.equal(r.status, 201, r.describe);
  return { name, uid: r.body.metadata.uid };
}

function ownerRef(o: Owner, block = true) {
  return { apiVersion: "v1", kind: "ConfigMap", name: o.name, uid: o.uid, blockOwnerDeletion: block };
}

async function deleteWith(name: string, propagationPolicy: string): Promise<any> {
  const r = await call("DELETE", cmPath(name), { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy });
  assert.ok(r.status === 200 || r.status === 202, r.describe);
  return r.body;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    last = v;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const gone = (name: string) => waitFor(`${name} to be gone`, async () => (await getConfigMap(name)) === undefined);

async function leaseHolder(): Promise<string | undefined> {
  const r = await call("GET", LEASE_PATH);
  return r.status === 200 ? (r.body.spec?.holderIdentity as string) || undefined : undefined;
}

before(async () => {
  cluster = await startCluster({ apiservers: 1, relays: 1 });
  base = cluster.apiUrls[0]!;
  const env = {
    NATS_URL: cluster.nats.url,
    REDIS_URL: cluster.redis.url,
    LOG_LEVEL: "warn",
    K8S_LEADER_LEASE_MS: "2000",
    K8S_LEADER_RENEW_MS: "1500",
    K8S_LEADER_RETRY_MS: "250",
  };
  for (const id of ["controller-manager-1", "controller-manager-2"]) managers.push(spawnActor("controllers", id, env, join(cluster.dir, `${id}.log`)));
  await waitFor("a controller-manager to hold the Lease", leaseHolder, 20_000);
});

after(async () => {
  await Promise.all(managers.map((m) => m.kill("SIGKILL")));
  await cluster?.stop();
});

test("gc - a dependent whose owner does not exist is deleted", async () => {
  await createConfigMap("orphan-from-birth", { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "never-existed", uid: "00000000-0000-0000-0000-000000000001" }] });
  await gone("orphan-from-birth");
});

test("gc - only the dangling reference is removed when another owner lives", async () => {
  const alive = await createConfigMap("two-owners-alive");
  await createConfigMap("two-owners-dep", { ownerReferences: [ownerRef(alive), { apiVersion: "v1", kind: "ConfigMap", name: "ghost", uid: "00000000-0000-0000-0000-000000000002" }] });
  const dep = await waitFor("the ghost reference to be removed", async () => {
    const d = await getConfigMap("two-owners-dep");
    return d && (d.metadata.ownerReferences ?? []).length === 1 ? d : undefined;
  });
  assert.equal(dep.metadata.ownerReferences[0].uid, alive.uid);
});

test("gc - Background: the owner goes at once, its dependents after it", async () => {
  const owner = await createConfigMap("bg-owner");
  for (const n of ["bg-dep-1", "bg-dep-2", "bg-dep-3"]) await createConfigMap(n, { ownerReferences: [ownerRef(owner)] });
  await deleteWith("bg-owner", "Background");
  assert.equal(await getConfigMap("bg-owner"), undefined, "Background removes the owner immediately");
  for (const n of ["bg-dep-1", "bg-dep-2", "bg-dep-3"]) await gone(n);
});

test("gc - Foreground: the owner stays with its finalizer until its blocking dependents are gone", async () => {
  const owner = await createConfigMap("fg-owner");
  await createConfigMap("fg-dep-free", { ownerReferences: [ownerRef(owner)] });
  // This dependent carries a finalizer of its own, so it lingers (being deleted) until the test releases it.
  await createConfigMap("fg-dep-held", { ownerReferences: [ownerRef(owner)], finalizers: ["example.com/hold"] });
  const deleted = await deleteWith("fg-owner", "Foreground");
  assert.ok(deleted.metadata.deletionTimestamp, "the owner is marked for deletion");
  assert.ok(deleted.metadata.finalizers.includes("foregroundDeletion"));

  await gone("fg-dep-free");
  const held = await waitFor("the held dependent to be deleted", async () => {
    const d = await getConfigMap("fg-dep-held");
    return d?.metadata.deletionTimestamp ? d : undefined;
  });
  assert.ok(held, "the held dependent is being deleted");
  // A dependent being deleted still blocks: the owner must still be there a while later.
  await new Promise((r) => setTimeout(r, 1000));
  const waiting = await getConfigMap("fg-owner");
  assert.ok(waiting, "owner still present while a blocking dependent exists");
  assert.deepEqual(waiting.metadata.finalizers, ["foregroundDeletion"]);

  const release = await call("PATCH", cmPath("fg-dep-held"), { __merge: true, metadata: { finalizers: null } });
  assert.equal(release.status, 200, release.describe);
  await gone("fg-dep-held");
  await gone("fg-owner");
});

test("gc - Orphan: the owner goes, its dependents stay without a reference to it", async () => {
  const owner = await createConfigMap("orphan-owner");
  const other = await createConfigMap("orphan-other-owner");
  await createConfigMap("orphan-dep-1", { ownerReferences: [ownerRef(owner)] });
  await createConfigMap("orphan-dep-2", { ownerReferences: [ownerRef(owner), ownerRef(other)] });
  await deleteWith("orphan-owner", "Orphan");
  await gone("orphan-owner");
  const d1 = await getConfigMap("orphan-dep-1");
  const d2 = await getConfigMap("orphan-dep-2");
  assert.ok(d1 && d2, "dependents remain");
  assert.deepEqual(d1.metadata.ownerReferences ?? [], []);
  assert.deepEqual((d2.metadata.ownerReferences ?? []).map((r: { uid: string }) => r.uid), [other.uid]);
  // And they stay: nothing collects them later.
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(await getConfigMap("orphan-dep-1"));
});

test("gc - SIGKILL the leading controller-manager: the standby takes the Lease and collects", async () => {
  const leader = (await leaseHolder())!;
  const victim = managers.find((m) => m.name === leader);
  assert.ok(victim, `the Lease holder ${leader} is one of ours`);
  await victim.kill("SIGKILL");
  const successor = await waitFor("another replica to take the Lease", async () => {
    const h = await leaseHolder();
    return h && h !== leader ? h : undefined;
  }, 15_000);
  assert.notEqual(successor, leader);

  const owner = await createConfigMap("failover-owner");
  await createConfigMap("failover-dep", { ownerReferences: [ownerRef(owner)] });
  await deleteWith("failover-owner", "Background");
  await gone("failover-dep");
});
