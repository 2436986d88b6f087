// Replicas (issue 3): two API server replicas share one store. A write through one is read and
// watched through the other, a watch from a compacted resourceVersion answers an ERROR event
// with a 410 Status, and a `kubectl get -w` style Table watch returns Table rows. Raw HTTP
// (fetch), so a failure message shows the exact request and response.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { RedisStore } from "../services/store/index.js";
import { startCluster } from "./harness/cluster.js";

const NS = "replicas";
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

interface Exchange {
  request: string;
  status: number;
  body: any;
  /** The request and response, for failure messages. */
  describe: string;
}

/** One JSON request; never throws on a status (the caller asserts on it). */
async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange> {
  const request = `${method} ${base}${path}${body === undefined ? "" : " " + JSON.stringify(body)}`;
  const res = await fetch(base + path, {
    method,
    headers: { Accept: "application/json", ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { request, status: res.status, body: parsed, describe: `${request}\n→ ${res.status} ${text.slice(0, 2000)}` };
}

/** Asserts the status and returns the body. */
async function expectStatus(code: number, base: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
  const x = await call(base, method, path, body, headers);
  assert.equal(x.status, code, `unexpected status:\n${x.describe}`);
  return x.body;
}

interface WatchLine {
  type: string;
  object: any;
}

/** WatchStream: a watch response read one JSON line at a time. */
class WatchStream {
  readonly lines: string[] = [];
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private constructor(
    readonly request: string,
    readonly status: number,
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
  ) {}

  static async open(base: string, path: string, headers: Record<string, string> = {}): Promise<WatchStream> {
    const abort = new AbortController();
    const res = await fetch(base + path, { headers: { Accept: "application/json", ...headers }, signal: abort.signal });
    return new WatchStream(`GET ${base}${path} (Accept: ${headers.Accept ?? "application/json"})`, res.status, res.body!.getReader(), abort);
  }

  /** What was received so far, for failure messages. */
  describe(): string {
    return `${this.request}\n→ ${this.status}\n${this.lines.join("\n")}${this.buffer ? "\n(partial) " + this.buffer : ""}`;
  }

  /** The next event; fails the test if none arrives within `deadlineMs` or the stream ends. */
  async next(deadlineMs = 10_000): Promise<WatchLine> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const nl = this.buffer.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (!line.trim()) continue;
        this.lines.push(line);
        return JSON.parse(line) as WatchLine;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), Math.max(0, end - Date.now()))));
      const chunk = await Promise.race([this.reader.read(), timeout]);
      clearTimeout(timer);
      if (chunk === "timeout") assert.fail(`no watch event within ${deadlineMs} ms:\n${this.describe()}`);
      if (chunk.done) assert.fail(`watch stream ended:\n${this.describe()}`);
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** Resolves true if the server ends the stream within `deadlineMs`. */
  async ended(deadlineMs = 10_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), deadlineMs)));
    try {
      for (;;) {
        const chunk = await Promise.race([this.reader.read(), timeout]);
        if (chunk === "timeout") return false;
        if (chunk.done) return true;
        this.buffer += this.decoder.decode(chunk.value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.abort.abort();
    this.reader.cancel().catch(() => undefined);
  }
}

const configMap = (name: string, data: Record<string, string>, resourceVersion?: string) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: NS, ...(resourceVersion ? { resourceVersion } : {}) },
  data,
});

const cmPath = (name = "") => `/api/v1/namespaces/${NS}/configmaps${name ? "/" + name : ""}`;

test("replicas - writes through one API server are read and watched through the other", { timeout: 90_000 }, async (t) => {
  const cluster = await startCluster({ apiservers: 2 });
  const watches: WatchStream[] = [];
  const [a, b] = cluster.apiUrls as [string, string];
  try {
    await expectStatus(201, a, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });

    await t.test("a ConfigMap POSTed to A is read from B, identical", async () => {
      const created = await expectStatus(201, a, "POST", cmPath(), configMap("written-on-a", { k: "v" }));
      const read = await expectStatus(200, b, "GET", cmPath("written-on-a"));
      assert.deepEqual(read, created, "GET from B differs from A's create response");
      assert.equal(read.metadata.uid, created.metadata.uid);
      const listed = await expectStatus(200, b, "GET", cmPath());
      assert.ok(listed.items.some((i: any) => i.metadata.name === "written-on-a"), `B's list lacks the object:\n${JSON.stringify(listed)}`);
      assert.ok(Number(listed.metadata.resourceVersion) >= Number(created.metadata.resourceVersion), "B's list is older than A's write");
    });

    await t.test("a watch on B from a list's resourceVersion sees A's create, update and delete in order", async () => {
      const list = await expectStatus(200, b, "GET", cmPath());
      const w = await WatchStream.open(b, `${cmPath()}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
      watches.push(w);
      assert.equal(w.status, 200, w.describe());
      const created = await expectStatus(201, a, "POST", cmPath(), configMap("watched", { step: "1" }));
      const updated = await expectStatus(200, a, "PUT", cmPath("watched"), configMap("watched", { step: "2" }, created.metadata.resourceVersion));
      await expectStatus(200, a, "DELETE", cmPath("watched"));
      // Kubernetes reports a delete with the revision of the delete itself: the current list revision.
      const after = await expectStatus(200, a, "GET", cmPath());

      const added = await w.next();
      const modified = await w.next();
      const deleted = await w.next();
      const seen = [added, modified, deleted].map((e) => `${e.type} ${e.object?.metadata?.name} rv=${e.object?.metadata?.resourceVersion}`);
      assert.deepEqual(
        seen,
        [
          `ADDED watched rv=${created.metadata.resourceVersion}`,
          `MODIFIED watched rv=${updated.metadata.resourceVersion}`,
          `DELETED watched rv=${after.metadata.resourceVersion}`,
        ],
        w.describe(),
      );
      assert.deepEqual(added.object.data, { step: "1" }, w.describe());
      assert.deepEqual(modified.object.data, { step: "2" }, w.describe());
      assert.deepEqual(deleted.object.data, { step: "2" }, "DELETED carries the last state");
      assert.ok(Number(created.metadata.resourceVersion) < Number(updated.metadata.resourceVersion), "revisions increase");
      assert.ok(Number(updated.metadata.resourceVersion) < Number(after.metadata.resourceVersion), "the delete has a newer revision");
      w.close();
    });

    await t.test("label-selector watches on B, live and replayed, see A's object start and stop matching as ADDED and DELETED (as it last matched)", async () => {
      const list = await expectStatus(200, b, "GET", cmPath());
      const selected = `${cmPath()}?watch=true&labelSelector=tier%3Dfront`;
      const live = await WatchStream.open(b, `${selected}&resourceVersion=${list.metadata.resourceVersion}`);
      const all = await WatchStream.open(b, `${cmPath()}?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
      watches.push(live, all);
      const labelled = (tier: string, rv?: string) => ({ ...configMap("selected", { k: "v" }, rv), metadata: { ...configMap("selected", {}, rv).metadata, labels: { tier } } });
      const rvs: string[] = [];
      const write = async (method: string, body: unknown, code: number) => {
        const o = await expectStatus(code, a, method, cmPath(method === "POST" ? "" : "selected"), body);
        rvs.push(o.metadata.resourceVersion);
        return o.metadata.resourceVersion as string;
      };
      let rv = await write("POST", labelled("front"), 201);
      rv = await write("PUT", labelled("back", rv), 200);
      rv = await write("PUT", labelled("front", rv), 200);
      await expectStatus(201, a, "POST", cmPath(), { ...configMap("other", {}), metadata: { ...configMap("other", {}).metadata, labels: { tier: "back" } } });
      await expectStatus(200, a, "DELETE", cmPath("selected"));
      rvs.push((await expectStatus(200, a, "GET", cmPath())).metadata.resourceVersion);
      const expected = [`ADDED tier=front rv=${rvs[0]}`, `DELETED tier=front rv=${rvs[1]}`, `ADDED tier=front rv=${rvs[2]}`, `DELETED tier=front rv=${rvs[3]}`];
      const seen = async (w: WatchStream) => {
        const out: string[] = [];
        for (let i = 0; i < expected.length; i++) {
          const e = await w.next();
          out.push(`${e.type} tier=${e.object.metadata.labels?.tier} rv=${e.object.metadata.resourceVersion}`);
        }
        return out;
      };
      assert.deepEqual(await seen(live), expected, live.describe());
      const replayed = await WatchStream.open(b, `${selected}&resourceVersion=${list.metadata.resourceVersion}`);
      watches.push(replayed);
      assert.deepEqual(await seen(replayed), expected, replayed.describe());
      const types = [];
      for (let i = 0; i < 5; i++) types.push((await all.next()).type);
      assert.deepEqual(types, ["ADDED", "MODIFIED", "MODIFIED", "ADDED", "DELETED"], all.describe());
      // A watch without a resourceVersion starts with the current matching objects (none here).
      const fresh = await WatchStream.open(b, `${cmPath()}?watch=true&labelSelector=tier%3Dback`);
      watches.push(fresh);
      const first = await fresh.next();
      assert.deepEqual([first.type, first.object.metadata.name], ["ADDED", "other"], fresh.describe());
      for (const w of [live, all, replayed, fresh]) w.close();
    });

    await t.test("a watch from a compacted resourceVersion answers 200, an ERROR event with a 410 Expired Status, and ends", async () => {
      const first = await expectStatus(201, a, "POST", cmPath(), configMap("compacted", { v: "0" }));
      let rv = first.metadata.resourceVersion as string;
      for (let i = 1; i <= 3; i++) rv = (await expectStatus(200, a, "PUT", cmPath("compacted"), configMap("compacted", { v: String(i) }, rv))).metadata.resourceVersion;
      const store = await RedisStore.connect(cluster.redis.url);
      try {
        await store.compact(await store.currentRevision());
      } finally {
        await store.close();
      }
      const path = `${cmPath()}?watch=true&resourceVersion=${first.metadata.resourceVersion}`;
      for (const base of [a, b]) {
        const w = await WatchStream.open(base, path);
        watches.push(w);
        assert.equal(w.status, 200, w.describe());
        const e = await w.next();
        assert.equal(e.type, "ERROR", w.describe());
        assert.equal(e.object.kind, "Status", w.describe());
        assert.equal(e.object.code, 410, w.describe());
        assert.equal(e.object.reason, "Expired", w.describe());
        assert.equal(e.object.status, "Failure", w.describe());
        assert.ok(await w.ended(), `the server kept the stream open after the ERROR event:\n${w.describe()}`);
        w.close();
      }
      // A watch from the current revision still works after the compaction.
      const w = await WatchStream.open(b, `${cmPath()}?watch=true&resourceVersion=${rv}`);
      watches.push(w);
      assert.equal(w.status, 200, w.describe());
      const next = await expectStatus(200, a, "PUT", cmPath("compacted"), configMap("compacted", { v: "after" }, rv));
      const e = await w.next();
      assert.deepEqual([e.type, e.object.metadata.resourceVersion], ["MODIFIED", next.metadata.resourceVersion], w.describe());
      w.close();
    });

    await t.test("a kubectl get -w style Table watch on B returns Table rows for A's writes", async () => {
      const list = await expectStatus(200, b, "GET", cmPath(), undefined, { Accept: TABLE_ACCEPT });
      assert.equal(list.kind, "Table", JSON.stringify(list));
      assert.ok(list.columnDefinitions.length > 0, `the list Table has no columns:\n${JSON.stringify(list)}`);
      const names = list.columnDefinitions.map((c: any) => c.name);
      assert.deepEqual(names, ["Name", "Data", "Age"], JSON.stringify(list.columnDefinitions));
      assert.ok(list.metadata.resourceVersion, "the list Table has no resourceVersion");
      const w = await WatchStream.open(b, `${cmPath()}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, { Accept: TABLE_ACCEPT });
      watches.push(w);
      assert.equal(w.status, 200, w.describe());
      const created = await expectStatus(201, a, "POST", cmPath(), configMap("tabled", { one: "1", two: "2" }));
      const updated = await expectStatus(200, a, "PUT", cmPath("tabled"), configMap("tabled", { one: "1" }, created.metadata.resourceVersion));
      for (const [type, expected] of [
        ["ADDED", created],
        ["MODIFIED", updated],
      ] as const) {
        const e = await w.next();
        assert.equal(e.type, type, w.describe());
        assert.equal(e.object.kind, "Table", w.describe());
        assert.equal(e.object.apiVersion, "meta.k8s.io/v1", w.describe());
        assert.equal(e.object.rows.length, 1, w.describe());
        // As Kubernetes: the first event's Table carries the columns, later ones leave them out.
        if (type === "ADDED") assert.deepEqual(e.object.columnDefinitions.map((c: any) => c.name), names, w.describe());
        else assert.equal(e.object.columnDefinitions?.length ?? 0, 0, w.describe());
        const row = e.object.rows[0];
        assert.equal(row.cells[0], "tabled", w.describe());
        assert.equal(row.cells.length, 3, w.describe());
        assert.equal(row.cells[1], Object.keys(expected.data).length, `the Data cell counts the keys:\n${w.describe()}`);
        assert.equal(row.object.kind, "PartialObjectMetadata", w.describe());
        assert.equal(row.object.metadata.name, "tabled", w.describe());
        assert.equal(row.object.metadata.namespace, NS, w.describe());
        assert.equal(row.object.metadata.resourceVersion, expected.metadata.resourceVersion, w.describe());
      }
      w.close();
    });
  } finally {
    for (const w of watches) w.close();
    await cluster.stop();
  }
});
