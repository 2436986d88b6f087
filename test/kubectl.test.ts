// kubectl compatibility (issue 3, Must show): real kubectl against one local cluster. Every
// subtest runs kubectl the way a user would and asserts on its exit code and output, and on the
// live object where the output alone would not prove the behaviour. The subtests share one
// cluster and run in order: apply → get → watch → describe → diff → scale → label/annotate →
// patch → server-side apply → errors → delete → namespace delete.
// A failing kubectl call reports its arguments, exit code, stdout and stderr; re-run the same
// command with `-v=8` against a cluster (KEEP_LOGS=1 keeps the API server logs) to see the request.
import "reflect-metadata";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { projectRoot } from "../services/kernel/local-servers.js";
import { startCluster, type TestCluster } from "./harness/cluster.js";
import { findKubectl, Kubectl } from "./harness/kubectl.js";

/** KubectlResult: what one kubectl run gave back. */
// Loose view of a Kubernetes object, enough to read the fields the tests assert on.
type KubeObject = Record<string, any>;

/** table: kubectl's column output split into rows of cells (columns are separated by 2+ spaces). */
function table(stdout: string): string[][] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/\s{2,}/));
}

/** header: the first line of a table, as column names. */
function header(stdout: string): string[] {
  return table(stdout)[0] ?? [];
}

/** rowOf: the row whose NAME column (or column `col`) equals `name`. */
function rowOf(stdout: string, name: string, col = "NAME"): Record<string, string> {
  const [head, ...rows] = table(stdout);
  const i = head!.indexOf(col);
  const row = rows.find((r) => r[i] === name);
  assert.ok(row, `no row ${col}=${name} in:\n${stdout}`);
  return Object.fromEntries(head!.map((h, j) => [h, row[j] ?? ""]));
}

/** lines: non-empty output lines, sorted. */
function lines(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .sort();
}

/** describeField: `Key:   value` from kubectl describe output (first match, any indentation). */
function describeField(stdout: string, key: string): string | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^\\s*${escaped}:[ \\t]*(.*)$`, "m").exec(stdout);
  return m?.[1]?.trim();
}

async function waitFor(what: string, cond: () => boolean, output: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`${what} did not happen; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** editSample: the sample's text with every replacement applied; each must match. */
function edit(text: string, replacements: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of replacements) {
    assert.ok(out.includes(from), `sample no longer contains ${JSON.stringify(from)}`);
    out = out.replace(from, to);
  }
  return out;
}

const kubectlBinary = findKubectl();

test("kubectl - a user's everyday commands work against the cluster", { timeout: 180_000, skip: kubectlBinary ? false : "kubectl not installed" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kubectl-test-"));
  const home = join(dir, "home");
  mkdirSync(home);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const samples = join(projectRoot(), "k8s-dev", "samples");
  const appYaml = join(samples, "app.yaml");
  const secretYaml = join(samples, "secret.yaml");
  // The edit of the second apply: new image, a changed env var, the container port removed.
  const editedApp = file(
    "app-edited.yaml",
    edit(readFileSync(appYaml, "utf8"), [
      ["image: nginx:1.27", "image: nginx:1.29"],
      ["            - name: LOG_LEVEL\n              value: info", "            - name: LOG_LEVEL\n              value: debug"],
      ["          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n", ""],
    ]),
  );

  let cluster: TestCluster | undefined;
  try {
    cluster = await startCluster();
    const k = new Kubectl(kubectlBinary!, cluster.kubeconfig(0), home);
    const ns = ["-n", "demo"];

    await t.test("apply -f creates every object of a multi-document file", async () => {
      const out = await k.ok(["apply", "-f", appYaml, "-f", secretYaml]);
      assert.deepEqual(lines(out), [
        "configmap/web-config created",
        "deployment.apps/web created",
        "namespace/demo created",
        "secret/db-credentials created",
        "service/db created",
        "service/web created",
        "statefulset.apps/db created",
      ]);
      const deploy = await k.json(["deploy", "web", ...ns]);
      assert.equal(deploy.metadata.generation, 1);
      assert.match(deploy.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.ok(deploy.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"], "apply stores last-applied-configuration");
      assert.equal(deploy.spec.template.spec.restartPolicy, "Always", "pod template defaults applied");
      const svc = await k.json(["svc", "web", ...ns]);
      assert.match(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/, "a ClusterIP Service gets an IP");
      assert.equal((await k.json(["svc", "db", ...ns])).spec.clusterIP, "None");
      const secret = await k.json(["secret", "db-credentials", ...ns]);
      assert.equal(Buffer.from(secret.data.password, "base64").toString(), "change-me", "stringData folded into data");
    });

    await t.test("apply after an edit is kubectl's 3-way strategic merge", async () => {
      // A field set outside apply must survive the re-apply (it is in neither last-applied nor the file).
      await k.ok(["annotate", "deploy", "web", ...ns, "set-by=hand"]);
      // (Deployments count annotation changes in generation too, as Kubernetes does: they are copied to ReplicaSets.)
      const generationBefore = (await k.json(["deploy", "web", ...ns])).metadata.generation;
      assert.equal(generationBefore, 2, "a Deployment's annotation change bumps its generation");
      const out = await k.ok(["apply", "-f", editedApp]);
      assert.ok(out.includes("deployment.apps/web configured"), out);
      for (const same of ["namespace/demo unchanged", "configmap/web-config unchanged", "service/web unchanged", "service/db unchanged"]) {
        assert.ok(out.includes(same), `${same} in:\n${out}`);
      }
      const deploy = await k.json(["deploy", "web", ...ns]);
      const [container] = deploy.spec.template.spec.containers;
      assert.equal(deploy.spec.template.spec.containers.length, 1);
      assert.equal(container.image, "nginx:1.29");
      assert.equal(container.ports, undefined, "the port removed from the file is removed from the object");
      assert.deepEqual(
        container.env.map((e: KubeObject) => [e.name, e.value ?? "(from)"]),
        [["GREETING", "(from)"], ["LOG_LEVEL", "debug"], ["POD_NAME", "(from)"], ["POD_IP", "(from)"]],
        "env merged by name, order kept",
      );
      assert.equal(container.resources.limits.memory, "128Mi", "untouched fields kept");
      assert.equal(container.readinessProbe.httpGet.port, "http");
      assert.equal(deploy.metadata.annotations["set-by"], "hand", "a field applied by nobody is kept");
      assert.equal(deploy.metadata.generation, generationBefore + 1, "a spec change bumps generation once");
      const lastApplied = JSON.parse(deploy.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
      const appliedContainer = lastApplied.spec.template.spec.containers[0];
      assert.equal(appliedContainer.image, "nginx:1.29", "last-applied-configuration updated");
      assert.equal(appliedContainer.ports, undefined);
      assert.equal(lastApplied.metadata.annotations["set-by"], undefined);

      const again = await k.ok(["apply", "-f", editedApp]);
      assert.ok(again.includes("deployment.apps/web unchanged"), again);
      assert.equal((await k.json(["deploy", "web", ...ns])).metadata.generation, generationBefore + 1, "an unchanged apply changes nothing");
    });

    let webClusterIP = "";
    await t.test("get prints kubectl's table columns for each kind, and the wide ones with -o wide", async () => {
      webClusterIP = (await k.json(["svc", "web", ...ns])).spec.clusterIP;
      const cases: Array<{ what: string[]; columns: string[]; wide: string[] }> = [
        { what: ["deploy"], columns: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], wide: ["CONTAINERS", "IMAGES", "SELECTOR"] },
        { what: ["sts"], columns: ["NAME", "READY", "AGE"], wide: ["CONTAINERS", "IMAGES"] },
        { what: ["svc"], columns: ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], wide: ["SELECTOR"] },
        { what: ["cm"], columns: ["NAME", "DATA", "AGE"], wide: [] },
        { what: ["secret"], columns: ["NAME", "TYPE", "DATA", "AGE"], wide: [] },
      ];
      for (const c of cases) {
        assert.deepEqual(header(await k.ok(["get", ...c.what, ...ns])), c.columns, `columns of get ${c.what}`);
        assert.deepEqual(header(await k.ok(["get", ...c.what, ...ns, "-o", "wide"])), [...c.columns, ...c.wide], `columns of get ${c.what} -o wide`);
      }
      assert.deepEqual(header(await k.ok(["get", "ns"])), ["NAME", "STATUS", "AGE"]);

      const deploy = rowOf(await k.ok(["get", "deploy", ...ns, "-o", "wide"]), "web");
      assert.deepEqual([deploy.READY, deploy["UP-TO-DATE"], deploy.AVAILABLE], ["0/3", "0", "0"]);
      assert.deepEqual([deploy.CONTAINERS, deploy.IMAGES, deploy.SELECTOR], ["nginx", "nginx:1.29", "app=web"]);
      assert.match(deploy.AGE!, /^\d+s$/);
      const sts = rowOf(await k.ok(["get", "sts", ...ns, "-o", "wide"]), "db");
      assert.deepEqual([sts.READY, sts.CONTAINERS, sts.IMAGES], ["0/2", "db", "postgres:16"]);
      const svcs = await k.ok(["get", "svc", ...ns, "-o", "wide"]);
      const web = rowOf(svcs, "web");
      assert.deepEqual([web.TYPE, web["CLUSTER-IP"], web["EXTERNAL-IP"], web["PORT(S)"], web.SELECTOR], ["ClusterIP", webClusterIP, "<none>", "80/TCP", "app=web"]);
      const db = rowOf(svcs, "db");
      assert.deepEqual([db["CLUSTER-IP"], db["PORT(S)"]], ["None", "5432/TCP"]);
      assert.equal(rowOf(await k.ok(["get", "cm", ...ns]), "web-config").DATA, "3");
      const secret = rowOf(await k.ok(["get", "secret", ...ns]), "db-credentials");
      assert.deepEqual([secret.TYPE, secret.DATA], ["Opaque", "2"]);
      const namespaces = await k.ok(["get", "ns"]);
      for (const name of ["default", "kube-system", "kube-node-lease", "demo"]) assert.equal(rowOf(namespaces, name).STATUS, "Active");
    });

    await t.test("get -o json, -o yaml and -o name print the objects", async () => {
      const one = JSON.parse(await k.ok(["get", "deploy", "web", ...ns, "-o", "json"]));
      assert.deepEqual([one.apiVersion, one.kind, one.metadata.name, one.metadata.namespace], ["apps/v1", "Deployment", "web", "demo"]);
      const list = JSON.parse(await k.ok(["get", "deploy,svc", ...ns, "-o", "json"]));
      assert.equal(list.kind, "List");
      assert.deepEqual(list.items.map((o: KubeObject) => `${o.kind}/${o.metadata.name}`).sort(), ["Deployment/web", "Service/db", "Service/web"]);
      const yaml = parseYaml(await k.ok(["get", "sts", "db", ...ns, "-o", "yaml"]));
      const json = await k.json(["sts", "db", ...ns]);
      assert.equal(yaml.kind, "StatefulSet");
      assert.deepEqual(yaml.spec, json.spec, "-o yaml and -o json show the same object");
      assert.equal(yaml.spec.updateStrategy.type, "RollingUpdate");
      assert.equal(yaml.spec.podManagementPolicy, "OrderedReady");
      assert.deepEqual(lines(await k.ok(["get", "all", ...ns, "-o", "name"])), ["deployment.apps/web", "service/db", "service/web", "statefulset.apps/db"]);
      assert.deepEqual(lines(await k.ok(["get", "deploy,sts,cm", ...ns, "-o", "name"])), ["configmap/web-config", "deployment.apps/web", "statefulset.apps/db"]);
    });

    await t.test("get -A adds NAMESPACE and --show-labels adds LABELS", async () => {
      const all = await k.ok(["get", "deploy", "-A"]);
      assert.deepEqual(header(all), ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
      assert.equal(rowOf(all, "web").NAMESPACE, "demo");
      const wide = await k.ok(["get", "svc", "-A", "-o", "wide"]);
      assert.deepEqual(header(wide), ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"]);
      const namespaces = await k.ok(["get", "ns", "--show-labels"]);
      assert.deepEqual(header(namespaces), ["NAME", "STATUS", "AGE", "LABELS"]);
      assert.match(rowOf(namespaces, "demo").LABELS!, /app\.kubernetes\.io\/part-of=demo/);
      const labelled = await k.ok(["get", "deploy", "-A", "--show-labels"]);
      assert.deepEqual(header(labelled), ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "LABELS"]);
      assert.equal(rowOf(labelled, "web").LABELS, "app=web");
    });

    await t.test("get -l filters with equality and set-based selectors", async () => {
      const names = async (...args: string[]) => lines(await k.ok(["get", "svc,deploy,sts,cm", ...ns, "-o", "name", ...args]));
      assert.deepEqual(await names("-l", "app=web"), ["configmap/web-config", "deployment.apps/web", "service/web"]);
      assert.deepEqual(await names("-l", "app==db"), ["service/db", "statefulset.apps/db"]);
      assert.deepEqual(await names("-l", "app!=web"), ["service/db", "statefulset.apps/db"]);
      assert.deepEqual(await names("-l", "app in (web,db)"), ["configmap/web-config", "deployment.apps/web", "service/db", "service/web", "statefulset.apps/db"]);
      assert.deepEqual(await names("-l", "app notin (web)"), ["service/db", "statefulset.apps/db"]);
      assert.deepEqual(await names("-l", "app,app!=db"), ["configmap/web-config", "deployment.apps/web", "service/web"]);
      const none = await k.run(["get", "svc", ...ns, "-l", "!app"]);
      assert.equal(none.code, 0);
      assert.equal(none.stdout, "");
      assert.match(none.stderr, /No resources found in demo namespace\./);
      const bad = await k.fails(["get", "svc", ...ns, "-l", "app in (web"]);
      assert.match(bad.stderr, /Error from server \(BadRequest\)/);
    });

    await t.test("get --field-selector filters by metadata fields", async () => {
      assert.deepEqual(lines(await k.ok(["get", "svc", ...ns, "--field-selector", "metadata.name=db", "-o", "name"])), ["service/db"]);
      assert.deepEqual(lines(await k.ok(["get", "svc", ...ns, "--field-selector", "metadata.name!=db", "-o", "name"])), ["service/web"]);
      const cms = await k.ok(["get", "cm", "-A", "--field-selector", "metadata.namespace=demo"]);
      assert.deepEqual(table(cms).slice(1).map((r) => r[0]), ["demo"]);
      const bad = await k.fails(["get", "svc", ...ns, "--field-selector", "spec.nope=1"]);
      assert.match(bad.stderr, /Error from server \(BadRequest\).*field label not supported/);
    });

    await t.test("get -w prints the changes made meanwhile", async () => {
      const watcher = k.spawn(["get", "cm", ...ns, "-w", "--output-watch-events"]);
      try {
        await waitFor("the initial list", () => /ADDED\s+web-config/.test(watcher.output()), watcher.output);
        const cm = file("watched.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n  namespace: demo\ndata:\n  a: '1'\n");
        await k.ok(["create", "-f", cm]);
        await waitFor("ADDED watched", () => /ADDED\s+watched\s+1\s/.test(watcher.output()), watcher.output);
        await k.ok(["patch", "cm", "watched", ...ns, "--type=merge", "-p", '{"data":{"b":"2"}}']);
        await waitFor("MODIFIED watched", () => /MODIFIED\s+watched\s+2\s/.test(watcher.output()), watcher.output);
        await k.ok(["delete", "cm", "watched", ...ns]);
        await waitFor("DELETED watched", () => /DELETED\s+watched/.test(watcher.output()), watcher.output);
        assert.deepEqual(header(watcher.output()), ["EVENT", "NAME", "DATA", "AGE"]);
      } finally {
        await watcher.stop();
      }
    });

    await t.test("describe shows each kind's details", async () => {
      const deploy = await k.ok(["describe", "deploy", "web", ...ns]);
      assert.equal(describeField(deploy, "Name"), "web");
      assert.equal(describeField(deploy, "Namespace"), "demo");
      assert.equal(describeField(deploy, "Selector"), "app=web");
      assert.equal(describeField(deploy, "Replicas"), "3 desired | 0 updated | 0 total | 0 available | 0 unavailable");
      assert.equal(describeField(deploy, "StrategyType"), "RollingUpdate");
      assert.equal(describeField(deploy, "RollingUpdateStrategy"), "25% max unavailable, 25% max surge");
      assert.equal(describeField(deploy, "Image"), "nginx:1.29");
      assert.equal(describeField(deploy, "LOG_LEVEL"), "debug");
      assert.equal(describeField(deploy, "Events"), "<none>");

      const sts = await k.ok(["describe", "sts", "db", ...ns]);
      assert.equal(describeField(sts, "Replicas"), "2 desired | 0 total");
      assert.equal(describeField(sts, "Update Strategy"), "RollingUpdate");
      assert.equal(describeField(sts, "Image"), "postgres:16");
      assert.equal(describeField(sts, "Capacity"), "1Gi");
      assert.equal(describeField(sts, "StorageClass"), "standard");

      const svc = await k.ok(["describe", "svc", "web", ...ns]);
      assert.equal(describeField(svc, "Type"), "ClusterIP");
      assert.equal(describeField(svc, "IP"), webClusterIP);
      assert.equal(describeField(svc, "Port"), "http  80/TCP");
      assert.equal(describeField(svc, "TargetPort"), "http/TCP");
      assert.equal(describeField(svc, "Selector"), "app=web");

      const cm = await k.ok(["describe", "cm", "web-config", ...ns]);
      assert.equal(describeField(cm, "Labels"), "app=web");
      assert.match(cm, /^GREETING:\n----\nhello from the demo app$/m);
    });

    await t.test("diff exits 1 with the change, 0 without, and changes nothing", async () => {
      const before = await k.json(["deploy", "web", ...ns]);
      const changed = file("app-diff.yaml", edit(readFileSync(editedApp, "utf8"), [["image: nginx:1.29", "image: nginx:1.30"]]));
      const r = await k.run(["diff", "-f", changed]);
      assert.equal(r.code, 1, `diff with a change exits 1; stderr: ${r.stderr}`);
      assert.match(r.stdout, /^-\s+image: nginx:1\.29$/m);
      assert.match(r.stdout, /^\+\s+image: nginx:1\.30$/m);
      const generation = Number(before.metadata.generation);
      assert.match(r.stdout, new RegExp(`^-\\s+generation: ${generation}$`, "m"));
      assert.match(r.stdout, new RegExp(`^\\+\\s+generation: ${generation + 1}$`, "m"));
      const after = await k.json(["deploy", "web", ...ns]);
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, "diff must be a dry run");
      assert.equal(after.spec.template.spec.containers[0].image, "nginx:1.29");

      const same = await k.run(["diff", "-f", editedApp]);
      assert.equal(same.code, 0, `diff without a change exits 0; stdout:\n${same.stdout}\nstderr: ${same.stderr}`);
      assert.equal(same.stdout, "");
    });

    await t.test("scale changes spec.replicas of a Deployment and a StatefulSet", async () => {
      const generationBefore = (await k.json(["deploy", "web", ...ns])).metadata.generation;
      assert.equal((await k.ok(["scale", "deploy", "web", ...ns, "--replicas=5"])).trim(), "deployment.apps/web scaled");
      assert.equal((await k.ok(["scale", "sts", "db", ...ns, "--replicas=1"])).trim(), "statefulset.apps/db scaled");
      const deploy = await k.json(["deploy", "web", ...ns]);
      assert.equal(deploy.spec.replicas, 5);
      assert.equal(deploy.metadata.generation, generationBefore + 1, "scaling changes the spec");
      assert.equal((await k.json(["sts", "db", ...ns])).spec.replicas, 1);
      assert.equal(rowOf(await k.ok(["get", "deploy", ...ns]), "web").READY, "0/5");
      const stale = await k.fails(["scale", "deploy", "web", ...ns, "--replicas=2", "--current-replicas=3"]);
      assert.match(stale.stderr, /Expected replicas to be 3, was 5/);
      assert.equal((await k.json(["deploy", "web", ...ns])).spec.replicas, 5);
    });

    await t.test("label and annotate add, refuse to overwrite without --overwrite, overwrite, and remove", async () => {
      const labels = async () => (await k.json(["deploy", "web", ...ns])).metadata.labels;
      assert.equal((await k.ok(["label", "deploy", "web", ...ns, "team=a"])).trim(), "deployment.apps/web labeled");
      assert.deepEqual(await labels(), { app: "web", team: "a" });
      const refused = await k.fails(["label", "deploy", "web", ...ns, "team=b"]);
      assert.match(refused.stderr, /'team' already has a value \(a\), and --overwrite is false/);
      await k.ok(["label", "deploy", "web", ...ns, "team=b", "--overwrite"]);
      assert.deepEqual(await labels(), { app: "web", team: "b" });
      assert.equal((await k.ok(["label", "deploy", "web", ...ns, "team-"])).trim(), "deployment.apps/web unlabeled");
      assert.deepEqual(await labels(), { app: "web" });
      const stsGeneration = (await k.json(["sts", "db", ...ns])).metadata.generation;
      await k.ok(["label", "sts", "db", ...ns, "tier=data"]);
      const sts = await k.json(["sts", "db", ...ns]);
      assert.equal(sts.metadata.labels.tier, "data");
      assert.equal(sts.metadata.generation, stsGeneration, "a StatefulSet's metadata change leaves its generation alone");

      const annotations = async () => (await k.json(["cm", "web-config", ...ns])).metadata.annotations ?? {};
      assert.equal((await k.ok(["annotate", "cm", "web-config", ...ns, "note=x"])).trim(), "configmap/web-config annotated");
      assert.equal((await annotations()).note, "x");
      const refusedNote = await k.fails(["annotate", "cm", "web-config", ...ns, "note=y"]);
      assert.match(refusedNote.stderr, /'note' already has a value \(x\)/);
      await k.ok(["annotate", "cm", "web-config", ...ns, "note=y", "--overwrite"]);
      assert.equal((await annotations()).note, "y");
      await k.ok(["annotate", "cm", "web-config", ...ns, "note-"]);
      assert.equal((await annotations()).note, undefined);
      assert.ok((await annotations())["kubectl.kubernetes.io/last-applied-configuration"], "other annotations kept");
    });

    await t.test("patch with strategic merge (default), merge and JSON patch", async () => {
      const containers = async () => (await k.json(["deploy", "web", ...ns])).spec.template.spec.containers.map((c: KubeObject) => `${c.name}=${c.image}`).sort();
      const sidecar = '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}';
      assert.equal((await k.ok(["patch", "deploy", "web", ...ns, "-p", sidecar])).trim(), "deployment.apps/web patched");
      assert.deepEqual(await containers(), ["nginx=nginx:1.29", "sidecar=busybox:1.36"], "strategic merge adds to containers by name");
      await k.ok(["patch", "deploy", "web", ...ns, "--type=strategic", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
      assert.deepEqual(await containers(), ["nginx=nginx:1.29"], "$patch: delete removes one element");

      await k.ok(["patch", "deploy", "web", ...ns, "--type=merge", "-p", '{"metadata":{"labels":{"merged":"yes"}},"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox:1.36"}]}}}}']);
      assert.deepEqual(await containers(), ["only=busybox:1.36"], "a merge patch replaces the list");
      assert.equal((await k.json(["deploy", "web", ...ns])).metadata.labels.merged, "yes");

      await k.ok(["patch", "deploy", "web", ...ns, "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":2},{"op":"remove","path":"/metadata/labels/merged"}]']);
      const after = await k.json(["deploy", "web", ...ns]);
      assert.equal(after.spec.replicas, 2);
      assert.deepEqual(after.metadata.labels, { app: "web" });
      const failedTest = await k.fails(["patch", "deploy", "web", ...ns, "--type=json", "-p", '[{"op":"test","path":"/spec/replicas","value":7},{"op":"replace","path":"/spec/replicas","value":7}]']);
      assert.match(failedTest.stderr, /Error from server|The request is invalid/);
      const unchanged = await k.json(["deploy", "web", ...ns]);
      assert.equal(unchanged.spec.replicas, 2);
      assert.equal(unchanged.metadata.resourceVersion, after.metadata.resourceVersion, "a failed JSON patch changes nothing");
    });

    await t.test("apply --server-side creates then updates", async () => {
      const path = join(dir, "ssa.yaml");
      const write = (data: string) => writeFileSync(path, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: demo\n  labels:\n    via: ssa\ndata:\n${data}`);
      write("  a: '1'\n  b: '2'\n");
      assert.equal((await k.ok(["apply", "--server-side", "-f", path])).trim(), "configmap/ssa serverside-applied");
      const created = await k.json(["cm", "ssa", ...ns]);
      assert.deepEqual(created.data, { a: "1", b: "2" });
      assert.deepEqual(created.metadata.labels, { via: "ssa" });
      write("  a: '10'\n");
      assert.equal((await k.ok(["apply", "--server-side", "-f", path])).trim(), "configmap/ssa serverside-applied");
      const updated = await k.json(["cm", "ssa", ...ns]);
      assert.equal(updated.metadata.uid, created.metadata.uid);
      assert.deepEqual(updated.data, { a: "10" }, "a field the same manager no longer applies is removed");
    });

    await t.test("errors print as kubectl prints a Status: 422 with causes, 404, 409", async () => {
      const bad = file(
        "bad.yaml",
        [
          "apiVersion: apps/v1",
          "kind: Deployment",
          "metadata:",
          "  name: bad",
          "  namespace: demo",
          "spec:",
          "  replicas: -1",
          "  selector:",
          "    matchLabels:",
          "      app: wanted",
          "  template:",
          "    metadata:",
          "      labels:",
          "        app: other",
          "    spec:",
          "      containers:",
          "      - name: c",
          "        image: nginx",
          "",
        ].join("\n"),
      );
      for (const verb of ["apply", "create"]) {
        const r = await k.fails([verb, "-f", bad]);
        const errLines = r.stderr.trimEnd().split("\n");
        assert.match(errLines[0]!, /^The Deployment "bad" is invalid:/, r.stderr);
        const causes = errLines.filter((l) => l.startsWith("* "));
        assert.equal(causes.length, 2, r.stderr);
        assert.ok(causes.some((l) => l.startsWith("* spec.replicas: Invalid value: -1: ")), r.stderr);
        assert.ok(causes.some((l) => l.startsWith("* spec.template.metadata.labels: Invalid value: ") && l.includes("`selector` does not match template `labels`")), r.stderr);
      }
      const notCreated = await k.fails(["get", "deploy", "bad", ...ns]);
      assert.match(notCreated.stderr, /NotFound/);

      const nope = await k.fails(["get", "deploy", "nope", ...ns]);
      assert.equal(nope.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found');

      const cm = file("twice.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n  namespace: demo\ndata:\n  a: '1'\n");
      assert.equal((await k.ok(["create", "-f", cm])).trim(), "configmap/twice created");
      const again = await k.fails(["create", "-f", cm]);
      assert.match(again.stderr, /^Error from server \(AlreadyExists\): error when creating ".*twice\.yaml": configmaps "twice" already exists$/m);

      // A replace carrying a stale resourceVersion is a 409 Conflict.
      const stale = file("stale.yaml", await k.ok(["get", "cm", "twice", ...ns, "-o", "yaml"]));
      await k.ok(["label", "cm", "twice", ...ns, "bump=1"]);
      const conflict = await k.fails(["replace", "-f", stale]);
      assert.match(conflict.stderr, /Error from server \(Conflict\).*the object has been modified/);
    });

    // Rollouts (status, history, undo, restart, pause/resume) need the controllers: they are
    // covered against a whole cluster in test/e2e-rollout.test.ts and test/deployment.test.ts.

    await t.test("delete honours each cascade mode", async () => {
      const cmFile = (name: string) => file(`${name}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\n`);
      await k.ok(["create", "-f", cmFile("bg")]);
      assert.equal((await k.ok(["delete", "cm", "bg", ...ns, "--cascade=background"])).trim(), 'configmap "bg" deleted');
      assert.match((await k.fails(["get", "cm", "bg", ...ns])).stderr, /NotFound/);

      for (const [mode, finalizer] of [["foreground", "foregroundDeletion"], ["orphan", "orphan"]] as const) {
        const name = `cascade-${mode}`;
        await k.ok(["create", "-f", cmFile(name)]);
        assert.equal((await k.ok(["delete", "cm", name, ...ns, `--cascade=${mode}`, "--wait=false"])).trim(), `configmap "${name}" deleted`);
        // This cluster runs no controller-manager (test/kubectl-cascade.test.ts runs the garbage
        // collector): the object waits with its deletion finalizer.
        const pending = await k.json(["cm", name, ...ns]);
        assert.ok(pending.metadata.deletionTimestamp, `${mode}: deletionTimestamp set`);
        assert.deepEqual(pending.metadata.finalizers, [finalizer]);
        // Removing the last finalizer (what the garbage collector does) lets it go.
        await k.ok(["patch", "cm", name, ...ns, "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]']);
        assert.match((await k.fails(["get", "cm", name, ...ns])).stderr, /NotFound/);
      }
      const deploy = await k.ok(["delete", "deploy", "web", ...ns]);
      assert.equal(deploy.trim(), 'deployment.apps "web" deleted');
      assert.match((await k.fails(["get", "deploy", "web", ...ns])).stderr, /NotFound/);
    });

    await t.test("deleting a namespace deletes its contents, then itself", async () => {
      assert.ok(lines(await k.ok(["get", "sts,svc,cm,secret", ...ns, "-o", "name"])).length >= 5, "the namespace still has contents");
      assert.equal((await k.ok(["delete", "ns", "demo"])).trim(), 'namespace "demo" deleted');
      assert.match((await k.fails(["get", "ns", "demo"])).stderr, /Error from server \(NotFound\): namespaces "demo" not found/);
      const left = await k.run(["get", "sts,svc,cm,secret,deploy", ...ns, "-o", "name"]);
      assert.equal(left.code, 0, left.stderr);
      assert.equal(left.stdout, "", "contents of the deleted namespace are gone");
      assert.equal(rowOf(await k.ok(["get", "ns"]), "default").STATUS, "Active");
    });
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
