import assert from "node:assert/strict";
import { coordinatorRejoin, isCoordinatorNotFound } from "./_coordinator_rejoin.ts";

// kafkajs's shape of the crash: its retrier wraps the lookup's failure.
function notFound(): Error {
  const cause = Object.assign(new Error("Failed to find group coordinator"), {
    name: "KafkaJSGroupCoordinatorNotFound",
    retriable: false,
  });
  return Object.assign(new Error("Failed to find group coordinator", { cause }), {
    name: "KafkaJSNonRetriableError",
  });
}

Deno.test("isCoordinatorNotFound() finds kafkajs's missing coordinator anywhere in the cause chain, and nothing else", () => {
  assert.equal(isCoordinatorNotFound(notFound()), true);
  assert.equal(isCoordinatorNotFound(notFound().cause), true);
  assert.equal(isCoordinatorNotFound(new Error("Not authorized to access group")), false);
  assert.equal(isCoordinatorNotFound("Failed to find group coordinator"), false);
});

Deno.test("coordinatorRejoin() runs again after a missing coordinator until its patience since the last join runs out", () => {
  const rejoin = coordinatorRejoin("orders-group", { retryMs: 500, patienceMs: 10_000 });
  assert.deepEqual(rejoin.afterCrash(notFound(), 1_000), { retryInMs: 500, first: true });
  assert.deepEqual(rejoin.afterCrash(notFound(), 10_999), { retryInMs: 500, first: false });
  const ended = rejoin.afterCrash(notFound(), 11_000);
  assert.ok("error" in ended);
  assert.ok(ended.error instanceof Error);
  assert.match(
    ended.error.message,
    /^No broker named a group coordinator for orders-group in 10 s \(.*\): Failed to find group coordinator$/,
  );
  // A join in between starts the patience afresh.
  rejoin.joined();
  assert.deepEqual(rejoin.afterCrash(notFound(), 50_000), { retryInMs: 500, first: true });
  assert.deepEqual(rejoin.afterCrash(notFound(), 59_999), { retryInMs: 500, first: false });
  assert.ok("error" in rejoin.afterCrash(notFound(), 60_000));
});

Deno.test("coordinatorRejoin() ends at once with any other crash, as its own error", () => {
  const rejoin = coordinatorRejoin("orders-group", { retryMs: 500, patienceMs: 10_000 });
  const denied = new Error("Not authorized to access topics: [orders]");
  assert.deepEqual(rejoin.afterCrash(denied, 0), { error: denied });
});
