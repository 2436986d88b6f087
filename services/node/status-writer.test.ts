import { test } from "node:test";
import assert from "node:assert/strict";
import { KubeClient, type Cached, type KubeObject } from "../client/index.js";
import { logger } from "../kernel/index.js";
import { decodeStoredJSON } from "../schema/index.js";
import type { IApiRequest } from "../schema/bus.js";
import { isCreatingStatus } from "./node-actor.js";
import { prune, sameStatus, StatusWriter } from "./status-writer.js";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A KubeClient (its own request building) whose API records the phases of the pods/status updates sent and answers revisions 2, 3, … */
function fakeClient(): { client: KubeClient; written: string[] } {
  const written: string[] = [];
  let rv = 1;
  const client = Object.assign(Object.create(KubeClient.prototype) as KubeClient, {
    api: {
      async call(ref: { resource: string }, req: IApiRequest) {
        assert.deepEqual([ref.resource, req.verb, req.subresource], ["pods", "update", "status"]);
        const sent = decodeStoredJSON(req.object!, 0);
        written.push(sent.status.phase);
        assert.equal(sent.spec?.containers, undefined, "a status update does not send the spec");
        return { object: { modRevision: ++rv } };
      },
    },
  });
  return { client, written };
}

const POD: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "u1", resourceVersion: "1" }, spec: { nodeName: "n1" }, status: {} } as KubeObject;
const cached = (): Cached<KubeObject> => ({ key: "k", object: POD, modRevision: 1 }) as unknown as Cached<KubeObject>;

test("status writer - a held status replaced by an unheld one before the hold ends is never written", async () => {
  const { client, written } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  w.set("k", { phase: "Pending" }, 200);
  assert.deepEqual(w.latest("k", 1), { phase: "Pending" }, "the held status is what the node last asked for");
  await sleep(20);
  assert.deepEqual(written, []);
  w.set("k", { phase: "Running" });
  await w.flush("k");
  await sleep(250);
  assert.deepEqual(written, ["Running"]);
  w.close();
});

test("status writer - a held status is written once the hold ends", async () => {
  const { client, written } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  w.set("k", { phase: "Pending" }, 30);
  await sleep(5);
  assert.deepEqual(written, []);
  await sleep(60); // the hold timer is unref'd: keep the loop alive past it
  await w.flush("k");
  assert.deepEqual(written, ["Pending"]);
  w.set("k", { phase: "Running" });
  await w.flush("k");
  assert.deepEqual(written, ["Pending", "Running"]);
  w.close();
});

test("status writer - forget drops a held status", async () => {
  const { client, written } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  w.set("k", { phase: "Pending" }, 20);
  w.forget("k");
  await sleep(40);
  assert.deepEqual(written, []);
  w.close();
});

test("isCreatingStatus - only a Pending status with every container waiting to be created for the first time", () => {
  const waiting = (reason: string, extra: any = {}) => ({ name: "c", restartCount: 0, state: { waiting: { reason } }, ...extra });
  const cases: Array<[string, any, boolean]> = [
    ["creating", { phase: "Pending", containerStatuses: [waiting("ContainerCreating")] }, true],
    ["init creating, app initializing", { phase: "Pending", initContainerStatuses: [waiting("ContainerCreating")], containerStatuses: [waiting("PodInitializing")] }, true],
    ["running", { phase: "Running", containerStatuses: [{ name: "c", state: { running: {} } }] }, false],
    ["one of two running", { phase: "Pending", containerStatuses: [waiting("ContainerCreating"), { name: "d", state: { running: {} } }] }, false],
    ["restarted", { phase: "Pending", containerStatuses: [waiting("ContainerCreating", { restartCount: 1 })] }, false],
    ["crash loop", { phase: "Pending", containerStatuses: [waiting("CrashLoopBackOff")] }, false],
    ["image pull error", { phase: "Pending", containerStatuses: [waiting("ErrImagePull")] }, false],
    ["no containers", { phase: "Pending" }, false],
    ["undefined", undefined, false],
  ];
  for (const [name, status, want] of cases) assert.equal(isCreatingStatus(status), want, name);
});

test("sameStatus - agrees with comparing the pruned JSON", () => {
  const reference = (a: any, b: any) => JSON.stringify(prune(a)) === JSON.stringify(prune(b));
  const values: any[] = [
    undefined,
    null,
    0,
    1,
    "",
    "1",
    false,
    true,
    [],
    [null],
    [{}],
    [1],
    [1, 2],
    [2, 1],
    {},
    { a: 0 },
    { a: 1 },
    { a: "1" },
    { a: [] },
    { a: [{}] },
    { a: { b: null } },
    { a: { b: 1 } },
    { a: 1, b: { c: false } },
    { b: { c: 1 }, a: 1 },
    { a: 1, b: { c: 1 } },
    { state: { waiting: { reason: "ContainerCreating" } }, lastState: {} },
    { state: { waiting: { reason: "ContainerCreating" } } },
    { state: { running: { startedAt: "2025-01-01T00:00:00Z" } } },
  ];
  for (const a of values) for (const b of values) assert.equal(sameStatus(a, b), reference(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});

test("status writer - isOwnWrite: only the revision its last write returned, once nothing is pending", async () => {
  const { client } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  assert.equal(w.isOwnWrite("k", 2), false, "nothing written yet");
  w.set("k", { phase: "Running" });
  assert.equal(w.isOwnWrite("k", 2), false, "in flight");
  await w.flush("k");
  assert.equal(w.isOwnWrite("k", 2), true, "the fake API returned revision 2");
  assert.equal(w.isOwnWrite("k", 3), false, "someone else's change");
  w.set("k", { phase: "Failed" }, 1000);
  assert.equal(w.isOwnWrite("k", 2), false, "a newer status is pending");
  w.close();
});

test("status writer - written answers the pod its last write returned, at that revision only; a pod bound to no node gets no status", async () => {
  const { client, written } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  w.set("k", { phase: "Running" });
  await w.flush("k");
  assert.equal(w.written("k", 2)?.status.phase, "Running");
  assert.equal(w.written("k", 1), undefined);
  const unbound = new StatusWriter(client, () => ({ key: "k", object: { ...POD, spec: {} }, modRevision: 1 }) as unknown as Cached<KubeObject>, logger("test", { level: "silent" }));
  unbound.set("k", { phase: "Pending" });
  await unbound.flush("k");
  assert.deepEqual(written, ["Running"]);
  w.close();
  unbound.close();
});

test("status writer - whenWritten: called once the write in flight ended (its echo is then own write); false when none is in flight", async () => {
  const { client } = fakeClient();
  const w = new StatusWriter(client, cached, logger("test", { level: "silent" }));
  assert.equal(w.whenWritten("k", () => assert.fail("no write in flight")), false);
  w.set("k", { phase: "Running" });
  const ended = new Promise<void>((res) => assert.equal(w.whenWritten("k", res), true));
  await ended;
  assert.equal(w.isOwnWrite("k", 2), true, "the write returned revision 2");
  assert.equal(w.whenWritten("k", () => assert.fail("nothing in flight now")), false);
  w.close();
});
