/** coordination.k8s.io/v1 Lease. */
import { age, ageColumn, column, makeStrategy, nameColumn } from "./base.js";
import { path } from "./field.js";
import { validateNonnegative, validatePositive } from "./meta.js";
import { nameIsDNSSubdomain } from "./names.js";
import type { FieldCause, Strategy } from "./types.js";

/** leaseStrategy: the Lease kind (leader election, node heartbeats). */
export const leaseStrategy: Strategy = makeStrategy({
  kind: "Lease",
  namespaced: true,
  nameValidator: nameIsDNSSubdomain,
  validate(lease) {
    const spec = lease?.spec ?? {};
    const errs: FieldCause[] = [];
    errs.push(...validatePositive(spec.leaseDurationSeconds, path("spec", "leaseDurationSeconds")));
    errs.push(...validateNonnegative(spec.leaseTransitions, path("spec", "leaseTransitions")));
    return errs;
  },
  table: {
    columns: [nameColumn(), column("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."), ageColumn()],
    cells: (lease, now) => [lease?.metadata?.name ?? "", lease?.spec?.holderIdentity ?? "", age(lease, now)],
  },
});
