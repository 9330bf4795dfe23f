import assert from "node:assert/strict";
import { processed } from "./processed.ts";

Deno.test("processed() wraps a value as a processed outcome", () => {
  const value = { id: "o-1" };
  const outcome = processed(value);
  assert.deepEqual(outcome, { kind: "processed", value });
  assert.equal(outcome.value, value);
});
