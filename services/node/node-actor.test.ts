// NodeActor's Lease renewal on the host's shared LeaseTicker is released when the node stops,
// also when the stop comes while its start is still in progress (kernel Actor.onRelease). The
// actor runs on a real bus (its health subscription); the API is an in-memory fake.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeClient, KubeObject } from "../client/index.js";
import { Bus, RemoteError, logger, setLogLevel } from "../kernel/index.js";
import { startNats, type LocalServer } from "../kernel/local-servers.js";
import { nodeConfigFromEnv } from "./config.js";
import { LeaseTicker } from "./lease-ticker.js";
import { NodeActor } from "./node-actor.js";
import type { PodHub } from "./pod-hub.js";
import { SimRuntime, TimerHeap } from "./runtimes/sim/index.js";
import type { StatusWriter } from "./status-writer.js";

setLogLevel("error");
let nats: LocalServer;
let bus: Bus;
before(async () => {
  nats = await startNats();
  bus = await Bus.connect({ servers: nats.url, name: "node-actor-test" });
});
after(async () => {
  await bus.close();
  await nats.stop();
});

/** An API of Nodes and Leases; `hold` (if set) is awaited before every call. */
function fakeClient(): KubeClient & { hold: Promise<void> | undefined } {
  const objects = new Map<string, KubeObject>();
  let rev = 0;
  const key = (kind: string, name: string) => `${kind}/${name}`;
  const put = (obj: KubeObject) => {
    const o: KubeObject = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rev) } };
    objects.set(key(o.kind, o.metadata.name), o);
    return structuredClone(o);
  };
  const fake = {
    hold: undefined as Promise<void> | undefined,
    async get(kind: string, _ns: string, name: string) {
      await fake.hold;
      const o = objects.get(key(kind, name));
      if (!o) throw new RemoteError("fake", 404, "NotFound", name);
      return structuredClone(o);
    },
    create: (obj: KubeObject) => write(obj),
    update: (obj: KubeObject) => write(obj),
    updateStatus: (obj: KubeObject) => write(obj),
    updateUndecoded: async (obj: KubeObject) => Number((await write(obj)).metadata.resourceVersion),
  };
  const write = async (obj: KubeObject) => {
    await fake.hold;
    return put(obj);
  };
  return fake as unknown as KubeClient & { hold: Promise<void> | undefined };
}

/** A hub with no pods. */
const emptyHub = {
  acquire: async () => undefined,
  release: () => undefined,
  register: () => () => undefined,
  keysOf: () => [],
  get: () => undefined,
} as unknown as PodHub;

function nodes(count: number, client: KubeClient, leases: LeaseTicker, timers: TimerHeap): NodeActor[] {
  const config = nodeConfigFromEnv({ K8S_NODES: String(count), K8S_NODE_LEASE_RENEW_MS: "60000" });
  const writer = {} as StatusWriter; // used by pod syncs only (the hub has no pods)
  return Array.from({ length: count }, (_, i) => new NodeActor({ config, index: i, bus, client, hub: emptyHub, writer, runtime: new SimRuntime({ profile: config.sim, timers }), leases, logger: logger("node") }));
}

test("node actor - stopping nodes takes their renewals off the shared lease ticker", async () => {
  const leases = new LeaseTicker(60_000);
  const timers = new TimerHeap();
  const [a, b] = nodes(2, fakeClient(), leases, timers);
  try {
    await a!.start();
    await b!.start();
    assert.equal(leases.size, 2);
    await a!.stop();
    assert.equal(leases.size, 1);
    await b!.stop();
    assert.equal(leases.size, 0);
  } finally {
    timers.clear();
  }
});

test("node actor - a node stopped while its start is still in progress leaves no renewal on the shared lease ticker", async () => {
  const leases = new LeaseTicker(60_000);
  const timers = new TimerHeap();
  const client = fakeClient();
  let proceed: () => void = () => undefined;
  client.hold = new Promise<void>((resolve) => (proceed = resolve)); // registering the Node hangs
  const [node] = nodes(1, client, leases, timers);
  try {
    const starting = node!.start();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(node!.state, "starting");
    await node!.stop();
    proceed(); // the start goes on: it registers the Node, renews and adds its Lease renewal
    await starting;
    assert.equal(node!.state, "stopped");
    assert.equal(leases.size, 0, "the renewal its start added is released");
  } finally {
    timers.clear();
  }
});
