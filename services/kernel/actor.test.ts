import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Actor, ActorStateError, probeHealth } from "./actor.js";
import { Bus, NoRespondersError } from "./bus.js";
import { startNats, type LocalServer } from "./local-servers.js";
import * as subjects from "./subjects.js";
import { captureLogs, waitFor, type CapturedLogs } from "./testkit.js";

let nats: LocalServer;
let logs: CapturedLogs;
let serverBus: Bus;
let client: Bus;
before(async () => {
  logs = captureLogs();
  nats = await startNats();
  serverBus = await Bus.connect({ servers: nats.url, name: "actor-server" });
  client = await Bus.connect({ servers: nats.url, name: "actor-client" });
});
after(async () => {
  await serverBus.close();
  await client.close();
  await nats.stop();
  logs.restore();
});

/** Handlers block until `release()`; up to 2 run at once. */
class Slow extends Actor {
  entered = 0;
  ticks = 0;
  stopped = 0;
  private open!: () => void;
  private gate = new Promise<void>((res) => (this.open = res));
  release(): void {
    this.open();
  }
  protected async onStart(): Promise<void> {
    this.subscribe(
      subjects.actor(this.id, "work"),
      async (m) => {
        this.entered++;
        await this.gate;
        m.respond("Done", m.payload);
      },
      { concurrent: 2 },
    );
    this.every(5, () => void this.ticks++);
  }
  protected override async onStop(): Promise<void> {
    this.stopped++;
  }
}

test("actor - drain finishes handlers in flight, then unsubscribes everything including health", async () => {
  const actor = new Slow({ id: "slow-1", kind: "slow", bus: serverBus });
  await actor.start();
  await serverBus.flush();
  await assert.rejects(actor.start(), ActorStateError);
  assert.equal((await probeHealth(client, "slow-1")).state, "running");
  await waitFor(() => actor.ticks > 0, "periodic task ran");

  const subject = subjects.actor("slow-1", "work");
  const replies = [client.request(subject, "Work", new Uint8Array([1])), client.request(subject, "Work", new Uint8Array([2]))];
  await waitFor(() => actor.entered === 2, "two handlers in flight at once (concurrent: 2)");

  let drained = false;
  const draining = actor.drain().then(() => (drained = true));
  await waitFor(() => actor.state === "draining", "draining state");
  assert.equal(drained, false, "drain waits for handlers in flight");
  actor.release();
  await draining;
  assert.deepEqual((await Promise.all(replies)).map((r) => r[0]), [1, 2], "in-flight requests were answered");
  assert.equal(actor.state, "stopped");
  assert.equal(actor.stopped, 1);

  const ticks = actor.ticks;
  await assert.rejects(client.request(subject, "Work", new Uint8Array([3])), NoRespondersError);
  await assert.rejects(probeHealth(client, "slow-1"), NoRespondersError);
  assert.equal(actor.ticks, ticks, "timers stopped");
});

test("actor - fail() releases subscriptions but keeps answering health as failed; stop() ends it", async () => {
  const actor = new Slow({ id: "slow-2", kind: "slow", bus: serverBus });
  const failures: unknown[] = [];
  actor.onFailure((e) => failures.push(e));
  await actor.start();
  await serverBus.flush();
  actor.fail(new Error("lost my watch"));
  assert.equal(actor.state, "failed");
  assert.equal(failures.length, 1);
  await serverBus.flush();
  await assert.rejects(client.request(subjects.actor("slow-2", "work"), "Work", new Uint8Array([1])), NoRespondersError);
  const h = await probeHealth(client, "slow-2");
  assert.equal(h.state, "failed");
  assert.match(h.detail, /lost my watch/);
  await actor.stop();
  assert.equal(actor.state, "stopped");
  await serverBus.flush();
  await assert.rejects(probeHealth(client, "slow-2"), NoRespondersError);
});

test("actor - onRelease runs on stop, and at once after an onStart that a stop interrupted", async () => {
  let released = 0;
  let enter: () => void = () => undefined;
  const entered = new Promise<void>((res) => (enter = res));
  let proceed: () => void = () => undefined;
  const gate = new Promise<void>((res) => (proceed = res));
  class Registers extends Actor {
    waitInStart = false;
    protected async onStart(): Promise<void> {
      if (this.waitInStart) {
        enter();
        await gate;
      }
      this.onRelease(() => void released++);
    }
  }
  const plain = new Registers({ id: "rel-1", kind: "rel", bus: serverBus });
  await plain.start();
  assert.equal(released, 0);
  await plain.stop();
  assert.equal(released, 1);
  await plain.stop();
  assert.equal(released, 1, "runs once");

  const interrupted = new Registers({ id: "rel-2", kind: "rel", bus: serverBus });
  interrupted.waitInStart = true;
  const starting = interrupted.start();
  await entered;
  await interrupted.stop();
  assert.equal(released, 1, "not registered yet");
  proceed();
  await starting;
  assert.equal(interrupted.state, "stopped");
  assert.equal(released, 2, "what the interrupted onStart registered is released");
});

test("actor - what an onStart registers is released when a stop with a slow onStop is still draining as it returns", async () => {
  let released = 0;
  let enter: () => void = () => undefined;
  const entered = new Promise<void>((res) => (enter = res));
  let proceed: () => void = () => undefined;
  const gate = new Promise<void>((res) => (proceed = res));
  let finishStop: () => void = () => undefined;
  const stopGate = new Promise<void>((res) => (finishStop = res));
  class SlowStop extends Actor {
    protected async onStart(): Promise<void> {
      enter();
      await gate;
      this.onRelease(() => void released++);
    }
    protected override async onStop(): Promise<void> {
      await stopGate;
    }
  }
  const actor = new SlowStop({ id: "rel-3", kind: "rel", bus: serverBus });
  const starting = actor.start();
  await entered;
  const stopping = actor.stop();
  assert.equal(actor.state, "draining");
  proceed();
  await starting;
  assert.equal(released, 1, "released although the stop has not finished");
  finishStop();
  await stopping;
  assert.equal(actor.state, "stopped");
  assert.equal(released, 1, "once");
});
