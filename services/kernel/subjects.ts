/**
 * subjects: the only place NATS subject strings are built or parsed.
 *
 * Every variable part (group, resource, namespace, node name, actor id) goes through
 * {@link encodeToken}, so names with dots (`deployments.apps`), spaces or wildcards can never
 * split a token or turn into a wildcard. A bare `_` token means "none" (cluster-scoped).
 *
 * @example
 * ```ts
 * subjects.api("apps", "deployments", "create")  // "k8s.api.apps.deployments.create"
 * subjects.changes("deployments.apps", "default") // "k8s.changes.deployments%2Eapps.default"
 * ```
 */

/** SubjectError: a subject or token that this module did not build (or cannot parse). */
export class SubjectError extends Error {
  override name = "SubjectError";
}

/** Root of every subject this system uses. */
export const ROOT = "k8s";
/** The token standing for "no namespace" (cluster-scoped objects). */
export const NONE_TOKEN = "_";
/** The group token used for the core ("") API group. */
export const CORE_GROUP = "core";

/** Queue group shared by all API server replicas (each request handled by one). */
export const QUEUE_APISERVER = "apiserver";
/** Queue group shared by all scheduler replicas. */
export const QUEUE_SCHEDULER = "scheduler";
/** Queue group shared by controller-manager replicas. */
export const QUEUE_CONTROLLERS = "controllers";

// Characters kept literally: printable ASCII except the NATS separators/wildcards and the escape char.
const SAFE = /^[!-~]$/;
const UNSAFE_ASCII = new Set([".", "*", ">", "%"]);
const HEX = "0123456789ABCDEF";
/** A token that encodes to itself: SAFE characters only, none of UNSAFE_ASCII (the common case, checked at once). */
const PLAIN_TOKEN = /^[!-$&-)+-\-/-=?-~]+$/;

/**
 * encodeToken makes any string one safe NATS subject token. Escapes `.`, `*`, `>`, `%`,
 * whitespace, control and non-ASCII characters as `%XX` (UTF-8 bytes, upper-case hex).
 * The empty string becomes `%` and a lone `_` becomes `%5F` (so `_` can mean "none").
 * Reversible with {@link decodeToken}.
 */
export function encodeToken(s: string): string {
  if (s === "") return "%";
  if (s === NONE_TOKEN) return "%5F";
  if (PLAIN_TOKEN.test(s)) return s;
  let out = "";
  for (const ch of s) {
    if (SAFE.test(ch) && !UNSAFE_ASCII.has(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, "utf8")) out += "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** decodeToken reverses {@link encodeToken}; throws SubjectError on a malformed escape. */
export function decodeToken(token: string): string {
  if (token === "%") return "";
  if (!token.includes("%")) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    if (token[i] === "%") {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw new SubjectError(`malformed escape in subject token ${JSON.stringify(token)}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      bytes.push(...Buffer.from(token[i]!, "utf8"));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function groupToken(group: string): string {
  return group === "" ? CORE_GROUP : encodeToken(group);
}

function plainToken(what: string): string {
  // `what` parts are code constants ("health", "pods"); encode anyway so a mistake cannot add tokens.
  return encodeToken(what);
}

/** Subjects built by {@link api}, by group, resource and verb (a bounded set: cleared when it grows past API_SUBJECTS_MAX). */
const apiSubjects = new Map<string, string>();
const API_SUBJECTS_MAX = 4096;

/** api: request/reply subject for one API verb: `k8s.api.<group|core>.<resource>.<verb>`. */
export function api(group: string, resource: string, verb: string): string {
  const key = `${group.length}:${group}${resource.length}:${resource}${verb}`; // length prefixes: unambiguous for any strings
  let subject = apiSubjects.get(key);
  if (subject === undefined) {
    subject = `${ROOT}.api.${groupToken(group)}.${encodeToken(resource)}.${plainToken(verb)}`;
    if (apiSubjects.size >= API_SUBJECTS_MAX) apiSubjects.clear();
    apiSubjects.set(key, subject);
  }
  return subject;
}

/** apiBatch: request/reply subject of an ApiBatchRequest (several API operations in one message). */
export function apiBatch(): string {
  return `${ROOT}.api.batch`;
}

/** apiAll: wildcard matching every API subject (what an API server subscribes to). */
export function apiAll(): string {
  return `${ROOT}.api.>`;
}

/** Parts of an API subject. */
export interface ApiSubject {
  group: string;
  resource: string;
  verb: string;
}

/** parseApi: the group ("" for core), resource and verb of a subject built by {@link api}. */
export function parseApi(subject: string): ApiSubject {
  const t = subject.split(".");
  if (t.length !== 5 || t[0] !== ROOT || t[1] !== "api") throw new SubjectError(`not an API subject: ${subject}`);
  return { group: t[2] === CORE_GROUP ? "" : decodeToken(t[2]!), resource: decodeToken(t[3]!), verb: decodeToken(t[4]!) };
}

/** changes: change-event subject `k8s.changes.<resource>.<namespace or _>`. */
export function changes(resource: string, namespace: string): string {
  return `${ROOT}.changes.${encodeToken(resource)}.${namespace === "" ? NONE_TOKEN : encodeToken(namespace)}`;
}

/** changesAll: every namespace's change events of one resource. */
export function changesAll(resource: string): string {
  return `${ROOT}.changes.${encodeToken(resource)}.>`;
}

/** changesAny: every change event of every resource. */
export function changesAny(): string {
  return `${ROOT}.changes.>`;
}

/** parseChanges: resource and namespace ("" when cluster-scoped) of a subject built by {@link changes}. */
export function parseChanges(subject: string): { resource: string; namespace: string } {
  const t = subject.split(".");
  if (t.length !== 4 || t[0] !== ROOT || t[1] !== "changes") throw new SubjectError(`not a changes subject: ${subject}`);
  return { resource: decodeToken(t[2]!), namespace: t[3] === NONE_TOKEN ? "" : decodeToken(t[3]!) };
}

/** node: per-node subject `k8s.node.<name>.<what>`. */
export function node(name: string, what: string): string {
  return `${ROOT}.node.${encodeToken(name)}.${plainToken(what)}`;
}

/** nodeAll: one message kind for every node: `k8s.node.*.<what>`. */
export function nodeAll(what: string): string {
  return `${ROOT}.node.*.${plainToken(what)}`;
}

/** actor: per-actor subject `k8s.actor.<id>.<what>` (health, chaos control). */
export function actor(id: string, what: string): string {
  return `${ROOT}.actor.${encodeToken(id)}.${plainToken(what)}`;
}

/** actorHealthAll: broadcast subject every actor answers with its ActorHealth (for `k8s-dev status`). */
export function actorHealthAll(): string {
  return `${ROOT}.actors.health`;
}

/** subjectKind: the second token ("api", "changes", "node", "actor", "actors"), for span names and logs. */
export function subjectKind(subject: string): string {
  return subject.split(".")[1] ?? subject;
}
