/** Bus message types generated from proto/bus.proto. */
import "./int64-as-number.js";
import { k8s } from "./gen/proto.js";

export const bus = k8s.bus;

/** Bus message types (plain-object "I" forms are what encode() takes). */
export type ApiRequest = k8s.bus.ApiRequest;
export type IApiRequest = k8s.bus.IApiRequest;
export type ApiResponse = k8s.bus.ApiResponse;
export type IApiResponse = k8s.bus.IApiResponse;
export type IItem = k8s.bus.IItem;
export type IChangeEvent = k8s.bus.IChangeEvent;
export type ChangeEventMessage = k8s.bus.ChangeEvent;
