/**
 * infra/: the observability stack is validated, not run (no Docker here): the compose file,
 * the collector and Prometheus configs parse, every pipeline names defined components, and
 * every file they mount exists. The server configs the launcher uses exist too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../kernel/local-servers.js";

const infra = join(projectRoot(), "infra");
const load = (file: string): Record<string, any> => {
  const doc = parse(readFileSync(join(infra, file), "utf8"), { strict: true, uniqueKeys: true });
  assert.equal(typeof doc, "object", `${file} is a YAML mapping`);
  return doc;
};

test("infra - compose.yaml runs the collector, Jaeger and Prometheus, and every mounted file exists", () => {
  const compose = load("compose.yaml");
  const services = compose.services as Record<string, any>;
  assert.deepEqual(Object.keys(services).sort(), ["jaeger", "otel-collector", "prometheus"]);
  for (const [name, svc] of Object.entries(services)) {
    assert.match(String(svc.image), /^[\w./-]+:[\w.-]+$/, `${name} pins an image tag`);
    assert.ok(!String(svc.image).endsWith(":latest"), `${name} does not use :latest`);
    for (const dep of svc.depends_on ?? []) assert.ok(dep in services, `${name} depends on a defined service ${dep}`);
    for (const v of svc.volumes ?? []) {
      const source = String(v).split(":")[0]!;
      if (source.startsWith(".")) assert.ok(existsSync(resolve(infra, source)), `${name} mounts ${source}, which exists`);
    }
    for (const p of svc.ports ?? []) assert.match(String(p), /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${p} on loopback only`);
  }
  const mounted = Object.values(services).flatMap((s: any) => (s.volumes ?? []).map((v: string) => v.split(":")[0]));
  assert.ok(mounted.includes("./otel-collector.yaml") && mounted.includes("./prometheus.yml"));
});

test("infra - otel-collector.yaml pipelines use only defined receivers, processors and exporters", () => {
  const cfg = load("otel-collector.yaml");
  const pipelines = cfg.service.pipelines as Record<string, Record<string, string[]>>;
  assert.ok(pipelines.traces, "a traces pipeline");
  for (const [name, p] of Object.entries(pipelines)) {
    for (const section of ["receivers", "processors", "exporters"] as const) {
      for (const id of p[section] ?? []) assert.ok(cfg[section] && id in cfg[section], `${name}: ${section} ${id} is defined`);
    }
  }
  for (const ext of cfg.service.extensions ?? []) assert.ok(ext in cfg.extensions, `extension ${ext} is defined`);
  // Traces reach Jaeger, which the compose file runs under that host name.
  assert.ok(pipelines.traces!.exporters!.some((e) => String(cfg.exporters[e]?.endpoint ?? "").startsWith("jaeger:")));
  assert.ok(String(cfg.receivers.otlp.protocols.http.endpoint).endsWith(":4318"));
});

test("infra - prometheus.yml scrapes services that compose.yaml defines", () => {
  const prom = load("prometheus.yml");
  const services = Object.keys(load("compose.yaml").services);
  const targets = (prom.scrape_configs as any[]).flatMap((j) => j.static_configs.flatMap((s: any) => s.targets as string[]));
  assert.ok(targets.length > 0);
  for (const t of targets) assert.ok(services.includes(t.split(":")[0]!), `target ${t} is a compose service`);
});

test("infra - the server configs the launcher passes to nats-server and redis-server exist", () => {
  for (const f of ["nats.conf", "redis.conf", "nats-cluster.conf"]) assert.ok(existsSync(join(infra, f)), f);
  assert.match(readFileSync(join(infra, "redis.conf"), "utf8"), /^appendfsync always$/m);
});
