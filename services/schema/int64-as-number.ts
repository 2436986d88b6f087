/**
 * Makes protobufjs decode int64 fields as plain numbers (revisions stay far below 2^53).
 * Import this module BEFORE the generated code: the generated prototypes capture their
 * int64 defaults (a Long zero or 0) when they are evaluated.
 */
import protobuf from "protobufjs/minimal.js";

protobuf.util.Long = undefined as never;
protobuf.configure();
