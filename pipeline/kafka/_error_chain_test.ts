import assert from "node:assert/strict";
import { errorChain } from "./_error_chain.ts";

Deno.test("the chain is the error, then what it wraps, outermost first, through cause or originalError", () => {
  const root = Object.assign(new Error("leader not available"), { retriable: true });
  const middle = Object.assign(new Error("wrapped"), { originalError: root });
  const outer = new Error("retries exceeded", { cause: middle });
  assert.deepEqual(errorChain(outer), [outer, middle, root]);
});

Deno.test("a chain stops at what is not an object, at a link seen before, and after ten links", () => {
  assert.deepEqual(errorChain("a string"), []);
  assert.deepEqual(errorChain(undefined), []);
  const withText = new Error("outer", { cause: "text cause" });
  assert.deepEqual(errorChain(withText), [withText]);
  const a = new Error("a");
  const b = new Error("b", { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.deepEqual(errorChain(a), [a, b]);
  let deep = new Error("0");
  for (let i = 1; i < 50; i++) deep = new Error(String(i), { cause: deep });
  const chain = errorChain(deep);
  assert.equal(chain.length, 10);
  assert.equal(chain[0].message, "49");
});
