/**
 * Pod spec rules shared by Pods and every pod template (Deployment, ReplicaSet, StatefulSet):
 * v1 defaulting (`SetDefaults_PodSpec`, `SetDefaults_Container`, probes, volumes...), validation
 * (`ValidatePodSpec` and the container checks), and the QoS class a new Pod starts with.
 */
import { duplicate, forbidden, invalid, key, notFound, notSupported, path, required } from "./field.js";
import { validateAnnotations, validateLabels, validateNonnegative } from "./meta.js";
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from "./names.js";
import { parseQuantity } from "./quantity.js";
import type { FieldCause } from "./types.js";

// ---- defaults ----------------------------------------------------------------------

/** imageTag returns the tag of an image reference ("latest" when neither tag nor digest is given). */
export function imageTag(image: string): string {
  if (!image) return "";
  const at = image.indexOf("@");
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  if (colon >= 0) return withoutDigest.slice(colon + 1);
  return at >= 0 ? "" : "latest";
}

function defaultHTTPGet(h: any): void {
  if (!h) return;
  h.path ||= "/";
  h.scheme ||= "HTTP";
}

function defaultProbe(p: any): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
}

function defaultContainer(c: any, hostNetwork: boolean): void {
  if (!c || typeof c !== "object") return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? "") === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ||= "/dev/termination-log";
  c.terminationMessagePolicy ||= "File";
  for (const port of c.ports ?? []) {
    port.protocol ||= "TCP";
    if (hostNetwork && !port.hostPort) port.hostPort = port.containerPort;
  }
  for (const env of c.env ?? []) {
    const ref = env?.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ||= "v1";
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
}

const VOLUME_SOURCES = ["hostPath", "emptyDir", "secret", "persistentVolumeClaim", "configMap", "downwardAPI", "projected"] as const;
const DEFAULT_MODE = 0o644;

function defaultVolume(v: any): void {
  if (!v || typeof v !== "object") return;
  if (!VOLUME_SOURCES.some((s) => v[s])) v.emptyDir = {};
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_MODE;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_MODE;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = DEFAULT_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item?.fieldRef) item.fieldRef.apiVersion ||= "v1";
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = DEFAULT_MODE;
    for (const src of v.projected.sources ?? []) {
      for (const item of src?.downwardAPI?.items ?? []) if (item?.fieldRef) item.fieldRef.apiVersion ||= "v1";
      if (src?.serviceAccountToken && src.serviceAccountToken.expirationSeconds === undefined) src.serviceAccountToken.expirationSeconds = 3600;
    }
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = "";
}

/** defaultPodSpec applies the pod spec defaults shared by Pods and templates (mutates spec). */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== "object") return;
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  spec.securityContext ??= {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  spec.schedulerName ||= "default-scheduler";
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  else if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  const hostNetwork = spec.hostNetwork === true;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers ?? []) defaultContainer(c, hostNetwork);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** defaultPod applies Pod-only defaults on top of {@link defaultPodSpec}: enableServiceLinks, requests from limits. */
export function defaultPodOnly(spec: any): void {
  if (!spec || typeof spec !== "object") return;
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const limits = c?.resources?.limits;
    if (!limits || Object.keys(limits).length === 0) continue;
    c.resources.requests ??= {};
    for (const [name, q] of Object.entries(limits)) if (c.resources.requests[name] === undefined) c.resources.requests[name] = q;
  }
}

// ---- QoS ---------------------------------------------------------------------------

const QOS_RESOURCES = ["cpu", "memory"];

/** podQOSClass is `qos.GetPodQOS`: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits. */
export function podQOSClass(spec: any): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const [name, q] of Object.entries(c?.resources?.requests ?? {})) {
      const v = parseQuantity(q);
      if (QOS_RESOURCES.includes(name) && v !== undefined && v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    const found = new Set<string>();
    for (const [name, q] of Object.entries(c?.resources?.limits ?? {})) {
      const v = parseQuantity(q);
      if (QOS_RESOURCES.includes(name) && v !== undefined && v > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + v);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) if (limits.get(name) !== req) { guaranteed = false; break; }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

// ---- validation --------------------------------------------------------------------

const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES = ["FallbackToLogsOnError", "File"];
const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const TOLERATION_OPERATORS = ["Equal", "Exists"];
const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

/** validatePortNumOrName: an IntOrString port (number or IANA name). */
export function validatePortNumOrName(port: unknown, fld: string): FieldCause[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(fld, port, m));
  if (typeof port === "string") return isValidPortName(port).map((m) => invalid(fld, port, m));
  return [required(fld)];
}

function validateProbe(p: any, fld: string, mustSucceedOnce: boolean): FieldCause[] {
  if (!p) return [];
  const errs: FieldCause[] = [];
  const handlers = PROBE_HANDLERS.filter((h) => p[h]);
  if (handlers.length === 0) errs.push(required(fld, "must specify a handler type"));
  for (const h of handlers.slice(1)) errs.push(forbidden(path(fld, h), "may not specify more than 1 handler type"));
  if (p.httpGet) errs.push(...validatePortNumOrName(p.httpGet.port, path(fld, "httpGet", "port")));
  if (p.tcpSocket) errs.push(...validatePortNumOrName(p.tcpSocket.port, path(fld, "tcpSocket", "port")));
  if (p.httpGet?.scheme && !["HTTP", "HTTPS"].includes(p.httpGet.scheme)) errs.push(notSupported(path(fld, "httpGet", "scheme"), p.httpGet.scheme, ["HTTP", "HTTPS"]));
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
    errs.push(...validateNonnegative(p[f], path(fld, f)));
  }
  if (mustSucceedOnce && typeof p.successThreshold === "number" && p.successThreshold !== 1) {
    errs.push(invalid(path(fld, "successThreshold"), p.successThreshold, "must be 1"));
  }
  return errs;
}

function validateResources(r: any, fld: string): FieldCause[] {
  if (!r) return [];
  const errs: FieldCause[] = [];
  for (const part of ["limits", "requests"]) {
    for (const [name, q] of Object.entries(r[part] ?? {})) {
      const v = parseQuantity(q);
      if (v !== undefined && v < 0) errs.push(invalid(path(fld, part, key(name)), q, "must be greater than or equal to 0"));
      for (const msg of isQualifiedName(name)) errs.push(invalid(path(fld, part, key(name)), name, msg));
    }
  }
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const lim = r.limits?.[name];
    if (lim === undefined) continue;
    const rv = parseQuantity(q);
    const lv = parseQuantity(lim);
    if (rv !== undefined && lv !== undefined && rv > lv) {
      errs.push(invalid(path(fld, "requests", key(name)), String(q), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateContainer(c: any, fld: string, volumes: Set<string>, init: boolean, hostNetwork: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!c || typeof c !== "object") return [required(fld)];
  if (!c.name) errs.push(required(path(fld, "name")));
  else for (const msg of isDNS1123Label(c.name)) errs.push(invalid(path(fld, "name"), c.name, msg));
  if (!c.image) errs.push(required(path(fld, "image")));
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p: any, i: number) => {
    const pp = path(fld, "ports", i);
    if (p?.name) {
      for (const msg of isValidPortName(p.name)) errs.push(invalid(path(pp, "name"), p.name, msg));
      if (portNames.has(p.name)) errs.push(duplicate(path(pp, "name"), p.name));
      portNames.add(p.name);
    }
    if (p?.containerPort === undefined || p?.containerPort === 0) errs.push(required(path(pp, "containerPort")));
    else for (const msg of isValidPortNum(p.containerPort)) errs.push(invalid(path(pp, "containerPort"), p.containerPort, msg));
    if (p?.hostPort) for (const msg of isValidPortNum(p.hostPort)) errs.push(invalid(path(pp, "hostPort"), p.hostPort, msg));
    if (hostNetwork && p?.hostPort && p.hostPort !== p.containerPort) {
      errs.push(invalid(path(pp, "hostPort"), p.hostPort, "must match `containerPort` when `hostNetwork` is true"));
    }
    if (!p?.protocol) errs.push(required(path(pp, "protocol")));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path(pp, "protocol"), p.protocol, PROTOCOLS));
  });
  (c.env ?? []).forEach((e: any, i: number) => {
    const ep = path(fld, "env", i);
    if (!e?.name) errs.push(required(path(ep, "name")));
    else for (const msg of isEnvVarName(e.name)) errs.push(invalid(path(ep, "name"), e.name, msg));
    if (e?.value && e?.valueFrom) errs.push(invalid(path(ep, "valueFrom"), "", "may not be specified when `value` is not empty"));
    const ref = e?.valueFrom?.configMapKeyRef ?? e?.valueFrom?.secretKeyRef;
    if (ref && ref.key) for (const msg of isConfigMapKey(ref.key)) errs.push(invalid(path(ep, "valueFrom", e.valueFrom.configMapKeyRef ? "configMapKeyRef" : "secretKeyRef", "key"), ref.key, msg));
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    const mp = path(fld, "volumeMounts", i);
    if (!m?.name) errs.push(required(path(mp, "name")));
    else if (!volumes.has(m.name)) errs.push(notFound(path(mp, "name"), m.name));
    if (!m?.mountPath) errs.push(required(path(mp, "mountPath")));
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(path(mp, "mountPath"), m.mountPath, "must be unique"));
    else mountPaths.add(m.mountPath);
  });
  const sidecar = init && c.restartPolicy === "Always";
  if (init && !sidecar) {
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
      if (c[probe]) errs.push(forbidden(path(fld, probe), "may not be set for init containers without restartPolicy=Always"));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, path(fld, "livenessProbe"), true));
    errs.push(...validateProbe(c.readinessProbe, path(fld, "readinessProbe"), false));
    errs.push(...validateProbe(c.startupProbe, path(fld, "startupProbe"), true));
  }
  if (c.restartPolicy !== undefined) {
    if (!init) errs.push(forbidden(path(fld, "restartPolicy"), "may not be set for non-init containers"));
    else if (c.restartPolicy !== "Always") errs.push(notSupported(path(fld, "restartPolicy"), c.restartPolicy, ["Always"]));
  }
  errs.push(...validateResources(c.resources, path(fld, "resources")));
  if (!c.imagePullPolicy) errs.push(required(path(fld, "imagePullPolicy")));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(path(fld, "imagePullPolicy"), c.imagePullPolicy, PULL_POLICIES));
  if (!c.terminationMessagePolicy) errs.push(required(path(fld, "terminationMessagePolicy")));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(path(fld, "terminationMessagePolicy"), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  return errs;
}

function validateVolumes(volumes: any[] | undefined, fld: string): { errs: FieldCause[]; names: Set<string> } {
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v: any, i: number) => {
    const vp = path(fld, i);
    if (!v?.name) errs.push(required(path(vp, "name")));
    else {
      for (const msg of isDNS1123Label(v.name)) errs.push(invalid(path(vp, "name"), v.name, msg));
      if (names.has(v.name)) errs.push(duplicate(path(vp, "name"), v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v?.[s]);
    if (sources.length === 0) errs.push(required(vp, "must specify a volume type"));
    for (const s of sources.slice(1)) errs.push(forbidden(path(vp, s), "may not specify more than 1 volume type"));
    if (v?.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(path(vp, "persistentVolumeClaim", "claimName")));
    if (v?.hostPath && !v.hostPath.path) errs.push(required(path(vp, "hostPath", "path")));
  });
  return { errs, names };
}

function validateTolerations(tolerations: any[] | undefined, fld: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (tolerations ?? []).forEach((t: any, i: number) => {
    const tp = path(fld, i);
    if (t?.key) for (const msg of isQualifiedName(t.key)) errs.push(invalid(path(tp, "key"), t.key, msg));
    const op = t?.operator ?? "";
    if (!t?.key && op !== "Exists") errs.push(invalid(path(tp, "operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    if (op === "Exists" && t?.value) errs.push(invalid(path(tp, "operator"), op, "value must be empty when `operator` is 'Exists'"));
    else if (op !== "" && !TOLERATION_OPERATORS.includes(op)) errs.push(notSupported(path(tp, "operator"), op, TOLERATION_OPERATORS));
    if (t?.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(path(tp, "effect"), t.effect, TAINT_EFFECTS));
    if (t?.tolerationSeconds !== undefined && t?.effect !== "NoExecute") {
      errs.push(invalid(path(tp, "effect"), t?.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
  });
  return errs;
}

/** validatePodSpec: `ValidatePodSpec` for a Pod or a pod template at `fld` (`spec`, `spec.template.spec`). */
export function validatePodSpec(spec: any, fld: string): FieldCause[] {
  if (!spec || typeof spec !== "object") return [required(path(fld, "containers"))];
  const errs: FieldCause[] = [];
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes, path(fld, "volumes"));
  errs.push(...volErrs);
  const hostNetwork = spec.hostNetwork === true;
  const containers: any[] = spec.containers ?? [];
  const containerNames = new Set<string>();
  if (containers.length === 0) errs.push(required(path(fld, "containers")));
  containers.forEach((c, i) => {
    const cp = path(fld, "containers", i);
    errs.push(...validateContainer(c, cp, volumes, false, hostNetwork));
    if (c?.name) {
      if (containerNames.has(c.name)) errs.push(duplicate(path(cp, "name"), c.name));
      containerNames.add(c.name);
    }
  });
  (spec.initContainers ?? []).forEach((c: any, i: number) => {
    const cp = path(fld, "initContainers", i);
    errs.push(...validateContainer(c, cp, volumes, true, hostNetwork));
    if (c?.name) {
      if (containerNames.has(c.name)) errs.push(duplicate(path(cp, "name"), c.name));
      containerNames.add(c.name);
    }
  });
  if (!spec.restartPolicy) errs.push(required(path(fld, "restartPolicy")));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(notSupported(path(fld, "restartPolicy"), spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) errs.push(required(path(fld, "dnsPolicy")));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(notSupported(path(fld, "dnsPolicy"), spec.dnsPolicy, DNS_POLICIES));
  else if (spec.dnsPolicy === "None" && !spec.dnsConfig) errs.push(required(path(fld, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  errs.push(...validateLabels(spec.nodeSelector, path(fld, "nodeSelector")));
  if (spec.nodeName) for (const msg of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(path(fld, "nodeName"), spec.nodeName, msg));
  if (spec.serviceAccountName) for (const msg of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(path(fld, "serviceAccountName"), spec.serviceAccountName, msg));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > 2147483647) errs.push(invalid(path(fld, "activeDeadlineSeconds"), v, "must be between 1 and 2147483647, inclusive"));
  }
  if (spec.hostname) for (const msg of isDNS1123Label(spec.hostname)) errs.push(invalid(path(fld, "hostname"), spec.hostname, msg));
  if (spec.subdomain) for (const msg of isDNS1123Label(spec.subdomain)) errs.push(invalid(path(fld, "subdomain"), spec.subdomain, msg));
  if (spec.schedulerName) for (const msg of isDNS1123Subdomain(spec.schedulerName)) errs.push(invalid(path(fld, "schedulerName"), spec.schedulerName, msg));
  if (spec.priorityClassName) for (const msg of isDNS1123Subdomain(spec.priorityClassName)) errs.push(invalid(path(fld, "priorityClassName"), spec.priorityClassName, msg));
  errs.push(...validateTolerations(spec.tolerations, path(fld, "tolerations")));
  (spec.readinessGates ?? []).forEach((g: any, i: number) => {
    for (const msg of isQualifiedName(String(g?.conditionType ?? ""))) errs.push(invalid(path(fld, "readinessGates", i, "conditionType"), g?.conditionType ?? "", msg));
  });
  return errs;
}

/** validatePodTemplateSpec: `ValidatePodTemplateSpec` at `fld` (`spec.template`): labels, annotations, spec. */
export function validatePodTemplateSpec(template: any, fld: string): FieldCause[] {
  if (!template) return [required(fld)];
  return [
    ...validateLabels(template.metadata?.labels, path(fld, "metadata", "labels")),
    ...validateAnnotations(template.metadata?.annotations, path(fld, "metadata", "annotations")),
    ...validatePodSpec(template.spec, path(fld, "spec")),
  ];
}
