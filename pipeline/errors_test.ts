import assert from "node:assert/strict";
import { classify, errorCode, errorMessage, PipelineError, TransientError } from "./errors.ts";

// What a caller can see of an error: its own properties and how each is shown.
function shape(err: object): Record<string, boolean | undefined> {
  const keys = ["message", "name", "code", "errorClass"];
  return Object.fromEntries(
    keys.map((key) => [key, Object.getOwnPropertyDescriptor(err, key)?.enumerable]),
  );
}

Deno.test("TransientError.withoutStack() is a TransientError like a constructed one", () => {
  const built = new TransientError("Processing order ORD-1 timed out", "DOWNSTREAM_FAILED");
  const light = TransientError.withoutStack(
    "Processing order ORD-1 timed out",
    "DOWNSTREAM_FAILED",
  );
  assert.ok(light instanceof TransientError);
  assert.ok(light instanceof PipelineError);
  assert.ok(light instanceof Error);
  assert.deepEqual(shape(light), shape(built));
  assert.deepEqual(Object.keys(light), Object.keys(built));
  for (const err of [built, light]) {
    assert.equal(err.name, "TransientError");
    assert.equal(err.code, "DOWNSTREAM_FAILED");
    assert.equal(err.retriable, true);
    assert.equal(classify(err), "transient");
    assert.equal(errorCode(err), "DOWNSTREAM_FAILED");
    assert.equal(errorMessage(err), "Processing order ORD-1 timed out");
    assert.equal(String(err), "TransientError: Processing order ORD-1 timed out");
  }
});

Deno.test("TransientError.withoutStack() has a stack of its first line only", () => {
  const light = TransientError.withoutStack("timed out");
  assert.equal(light.code, "PROCESSING_TIMEOUT");
  assert.equal(light.stack, "TransientError: timed out");
  // A constructed one records where it was built; this one does not.
  assert.match(new TransientError("timed out").stack ?? "", /\n\s+at /);
});
