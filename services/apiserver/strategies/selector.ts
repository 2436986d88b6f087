/**
 * A small local label-selector toolkit for strategies: matching a metav1.LabelSelector
 * against labels and printing selectors as `kubectl` and the Scale subresource do.
 */

/** LabelSelectorJSON is a metav1.LabelSelector in JSON form. */
export interface LabelSelectorJSON {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * selectorMatches: does the selector select these labels? A missing selector selects nothing,
 * an empty one everything (as `metav1.LabelSelectorAsSelector`). Unknown operators match nothing.
 */
export function selectorMatches(sel: LabelSelectorJSON | undefined | null, labels: Record<string, string> | undefined | null): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (!Object.hasOwn(l, k) || l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In": if (!has || !values.includes(l[e.key])) return false; break;
      case "NotIn": if (has && values.includes(l[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** selectorIsEmpty: no matchLabels and no matchExpressions. */
export function selectorIsEmpty(sel: LabelSelectorJSON | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * selectorString is `labels.Selector.String()` of `LabelSelectorAsSelector(sel)`: requirements
 * sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas ("" when empty or missing).
 */
export function selectorString(sel: LabelSelectorJSON | undefined | null): string {
  if (!sel) return "";
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort();
    switch (e.operator) {
      case "In": reqs.push({ key: e.key, text: `${e.key} in (${values.join(",")})` }); break;
      case "NotIn": reqs.push({ key: e.key, text: `${e.key} notin (${values.join(",")})` }); break;
      case "Exists": reqs.push({ key: e.key, text: e.key }); break;
      case "DoesNotExist": reqs.push({ key: e.key, text: `!${e.key}` }); break;
      default: reqs.push({ key: e.key, text: `${e.key} ${e.operator}` });
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(",");
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
