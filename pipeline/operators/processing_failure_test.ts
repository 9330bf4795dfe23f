import assert from "node:assert/strict";
import { classify, errorCode, isRetriable, TransientError, ValidationError } from "../errors.ts";
import { ProcessingFailure } from "./processing_failure.ts";

Deno.test("ProcessingFailure keeps its cause, attempts, failure times and stage", () => {
  const cause = new TransientError("timed out");
  const failure = new ProcessingFailure(cause, {
    attempts: 4,
    firstFailureTime: 10,
    lastFailureTime: 7010,
    stage: "enrich",
  });
  assert.ok(failure instanceof Error);
  assert.equal(failure.name, "ProcessingFailure");
  assert.equal(failure.cause, cause);
  assert.equal(failure.message, "enrich failed after 4 attempts: timed out");
  assert.deepEqual(
    [failure.attempts, failure.firstFailureTime, failure.lastFailureTime, failure.stage],
    [4, 10, 7010, "enrich"],
  );
});

Deno.test("ProcessingFailure routes like its cause", () => {
  const permanent = new ProcessingFailure(new ValidationError("price", "negative"), {
    attempts: 1,
    firstFailureTime: 0,
    lastFailureTime: 0,
  });
  assert.equal(permanent.message, "process failed after 1 attempt: negative");
  assert.equal(classify(permanent), "permanent");
  assert.equal(errorCode(permanent), "INVALID_ORDER");
  assert.equal(isRetriable(permanent), false);

  const foreign = new ProcessingFailure(new Error("socket hang up"), {
    attempts: 3,
    firstFailureTime: 0,
    lastFailureTime: 0,
  });
  assert.equal(classify(foreign), "transient");
  assert.equal(errorCode(foreign), "UNEXPECTED");
});
