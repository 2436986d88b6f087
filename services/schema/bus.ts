/** Bus message types generated from proto/bus.proto. */
import protobuf from "protobufjs/minimal.js";
import { k8s } from "./gen/proto.js";

// int64 fields decode to plain numbers (revisions stay far below 2^53).
protobuf.util.Long = undefined as never;
protobuf.configure();

export const bus = k8s.bus;
