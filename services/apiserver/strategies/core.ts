/**
 * core/v1 kinds other than Pod: Namespace, Node, Service, Endpoints, ConfigMap, Secret,
 * PersistentVolumeClaim, PersistentVolume, Event.
 */
import { age, ageColumn, column, makeStrategy, nameColumn } from "./base.js";
import { translateTimestampSince } from "./duration.js";
import { duplicate, forbidden, invalid, key, notSupported, path, required, tooLong } from "./field.js";
import { clone, deepEqual, validateImmutable, validateLabels, validateLabelSelector, validateNonnegative } from "./meta.js";
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isIPv6,
  isQualifiedName,
  isValidIP,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from "./names.js";
import { validatePortNumOrName } from "./pod-spec.js";
import { parseQuantity } from "./quantity.js";
import { formatLabels } from "./selector.js";
import type { FieldCause, Strategy } from "./types.js";

/** Largest total size of a ConfigMap's or Secret's data (1 MiB). */
export const MAX_SECRET_SIZE = 1024 * 1024;

const PROTOCOLS = ["SCTP", "TCP", "UDP"];

// ---- Namespace ---------------------------------------------------------------------

const STANDARD_FINALIZERS = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

/** namespaceStrategy: the Namespace kind (finalizer `kubernetes` on create, phase Active). */
export const namespaceStrategy: Strategy = makeStrategy({
  kind: "Namespace",
  namespaced: false,
  nameValidator: nameIsDNSLabel,
  hasStatus: true,
  defaults(ns) {
    ns.metadata ??= {};
    if (ns.metadata.name) {
      ns.metadata.labels ??= {};
      ns.metadata.labels["kubernetes.io/metadata.name"] = ns.metadata.name;
    }
  },
  defaultStatus(ns) {
    ns.status ??= {};
    ns.status.phase ||= "Active";
  },
  initialStatus: () => ({ phase: "Active" }),
  prepareForCreate(ns) {
    ns.spec ??= {};
    const finalizers: string[] = ns.spec.finalizers ?? [];
    if (!finalizers.includes("kubernetes")) ns.spec.finalizers = [...finalizers, "kubernetes"];
  },
  prepareForUpdate(ns, old) {
    const finalizers = clone(old?.spec?.finalizers);
    if (finalizers === undefined) { if (ns.spec) delete ns.spec.finalizers; }
    else { ns.spec ??= {}; ns.spec.finalizers = finalizers; }
  },
  validate(ns) {
    const errs: FieldCause[] = [];
    for (const f of ns?.spec?.finalizers ?? []) {
      const msgs = isQualifiedName(String(f));
      for (const msg of msgs) errs.push(invalid(path("spec", "finalizers"), f, msg));
      if (msgs.length === 0 && !String(f).includes("/") && !STANDARD_FINALIZERS.has(f)) {
        errs.push(invalid(path("spec", "finalizers"), f, "name is neither a standard finalizer name nor is it fully qualified"));
      }
    }
    return errs;
  },
  table: {
    columns: [nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()],
    cells: (ns, now) => [ns?.metadata?.name ?? "", ns?.status?.phase ?? "", age(ns, now)],
  },
});

// ---- Node --------------------------------------------------------------------------

const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v) roles.add(v);
  }
  return [...roles].sort();
}

function nodeAddress(node: any, type: string): string {
  return (node?.status?.addresses ?? []).find((a: any) => a?.type === type)?.address ?? "<none>";
}

/** nodeStatusString is kubectl's Node STATUS: Ready / NotReady / Unknown, plus SchedulingDisabled. */
export function nodeStatusString(node: any): string {
  const status: string[] = [];
  const ready = (node?.status?.conditions ?? []).find((c: any) => c?.type === "Ready");
  if (ready) status.push(ready.status === "True" ? "Ready" : "NotReady");
  else status.push("Unknown");
  if (node?.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

/** nodeStrategy: the Node kind (cluster-scoped; status kept from the creator). */
export const nodeStrategy: Strategy = makeStrategy({
  kind: "Node",
  namespaced: false,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  defaultStatus(node) {
    const st = node.status;
    if (st && st.capacity && !st.allocatable) st.allocatable = { ...st.capacity };
  },
  initialStatus: (node) => node.status,
  validate(node) {
    const errs: FieldCause[] = [];
    const seen = new Set<string>();
    (node?.spec?.taints ?? []).forEach((t: any, i: number) => {
      const tp = path("spec", "taints", i);
      if (!t?.key) errs.push(required(path(tp, "key")));
      else for (const msg of isQualifiedName(t.key)) errs.push(invalid(path(tp, "key"), t.key, msg));
      if (!t?.effect) errs.push(required(path(tp, "effect")));
      else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(path(tp, "effect"), t.effect, TAINT_EFFECTS));
      const id = `${t?.key}/${t?.effect}`;
      if (seen.has(id)) errs.push(duplicate(tp, `${t?.key}:${t?.effect}`));
      seen.add(id);
    });
    return errs;
  },
  validateUpdate(node, old) {
    const errs: FieldCause[] = [];
    const oldCIDRs: string[] = old?.spec?.podCIDRs ?? (old?.spec?.podCIDR ? [old.spec.podCIDR] : []);
    const newCIDRs: string[] = node?.spec?.podCIDRs ?? (node?.spec?.podCIDR ? [node.spec.podCIDR] : []);
    if (oldCIDRs.length > 0 && !deepEqual(oldCIDRs, newCIDRs)) {
      errs.push(forbidden(path("spec", "podCIDRs"), 'node updates may not change podCIDR except from "" to valid'));
    }
    if (old?.spec?.providerID && node?.spec?.providerID !== old.spec.providerID) {
      errs.push(forbidden(path("spec", "providerID"), 'node updates may not change providerID except from "" to valid'));
    }
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      column("Status", "string", "The status of the node"),
      column("Roles", "string", "The roles of the node"),
      ageColumn(),
      column("Version", "string", "Kubelet Version reported by the node."),
      column("Internal-IP", "string", "List of addresses reachable to the node.", 1),
      column("External-IP", "string", "List of addresses reachable to the node.", 1),
      column("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
      column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
      column("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ],
    cells(node, now) {
      const info = node?.status?.nodeInfo ?? {};
      return [
        node?.metadata?.name ?? "", nodeStatusString(node), nodeRoles(node?.metadata?.labels).join(",") || "<none>", age(node, now),
        info.kubeletVersion ?? "", nodeAddress(node, "InternalIP"), nodeAddress(node, "ExternalIP"),
        info.osImage || "<unknown>", info.kernelVersion || "<unknown>", info.containerRuntimeVersion || "<unknown>",
      ];
    },
  },
});

// ---- Service -----------------------------------------------------------------------

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const needsClusterIP = (svc: any) => svc?.spec?.type !== "ExternalName";
const needsNodePort = (svc: any) => svc?.spec?.type === "NodePort" || svc?.spec?.type === "LoadBalancer";

function defaultService(svc: any): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  else if (spec.sessionAffinity === "ClientIP") {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  spec.type ||= "ClusterIP";
  for (const p of spec.ports ?? []) {
    if (!p || typeof p !== "object") continue;
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (needsNodePort(svc)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
  if (needsClusterIP(svc)) {
    spec.internalTrafficPolicy ||= "Cluster";
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    else if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
    spec.ipFamilyPolicy ||= "SingleStack";
    if (!spec.ipFamilies?.length) spec.ipFamilies = [spec.clusterIP && isIPv6(spec.clusterIP) ? "IPv6" : "IPv4"];
  }
}

function validateServicePorts(svc: any): FieldCause[] {
  const spec = svc?.spec ?? {};
  const errs: FieldCause[] = [];
  const ports: any[] = spec.ports ?? [];
  const headless = spec.clusterIP === "None";
  if (ports.length === 0 && !headless && spec.type !== "ExternalName") errs.push(required(path("spec", "ports")));
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const pp = path("spec", "ports", i);
    if (ports.length > 1 && !p?.name) errs.push(required(path(pp, "name")));
    else if (p?.name) {
      for (const msg of isDNS1123Label(p.name)) errs.push(invalid(path(pp, "name"), p.name, msg));
      if (names.has(p.name)) errs.push(duplicate(path(pp, "name"), p.name));
      names.add(p.name);
    }
    for (const msg of isValidPortNum(p?.port)) errs.push(invalid(path(pp, "port"), p?.port ?? 0, msg));
    if (!p?.protocol) errs.push(required(path(pp, "protocol")));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path(pp, "protocol"), p.protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p?.targetPort, path(pp, "targetPort")));
    if (p?.nodePort) {
      if (spec.type === "ClusterIP") errs.push(forbidden(path(pp, "nodePort"), "may not be used when `type` is 'ClusterIP'"));
      else for (const msg of isValidPortNum(p.nodePort)) errs.push(invalid(path(pp, "nodePort"), p.nodePort, msg));
    }
    const id = `${p?.port}/${p?.protocol}`;
    if (seen.has(id)) errs.push(duplicate(pp, `${id}`));
    seen.add(id);
  });
  return errs;
}

function validateService(svc: any): FieldCause[] {
  const spec = svc?.spec ?? {};
  const errs: FieldCause[] = [];
  if (!spec.type) errs.push(required(path("spec", "type")));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported(path("spec", "type"), spec.type, SERVICE_TYPES));
  if (spec.type === "ExternalName") {
    if (!spec.externalName) errs.push(required(path("spec", "externalName")));
    else for (const msg of isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, ""))) errs.push(invalid(path("spec", "externalName"), spec.externalName, msg));
    if (spec.clusterIPs?.length || spec.clusterIP) errs.push(forbidden(path("spec", "clusterIPs"), "may not be set for ExternalName services"));
  }
  errs.push(...validateServicePorts(svc));
  (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).forEach((ip: string, i: number) => {
    if (i === 0 && ip === "None") return;
    for (const msg of isValidIP(ip)) errs.push(invalid(path("spec", "clusterIPs", i), ip, msg));
  });
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(invalid(path("spec", "clusterIPs"), spec.clusterIPs, "first value must match `clusterIP`"));
  }
  if (spec.sessionAffinity && !["ClientIP", "None"].includes(spec.sessionAffinity)) {
    errs.push(notSupported(path("spec", "sessionAffinity"), spec.sessionAffinity, ["ClientIP", "None"]));
  }
  errs.push(...validateLabels(spec.selector, path("spec", "selector")));
  if (spec.externalTrafficPolicy) {
    if (!needsNodePort(svc)) errs.push(invalid(path("spec", "externalTrafficPolicy"), spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (!["Cluster", "Local"].includes(spec.externalTrafficPolicy)) errs.push(notSupported(path("spec", "externalTrafficPolicy"), spec.externalTrafficPolicy, ["Cluster", "Local"]));
  }
  if (spec.internalTrafficPolicy && !["Cluster", "Local"].includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported(path("spec", "internalTrafficPolicy"), spec.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  if (spec.ipFamilyPolicy && !["PreferDualStack", "RequireDualStack", "SingleStack"].includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(path("spec", "ipFamilyPolicy"), spec.ipFamilyPolicy, ["PreferDualStack", "RequireDualStack", "SingleStack"]));
  }
  (spec.ipFamilies ?? []).forEach((f: string, i: number) => {
    if (!["IPv4", "IPv6"].includes(f)) errs.push(notSupported(path("spec", "ipFamilies", i), f, ["IPv4", "IPv6"]));
  });
  for (const ip of spec.externalIPs ?? []) for (const msg of isValidIP(ip)) errs.push(invalid(path("spec", "externalIPs"), ip, msg));
  return errs;
}

function serviceExternalIP(svc: any): string {
  const spec = svc?.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = [...new Set((svc?.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip || i?.hostname).filter(Boolean) as string[])].sort();
      if (external.length) return [...lb, ...external].join(",");
      return lb.length ? lb.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
  }
  return "<unknown>";
}

/** servicePortsString is kubectl's PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma-separated. */
export function servicePortsString(ports: any[] | undefined): string {
  const s = (ports ?? []).map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`)).join(",");
  return s || "<none>";
}

/** serviceStrategy: the Service kind (cluster IP allocation is the registry's). */
export const serviceStrategy: Strategy = makeStrategy({
  kind: "Service",
  namespaced: true,
  nameValidator: nameIsDNS1035Label,
  hasStatus: true,
  defaults: defaultService,
  initialStatus: () => ({ loadBalancer: {} }),
  prepareForUpdate(svc, old) {
    const spec = (svc.spec ??= {});
    const oldSpec = old?.spec ?? {};
    if (needsClusterIP(svc) && needsClusterIP(old) && !spec.clusterIP && oldSpec.clusterIP) {
      spec.clusterIP = oldSpec.clusterIP;
      spec.clusterIPs = clone(oldSpec.clusterIPs ?? [oldSpec.clusterIP]);
      if (oldSpec.ipFamilies) spec.ipFamilies = clone(oldSpec.ipFamilies);
      if (oldSpec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
    }
    if (needsNodePort(svc) && needsNodePort(old)) {
      for (const p of spec.ports ?? []) {
        if (p?.nodePort) continue;
        const prev = (oldSpec.ports ?? []).find((o: any) => o?.port === p?.port && (o?.protocol ?? "TCP") === (p?.protocol ?? "TCP"));
        if (prev?.nodePort) p.nodePort = prev.nodePort;
      }
    }
  },
  validate: validateService,
  validateUpdate(svc, old) {
    const errs: FieldCause[] = [];
    const o: string[] = old?.spec?.clusterIPs ?? [];
    const n: string[] = svc?.spec?.clusterIPs ?? [];
    if (needsClusterIP(old) && needsClusterIP(svc) && o.length > 0 && n.length > 0 && o[0] !== n[0]) {
      errs.push(invalid(path("spec", "clusterIPs", 0), n[0], "may not change once set"));
    }
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      column("Type", "string", "type determines how the Service is exposed."),
      column("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
      column("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
      column("Port(s)", "string", "The list of ports that are exposed by this service."),
      ageColumn(),
      column("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
    ],
    cells: (svc, now) => [
      svc?.metadata?.name ?? "", svc?.spec?.type ?? "", svc?.spec?.clusterIPs?.[0] || "<none>", serviceExternalIP(svc),
      servicePortsString(svc?.spec?.ports), age(svc, now), formatLabels(svc?.spec?.selector),
    ],
  },
});

// ---- Endpoints ---------------------------------------------------------------------

function joinHostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** endpointsString is kubectl's ENDPOINTS cell: up to 3 `ip:port`, then `+ N more...`. */
export function endpointsString(ep: any): string {
  const subsets: any[] = ep?.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(a?.ip ?? "");
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(joinHostPort(a?.ip ?? "", p?.port ?? 0));
      }
    }
  }
  const s = list.join(",");
  return more ? `${s} + ${count - max} more...` : s;
}

/** endpointsStrategy: the Endpoints kind. */
export const endpointsStrategy: Strategy = makeStrategy({
  kind: "Endpoints",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss?.ports ?? []) if (p) p.protocol ||= "TCP";
  },
  validate(ep) {
    const errs: FieldCause[] = [];
    (ep?.subsets ?? []).forEach((ss: any, i: number) => {
      const sp = path("subsets", i);
      for (const list of ["addresses", "notReadyAddresses"]) {
        (ss?.[list] ?? []).forEach((a: any, j: number) => {
          if (!a?.ip) errs.push(required(path(sp, list, j, "ip")));
          else for (const msg of isValidIP(a.ip)) errs.push(invalid(path(sp, list, j, "ip"), a.ip, msg));
          if (a?.hostname) for (const msg of isDNS1123Label(a.hostname)) errs.push(invalid(path(sp, list, j, "hostname"), a.hostname, msg));
        });
      }
      const ports: any[] = ss?.ports ?? [];
      const names = new Set<string>();
      ports.forEach((p: any, j: number) => {
        const pp = path(sp, "ports", j);
        if (ports.length > 1 && !p?.name) errs.push(required(path(pp, "name")));
        else if (p?.name) {
          for (const msg of isDNS1123Label(p.name)) errs.push(invalid(path(pp, "name"), p.name, msg));
          if (names.has(p.name)) errs.push(duplicate(path(pp, "name"), p.name));
          names.add(p.name);
        }
        for (const msg of isValidPortNum(p?.port)) errs.push(invalid(path(pp, "port"), p?.port ?? 0, msg));
        if (!p?.protocol) errs.push(required(path(pp, "protocol")));
        else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path(pp, "protocol"), p.protocol, PROTOCOLS));
      });
    });
    return errs;
  },
  table: {
    columns: [nameColumn(), column("Endpoints", "string", "The set of all endpoints is the union of all subsets."), ageColumn()],
    cells: (ep, now) => [ep?.metadata?.name ?? "", endpointsString(ep), age(ep, now)],
  },
});

// ---- ConfigMap and Secret ----------------------------------------------------------

const base64Length = (s: unknown) => (typeof s === "string" ? Buffer.from(s, "base64").length : 0);
const IMMUTABLE_SET = "field is immutable when `immutable` is set";

function validateDataKeys(data: Record<string, unknown> | undefined, fld: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const k of Object.keys(data ?? {})) for (const msg of isConfigMapKey(k)) errs.push(invalid(path(fld, key(k)), k, msg));
  return errs;
}

function validateImmutableData(obj: any, old: any, fields: string[]): FieldCause[] {
  if (old?.immutable !== true) return [];
  const errs: FieldCause[] = [];
  if (obj?.immutable !== true) errs.push(forbidden("immutable", IMMUTABLE_SET));
  for (const f of fields) if (!deepEqual(obj?.[f] ?? {}, old?.[f] ?? {})) errs.push(forbidden(f, IMMUTABLE_SET));
  return errs;
}

/** configMapStrategy: the ConfigMap kind. */
export const configMapStrategy: Strategy = makeStrategy({
  kind: "ConfigMap",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  validate(cm) {
    const errs: FieldCause[] = [...validateDataKeys(cm?.data, "data"), ...validateDataKeys(cm?.binaryData, "binaryData")];
    let size = 0;
    for (const [k, v] of Object.entries(cm?.data ?? {})) {
      size += Buffer.byteLength(String(v), "utf8");
      if (cm?.binaryData && Object.hasOwn(cm.binaryData, k)) errs.push(invalid(path("data", key(k)), k, "duplicate of key present in binaryData"));
    }
    for (const [k, v] of Object.entries(cm?.binaryData ?? {})) {
      size += base64Length(v);
      if (cm?.data && Object.hasOwn(cm.data, k)) errs.push(invalid(path("binaryData", key(k)), k, "duplicate of key present in data"));
    }
    if (size > MAX_SECRET_SIZE) errs.push(tooLong("", MAX_SECRET_SIZE));
    return errs;
  },
  validateUpdate: (cm, old) => validateImmutableData(cm, old, ["data", "binaryData"]),
  table: {
    columns: [nameColumn(), column("Data", "string", "Data contains the configuration data."), ageColumn()],
    cells: (cm, now) => [cm?.metadata?.name ?? "", Object.keys(cm?.data ?? {}).length + Object.keys(cm?.binaryData ?? {}).length, age(cm, now)],
  },
});

function secretTypeErrors(secret: any): FieldCause[] {
  const data: Record<string, string> = secret?.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  const errs: FieldCause[] = [];
  switch (secret?.type) {
    case "kubernetes.io/service-account-token":
      if (!secret?.metadata?.annotations?.["kubernetes.io/service-account.name"]) {
        errs.push(required(path("metadata", "annotations", key("kubernetes.io/service-account.name"))));
      }
      break;
    case "kubernetes.io/dockercfg":
    case "kubernetes.io/dockerconfigjson": {
      const k = secret.type === "kubernetes.io/dockercfg" ? ".dockercfg" : ".dockerconfigjson";
      if (!has(k)) { errs.push(required(path("data", key(k)))); break; }
      try { JSON.parse(Buffer.from(data[k], "base64").toString("utf8")); }
      catch (e) { errs.push(invalid(path("data", key(k)), "<secret contents redacted>", (e as Error).message)); }
      break;
    }
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) errs.push(required(path("data", key("username"))), required(path("data", key("password"))));
      break;
    case "kubernetes.io/ssh-auth":
      if (base64Length(data["ssh-privatekey"]) === 0) errs.push(required(path("data", key("ssh-privatekey"))));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(required(path("data", key("tls.crt"))));
      if (!has("tls.key")) errs.push(required(path("data", key("tls.key"))));
      break;
  }
  return errs;
}

/** secretStrategy: the Secret kind (type Opaque by default; stringData merged into data). */
export const secretStrategy: Strategy = makeStrategy({
  kind: "Secret",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  defaults(secret) {
    secret.type ||= "Opaque";
    if (secret.stringData && typeof secret.stringData === "object") {
      secret.data ??= {};
      for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v), "utf8").toString("base64");
      delete secret.stringData;
    }
  },
  validate(secret) {
    const errs = validateDataKeys(secret?.data, "data");
    let size = 0;
    for (const v of Object.values(secret?.data ?? {})) size += base64Length(v);
    if (size > MAX_SECRET_SIZE) errs.push(tooLong("data", MAX_SECRET_SIZE));
    errs.push(...secretTypeErrors(secret));
    return errs;
  },
  validateUpdate: (secret, old) => [
    ...validateImmutable(secret?.type ?? "", old?.type ?? "", "type"),
    ...validateImmutableData(secret, old, ["data"]),
  ],
  table: {
    columns: [
      nameColumn(),
      column("Type", "string", "Used to facilitate programmatic handling of secret data."),
      column("Data", "string", "Data contains the secret data."),
      ageColumn(),
    ],
    cells: (s, now) => [s?.metadata?.name ?? "", s?.type ?? "", Object.keys(s?.data ?? {}).length, age(s, now)],
  },
});

// ---- PersistentVolumeClaim and PersistentVolume ------------------------------------

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const VOLUME_MODES = ["Block", "Filesystem"];
const RECLAIM_POLICIES = ["Delete", "Recycle", "Retain"];
const PV_SOURCES = ["hostPath", "local", "nfs", "csi"];
const STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

/** accessModesString is kubectl's ACCESS MODES cell (RWO,ROX,RWX,RWOP). */
export function accessModesString(modes: string[] | undefined): string {
  const m = modes ?? [];
  const out: string[] = [];
  if (m.includes("ReadWriteOnce")) out.push("RWO");
  if (m.includes("ReadOnlyMany")) out.push("ROX");
  if (m.includes("ReadWriteMany")) out.push("RWX");
  if (m.includes("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

function storageClassOf(obj: any): string {
  return obj?.metadata?.annotations?.[STORAGE_CLASS_ANNOTATION] ?? obj?.spec?.storageClassName ?? "";
}

function validateAccessModes(modes: string[] | undefined, fld: string): FieldCause[] {
  if (!modes?.length) return [required(fld, "at least 1 access mode is required")];
  const errs: FieldCause[] = [];
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(fld, m, ACCESS_MODES));
  if (modes.includes("ReadWriteOncePod") && modes.length > 1) errs.push(forbidden(fld, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

/** validatePersistentVolumeClaimSpec: `ValidatePersistentVolumeClaimSpec` at `fld`. */
export function validatePersistentVolumeClaimSpec(spec: any, fld: string): FieldCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, path(fld, "accessModes"));
  errs.push(...validateLabelSelector(s.selector, path(fld, "selector")));
  const storage = s.resources?.requests?.storage;
  const storagePath = path(fld, "resources", key("storage"));
  if (storage === undefined) errs.push(required(storagePath));
  else {
    const v = parseQuantity(storage);
    if (v !== undefined && v <= 0) errs.push(invalid(storagePath, String(storage), "must be greater than zero"));
  }
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(path(fld, "volumeMode"), s.volumeMode, VOLUME_MODES));
  if (s.storageClassName) for (const msg of isDNS1123Subdomain(s.storageClassName)) errs.push(invalid(path(fld, "storageClassName"), s.storageClassName, msg));
  return errs;
}

/** defaultPersistentVolumeClaim: phase Pending, volumeMode Filesystem. */
export function defaultPersistentVolumeClaim(pvc: any): void {
  defaultClaimSpec(pvc);
  defaultPhasePending(pvc);
}

function defaultClaimSpec(pvc: any): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ??= "Filesystem";
}

/** Status defaults of PersistentVolumes and PersistentVolumeClaims: phase Pending. */
function defaultPhasePending(obj: any): void {
  obj.status ??= {};
  obj.status.phase ||= "Pending";
}

/** persistentVolumeClaimStrategy: the PersistentVolumeClaim kind. */
export const persistentVolumeClaimStrategy: Strategy = makeStrategy({
  kind: "PersistentVolumeClaim",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  defaults: defaultClaimSpec,
  defaultStatus: defaultPhasePending,
  initialStatus: () => ({ phase: "Pending" }),
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc?.spec, "spec"),
  validateUpdate(pvc, old) {
    const next = clone(pvc?.spec ?? {});
    const prev = clone(old?.spec ?? {});
    if (!prev.volumeName) prev.volumeName = next.volumeName;
    if (old?.status?.phase === "Bound" && next.resources?.requests && prev.resources?.requests) {
      next.resources.requests.storage = prev.resources.requests.storage;
    }
    const errs: FieldCause[] = [];
    if (!deepEqual(next, prev)) errs.push(forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
    const oldStorage = parseQuantity(old?.spec?.resources?.requests?.storage);
    const newStorage = parseQuantity(pvc?.spec?.resources?.requests?.storage);
    if (errs.length === 0 && oldStorage !== undefined && newStorage !== undefined && newStorage < oldStorage) {
      errs.push(forbidden(path("spec", "resources", "requests", "storage"), "field can not be less than previous value"));
    }
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      column("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
      column("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
      column("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
      column("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."),
      column("StorageClass", "string", "StorageClass of the pvc"),
      column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
      ageColumn(),
      column("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1),
    ],
    cells(pvc, now) {
      const bound = !!pvc?.spec?.volumeName;
      const phase = pvc?.metadata?.deletionTimestamp ? "Terminating" : pvc?.status?.phase ?? "";
      return [
        pvc?.metadata?.name ?? "", phase, pvc?.spec?.volumeName ?? "",
        bound ? String(pvc?.status?.capacity?.storage ?? "0") : "", bound ? accessModesString(pvc?.status?.accessModes) : "",
        storageClassOf(pvc), "<unset>", age(pvc, now), pvc?.spec?.volumeMode ?? "<unset>",
      ];
    },
  },
});

/** persistentVolumeStrategy: the PersistentVolume kind (cluster-scoped). */
export const persistentVolumeStrategy: Strategy = makeStrategy({
  kind: "PersistentVolume",
  namespaced: false,
  nameValidator: nameIsDNSSubdomain,
  hasStatus: true,
  defaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ||= "Retain";
    pv.spec.volumeMode ??= "Filesystem";
    if (pv.spec.hostPath && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = "";
  },
  defaultStatus: defaultPhasePending,
  initialStatus: () => ({ phase: "Pending" }),
  validate(pv) {
    const spec = pv?.spec ?? {};
    const errs: FieldCause[] = [];
    errs.push(...validateAccessModes(spec.accessModes, path("spec", "accessModes")));
    if (!spec.capacity || Object.keys(spec.capacity).length === 0) errs.push(required(path("spec", "capacity")));
    else {
      for (const k of Object.keys(spec.capacity)) if (k !== "storage") errs.push(notSupported(path("spec", "capacity"), k, ["storage"]));
      const v = parseQuantity(spec.capacity.storage);
      if (spec.capacity.storage === undefined) errs.push(required(path("spec", "capacity", key("storage"))));
      else if (v !== undefined && v <= 0) errs.push(invalid(path("spec", "capacity", key("storage")), String(spec.capacity.storage), "must be greater than zero"));
    }
    if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
      errs.push(notSupported(path("spec", "persistentVolumeReclaimPolicy"), spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
    }
    const sources = PV_SOURCES.filter((s) => spec[s]);
    if (sources.length === 0) errs.push(required("spec", "must specify a volume type"));
    for (const s of sources.slice(1)) errs.push(forbidden(path("spec", s), "may not specify more than 1 volume type"));
    if (spec.hostPath && !spec.hostPath.path) errs.push(required(path("spec", "hostPath", "path")));
    if (spec.local) {
      if (!spec.local.path) errs.push(required(path("spec", "local", "path")));
      if (!spec.nodeAffinity) errs.push(required(path("spec", "nodeAffinity"), "Local volumes require node affinity"));
    }
    if (spec.nfs) {
      if (!spec.nfs.server) errs.push(required(path("spec", "nfs", "server")));
      if (!spec.nfs.path) errs.push(required(path("spec", "nfs", "path")));
    }
    if (spec.csi) {
      if (!spec.csi.driver) errs.push(required(path("spec", "csi", "driver")));
      if (!spec.csi.volumeHandle) errs.push(required(path("spec", "csi", "volumeHandle")));
    }
    if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(path("spec", "volumeMode"), spec.volumeMode, VOLUME_MODES));
    if (spec.storageClassName) for (const msg of isDNS1123Subdomain(spec.storageClassName)) errs.push(invalid(path("spec", "storageClassName"), spec.storageClassName, msg));
    return errs;
  },
  validateUpdate(pv, old) {
    const errs: FieldCause[] = [];
    const pick = (s: any) => Object.fromEntries(PV_SOURCES.map((k) => [k, s?.[k]]));
    if (!deepEqual(pick(pv?.spec), pick(old?.spec))) errs.push(forbidden(path("spec", "persistentvolumesource"), "spec.persistentvolumesource is immutable after creation"));
    errs.push(...validateImmutable(pv?.spec?.volumeMode, old?.spec?.volumeMode, path("spec", "volumeMode")));
    return errs;
  },
  table: {
    columns: [
      nameColumn(),
      column("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."),
      column("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
      column("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
      column("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
      column("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
      column("StorageClass", "string", "StorageClass of the pv"),
      column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
      column("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
      ageColumn(),
      column("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1),
    ],
    cells(pv, now) {
      const ref = pv?.spec?.claimRef;
      const claim = ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "";
      const phase = pv?.metadata?.deletionTimestamp ? "Terminating" : pv?.status?.phase ?? "";
      return [
        pv?.metadata?.name ?? "", String(pv?.spec?.capacity?.storage ?? "0"), accessModesString(pv?.spec?.accessModes),
        pv?.spec?.persistentVolumeReclaimPolicy ?? "", phase, claim, storageClassOf(pv), "<unset>",
        pv?.status?.reason ?? "", age(pv, now), pv?.spec?.volumeMode ?? "<unset>",
      ];
    },
  },
});

// ---- Event -------------------------------------------------------------------------

function eventSource(e: any): string {
  const component = e?.source?.component || e?.reportingComponent || "";
  const host = e?.source?.host || e?.reportingInstance || "";
  return host ? `${component}, ${host}` : component;
}

/** eventStrategy: the core/v1 Event kind. */
export const eventStrategy: Strategy = makeStrategy({
  kind: "Event",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  validate(e) {
    const errs: FieldCause[] = [];
    const ns = e?.metadata?.namespace ?? "";
    const involved = e?.involvedObject?.namespace ?? "";
    if (!involved) {
      if (ns !== "" && ns !== "default") errs.push(invalid(path("involvedObject", "namespace"), involved, "does not match event.namespace"));
    } else if (ns !== involved) {
      errs.push(invalid(path("involvedObject", "namespace"), involved, "does not match event.namespace"));
    }
    errs.push(...validateNonnegative(e?.count, "count"));
    return errs;
  },
  table: {
    columns: [
      column("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
      column("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
      column("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
      column("Object", "string", "The object that this event is about."),
      column("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", 1),
      column("Source", "string", "The component reporting this event. Should be a short machine understandable string.", 1),
      column("Message", "string", "A human-readable description of the status of this operation."),
      column("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
      column("Count", "string", "The number of times this event has occurred.", 1),
      nameColumn(1),
    ],
    cells(e, now) {
      const first = e?.firstTimestamp ? translateTimestampSince(e.firstTimestamp, now) : translateTimestampSince(e?.eventTime, now);
      let last = e?.lastTimestamp ? translateTimestampSince(e.lastTimestamp, now) : first;
      let count = e?.count ?? 0;
      if (e?.series) {
        last = translateTimestampSince(e.series.lastObservedTime, now);
        count = e.series.count ?? 0;
      } else if (count === 0) count = 1;
      const kind = String(e?.involvedObject?.kind ?? "").toLowerCase();
      const target = e?.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
      return [
        last, e?.type ?? "", e?.reason ?? "", target, e?.involvedObject?.fieldPath ?? "", eventSource(e),
        String(e?.message ?? "").trim(), first, count, e?.metadata?.name ?? "",
      ];
    },
  },
});
