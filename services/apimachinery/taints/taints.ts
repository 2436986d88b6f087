/** taints: node taints and pod tolerations as Kubernetes JSON, and k8s.io/api's `Toleration.ToleratesTaint`. */

/** A taint as Kubernetes JSON. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** A toleration as Kubernetes JSON. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** toleratesTaint: Kubernetes' `Toleration.ToleratesTaint` (empty effect/key match any; operator "" means Equal; empty key with Exists matches every taint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}
