import { test } from "node:test";
import assert from "node:assert/strict";
import { project } from "./watch.js";

test("watch - project: what a watcher with selectors sees of one change", () => {
  const cases: Array<[Parameters<typeof project>, ReturnType<typeof project>]> = [
    [["ADDED", false, true], "ADDED"],
    [["ADDED", false, false], undefined],
    [["MODIFIED", true, true], "MODIFIED"],
    [["MODIFIED", false, true], "ADDED"],
    [["MODIFIED", true, false], "DELETED"],
    [["MODIFIED", false, false], undefined],
    [["DELETED", true, false], "DELETED"],
    [["DELETED", false, false], undefined],
  ];
  for (const [args, want] of cases) assert.equal(project(...args), want, `project(${args.join(", ")})`);
});
