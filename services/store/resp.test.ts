import { test } from "node:test";
import assert from "node:assert/strict";
import { startRedis } from "../kernel/local-servers.js";
import { encodeCommand, header, parseReply, replyEnd, RespConnection, RespError, scanReply, scanStepsForTests, type RespReply } from "./resp.js";
import { StoreUnavailableError } from "./types.js";

const b = (s: string) => Buffer.from(s, "latin1");
const plain = (r: RespReply | RespError): unknown => (Buffer.isBuffer(r) ? `bulk:${r.toString("latin1")}` : Array.isArray(r) ? r.map(plain) : r instanceof RespError ? `error:${r.message}` : r);

test("resp - replies of every type parse; a reply cut anywhere is incomplete", () => {
  const cases: Array<[string, unknown]> = [
    ["+OK\r\n", "OK"],
    ["-ERR wrong\r\n", "error:ERR wrong"],
    [":-42\r\n", -42],
    ["$5\r\nab\r\nc\r\n", "bulk:ab\r\nc"], // a bulk string may hold CR LF
    ["$0\r\n\r\n", "bulk:"],
    ["$-1\r\n", null],
    ["*-1\r\n", null],
    ["*0\r\n", []],
    // An XREAD reply: [[stream, [[id, [field, value, ...]]]]]
    ["*1\r\n*2\r\n$7\r\nk8s:log\r\n*1\r\n*2\r\n$3\r\n7-1\r\n*4\r\n$4\r\ntype\r\n$5\r\nADDED\r\n$3\r\nkey\r\n$3\r\n/\r\n\r\n", [["bulk:k8s:log", [["bulk:7-1", ["bulk:type", "bulk:ADDED", "bulk:key", "bulk:/\r\n"]]]]]],
    ["*3\r\n:1\r\n$-1\r\n*2\r\n+QUEUED\r\n$1\r\nx\r\n", [1, null, ["QUEUED", "bulk:x"]]],
  ];
  for (const [text, want] of cases) {
    const buf = b(text + "+next\r\n");
    assert.equal(replyEnd(buf, 0), text.length, JSON.stringify(text));
    const [got, end] = parseReply(buf, 0);
    assert.deepEqual(plain(got), want, JSON.stringify(text));
    assert.equal(end, text.length);
    for (let cut = 0; cut < text.length; cut++) assert.equal(replyEnd(b(text.slice(0, cut)), 0), -1, `${JSON.stringify(text)} cut at ${cut}`);
    // A scan resumed as the reply arrives byte by byte ends where one whole scan does, walking each header once.
    const scan = { pos: 0, pending: 1 };
    const once = scanStepsForTests();
    replyEnd(buf, 0);
    const wholeSteps = scanStepsForTests() - once;
    const before = scanStepsForTests();
    for (let cut = 0; cut < text.length; cut++) assert.equal(scanReply(b(text.slice(0, cut)), scan), -1, `${JSON.stringify(text)} resumed at ${cut}`);
    assert.equal(scanReply(buf, scan), text.length, JSON.stringify(text));
    assert.equal(scanStepsForTests() - before, wholeSteps, `${JSON.stringify(text)}: each header is walked once`);
  }
  assert.equal(plain(parseReply(b("*2\r\n:1\r\n-EXECABORT x\r\n"), 0)[0]), "error:EXECABORT x", "an error inside an array is the reply's error");
  assert.equal(encodeCommand(["XREAD", "COUNT", 10, "ü"]), "*4\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$2\r\n10\r\n$2\r\nü\r\n");
});

test("resp - a connection answers in order, across split replies and commands in flight together; a closed one rejects", { timeout: 30_000 }, async () => {
  const redis = await startRedis();
  const conn = await RespConnection.open(redis.url, "resp-test");
  try {
    const big = "x".repeat(300_000); // arrives in several socket reads
    assert.equal(String(await conn.command(["CLIENT", "GETNAME"])), "resp-test");
    assert.equal(await conn.command(["SET", "k", big]), "OK");
    const [a, c, d] = await Promise.all([conn.command(["GET", "k"]), conn.command(["GET", "missing"]), conn.command(["INCRBY", "n", 5])]);
    // A reply parser of its own sees the complete reply's bytes.
    assert.equal(await conn.command(["GET", "k"], (buf, pos) => header(buf, pos)[0]), big.length);
    assert.equal((a as Buffer).toString(), big);
    assert.equal(c, null);
    assert.equal(d, 5);
    await assert.rejects(conn.command(["NOSUCHCOMMAND"]), RespError);
    assert.equal(await conn.command(["PING"]), "PONG", "an error reply leaves the connection usable");
    // A large array reply (a catch-up XRANGE) arrives in many socket reads; its completeness is
    // checked by one scan resumed per read, not a rescan from its start per read.
    const entries = 20_000;
    for (let i = 0; i < entries; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => conn.command(["XADD", "log", "*", "type", "ADDED", "value", `${"v".repeat(40)}${i + j}`])));
    }
    const stepsBefore = scanStepsForTests();
    const range = (await conn.command(["XRANGE", "log", "-", "+"])) as RespReply[][];
    const headers = 1 + entries * (1 + 1 + 1 + 4); // the array, and per entry: [id, [4 fields]]
    assert.equal(range.length, entries);
    assert.equal(String((range[entries - 1]![1] as Buffer[])[3]), `${"v".repeat(40)}${entries - 1}`);
    assert.ok(scanStepsForTests() - stepsBefore <= headers, `${scanStepsForTests() - stepsBefore} header steps for ${headers} headers`);
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => conn.command(["INCRBY", "m", i])));
    assert.deepEqual(many, Array.from({ length: 200 }, (_, i) => (i * (i + 1)) / 2));
    const blocked = conn.command(["XREAD", "BLOCK", 10_000, "STREAMS", "s", "$"]);
    conn.close();
    await assert.rejects(blocked, StoreUnavailableError);
    await assert.rejects(conn.command(["PING"]), StoreUnavailableError);
  } finally {
    conn.close();
    await redis.stop();
  }
  await assert.rejects(RespConnection.open(redis.url, "resp-test", 2000), StoreUnavailableError, "nothing listens any more");
});
