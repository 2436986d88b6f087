/**
 * client: what actors use to talk to the API: the bus API client, informers (list + watch
 * cache that converges to the store) and the controllers' work queue. The only public entry
 * of `services/client`.
 *
 * @example
 * ```ts
 * const api = new ApiClient(bus);
 * const ref = { group: "", resource: "configmaps" };
 * const informer = new Informer(api.listWatch(ref, "configmaps"), (v) => decodeStored(v).message);
 * informer.addHandlers({ onAdd: (o) => queue.add(o.key) });
 * await informer.start();
 * ```
 */
export { ApiClient, busEventFromStore, informerEventFromBus, informerEventsFromBatch, isStatus, type ResourceRef, type ListResult } from "./api-client.js";
export { Informer, InformerStoppedError, type Cached, type InformerEvent, type InformerHandlers, type InformerOptions, type InformerStats, type ListWatchSource, type ListedItem } from "./informer.js";
export { KubeClient, decodeItem, UnknownResourceKindError, type KubeObject, type DeleteOpts, type DecodeMeta } from "./kube-client.js";
export { LeaderElector, decideLease, leaseSpec, FAST_LEADER_ELECTION, type LeaderElectionConfig, type LeaseAction } from "./leader-election.js";
export { WorkQueue, backoffDelay, DEFAULT_BACKOFF, type BackoffConfig, type Timers } from "./workqueue.js";
