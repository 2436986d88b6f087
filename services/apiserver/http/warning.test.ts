import { test } from "node:test";
import assert from "node:assert/strict";
import { validateHeaderValue } from "node:http";
import { warningHeaderValue } from "./server.js";

test("warning header - any text (client input: control, Latin-1 and other characters) makes a valid header that keeps the text", () => {
  for (const text of ['unknown field "spec.x"', 'unknown field "\u00dci\u00c9\u0001\u0085\u2028\ud83d\ude00"', "tab\there, quote \" and backslash \\"]) {
    const value = warningHeaderValue(text);
    assert.doesNotThrow(() => validateHeaderValue("Warning", value), value);
    assert.match(value, /^299 - "/);
    assert.equal(JSON.parse(value.slice("299 - ".length)), text);
  }
});
