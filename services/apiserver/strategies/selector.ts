/**
 * Label-selector helpers for strategies, on apimachinery's selectors: matching a
 * metav1.LabelSelector against labels and printing selectors as `kubectl` and the Scale
 * subresource do.
 */
import { LabelSelectorError, matchesLabelSelector, selectorFromLabelSelector, type LabelSelector } from "../../apimachinery/index.js";

/** LabelSelectorJSON is a metav1.LabelSelector in JSON form. */
export interface LabelSelectorJSON {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * selectorMatches: does the selector select these labels? A missing selector selects nothing,
 * an empty one everything, an invalid one nothing (apimachinery's `matchesLabelSelector`).
 */
export function selectorMatches(sel: LabelSelectorJSON | undefined | null, labels: Record<string, string> | undefined | null): boolean {
  return matchesLabelSelector(sel as LabelSelector | null | undefined, labels ?? {});
}

/** selectorIsEmpty: no matchLabels and no matchExpressions. */
export function selectorIsEmpty(sel: LabelSelectorJSON | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * selectorString is `labels.Selector.String()` of `LabelSelectorAsSelector(sel)` (canonical
 * requirements sorted by key), "" when the selector is empty, missing or invalid.
 */
export function selectorString(sel: LabelSelectorJSON | undefined | null): string {
  if (!sel) return "";
  try {
    return selectorFromLabelSelector(sel as LabelSelector).toString();
  } catch (err) {
    if (err instanceof LabelSelectorError) return "";
    throw err;
  }
}

/** formatLabelSelector is `metav1.FormatLabelSelector`: {@link selectorString}, `<none>` when empty. */
export function formatLabelSelector(sel: LabelSelectorJSON | undefined | null): string {
  return selectorString(sel) || "<none>";
}

/** formatLabels is `labels.FormatLabels`: sorted `k=v` pairs joined by commas, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(",") : "<none>";
}
