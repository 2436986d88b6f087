/**
 * types: the Deployment controller's view of apps/v1 Deployments, ReplicaSets and pod
 * templates as Kubernetes JSON (only the fields it reads or writes), and the well-known
 * annotation, label and condition names (Kubernetes' `deployment_util.go`).
 */
import type { LabelSelector } from "../../apimachinery/index.js";
import type { ReplicaSetStatus } from "../replicaset/decide.js";

/** The label carrying a ReplicaSet's template hash (on its selector, its template and its own labels). */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";
/** The revision of a ReplicaSet (and, copied, of its Deployment). */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
/** Earlier revisions of a ReplicaSet that was rolled back to (comma separated). */
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
/** The Deployment's `spec.replicas` when the ReplicaSet was last scaled. */
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
/** `spec.replicas + maxSurge` when the ReplicaSet was last scaled (proportional scaling reads it). */
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
/** The change cause `kubectl rollout history` prints. */
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";
/** kubectl's client-side apply record: never copied to ReplicaSets. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** extensions/v1beta1's rollback request: never copied to ReplicaSets. */
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to";

/** Condition types and reasons a Deployment reports (Kubernetes' names). */
export const CONDITION = {
  available: "Available",
  progressing: "Progressing",
  replicaFailure: "ReplicaFailure",
} as const;

export const REASON = {
  newReplicaSetCreated: "NewReplicaSetCreated",
  foundNewReplicaSet: "FoundNewReplicaSet",
  replicaSetUpdated: "ReplicaSetUpdated",
  newReplicaSetAvailable: "NewReplicaSetAvailable",
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  deploymentPaused: "DeploymentPaused",
  deploymentResumed: "DeploymentResumed",
  replicaSetCreateError: "ReplicaSetCreateError",
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
} as const;

/** Go's MaxInt32: as `progressDeadlineSeconds` or `revisionHistoryLimit` it means "none". */
export const MAX_INT32 = 2147483647;

export type { OwnerReference } from "../owner-refs.js";
import type { OwnerReference } from "../owner-refs.js";

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [k: string]: unknown;
}

/** A pod template (`spec.template`): compared and hashed as JSON. */
export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface DeploymentCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
  [k: string]: unknown;
}

export interface RollingUpdateParams {
  maxSurge?: number | string | null;
  maxUnavailable?: number | string | null;
}

export interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector | null;
  template: PodTemplateSpec;
  strategy?: { type?: string; rollingUpdate?: RollingUpdateParams | null };
  minReadySeconds?: number;
  revisionHistoryLimit?: number | null;
  paused?: boolean;
  progressDeadlineSeconds?: number | null;
}

export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

// ReplicaSet status types are the ReplicaSet controller's (one definition for both controllers).
export type { ReplicaSetCondition, ReplicaSetStatus } from "../replicaset/decide.js";

export interface ReplicaSet {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector | null; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

/** What the Recreate strategy needs to know about a pod of an owned ReplicaSet. */
export interface PodView {
  name: string;
  phase?: string;
}
