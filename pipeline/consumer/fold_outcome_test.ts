import assert from "node:assert/strict";
import { TransientError, ValidationError } from "../errors.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import { EMPTY_STATS, foldOutcome } from "./fold_outcome.ts";
import type { Settled } from "./settled.ts";
import { testDeliveries } from "./_test_deliveries.ts";

const order = (orderId: string, price: number) => ({ orderId, product: "Desk", price });

function settledOf(outcomes: Settled["outcome"][], partition = 0, fromRetryTopic = false) {
  const { deliveries } = testDeliveries(
    outcomes.map((_, i) => ({ partition, key: null, order: order(`O${i}`, 1) })),
  );
  return deliveries.map((delivery, i): Settled => {
    delivery.settle();
    return { outcome: outcomes[i], delivery, startedAt: 0, fromRetryTopic, failedOrder: null };
  });
}

Deno.test("foldOutcome() counts processed orders, their retries and their prices", () => {
  const settled = settledOf([
    { kind: "processed", value: { order: order("A", 10), attempts: 1 } },
    { kind: "processed", value: { order: order("B", 30), attempts: 3 } },
  ]);
  const stats = settled.reduce(foldOutcome, EMPTY_STATS);
  assert.equal(stats.processed, 2);
  assert.equal(stats.retried, 2);
  assert.equal(stats.aggregate.average, 20);
  assert.deepEqual(stats.partitions[0].aggregate, stats.aggregate);
  assert.equal(stats.partitions[0].nextOffset, "2");
});

Deno.test("foldOutcome() counts dead letters by class and retry-topic hand-offs", () => {
  const transient = new ProcessingFailure(new TransientError("timed out"), {
    attempts: 4,
    firstFailureTime: 0,
    lastFailureTime: 7,
    stage: "process",
  });
  const invalid = new ValidationError("bad price", "INVALID_PRICE");
  const stats = settledOf([
    { kind: "dead-lettered", letter: {}, error: transient },
    { kind: "dead-lettered", letter: {}, error: invalid },
    { kind: "retry-scheduled", letter: {}, error: transient },
  ]).reduce(foldOutcome, EMPTY_STATS);
  assert.equal(stats.deadLettered, 2);
  assert.deepEqual(stats.deadLetteredByClass, { poison: 0, permanent: 1, transient: 1 });
  assert.equal(stats.sentToRetry, 1);
  assert.equal(stats.retried, 6);
  assert.equal(stats.processed, 0);
  assert.equal(stats.partitions[0].nextOffset, "3", "a failure settles its offset too");
});

Deno.test("foldOutcome() keeps the retry topic's partitions apart from the main topic's", () => {
  const [settled] = settledOf(
    [{ kind: "processed", value: { order: order("A", 5), attempts: 1 } }],
    2,
    true,
  );
  const stats = foldOutcome(EMPTY_STATS, settled);
  assert.deepEqual(stats.partitions, {});
  assert.equal(stats.retryPartitions[2].aggregate.count, 1);
  assert.equal(stats.aggregate.count, 1);
});

Deno.test("foldOutcome() takes the partition's position from its ledger, not the record", () => {
  const { deliveries } = testDeliveries([0, 1, 2].map((i) => ({
    partition: 0,
    key: null,
    order: order(`O${i}`, 1),
  })));
  // Offset 2 settles first: offsets 0 and 1 are still in flight.
  deliveries[2].settle();
  const settled: Settled = {
    outcome: { kind: "processed", value: { order: order("O2", 1), attempts: 1 } },
    delivery: deliveries[2],
    startedAt: 0,
    fromRetryTopic: false,
    failedOrder: null,
  };
  const stats = foldOutcome(EMPTY_STATS, settled);
  assert.equal(stats.partitions[0].nextOffset, "0");
  assert.deepEqual(stats.partitions[0].ledger?.settledBeyond(), [2]);
});

Deno.test("foldOutcome() changes neither the statistics nor the record it is given", () => {
  const [settled] = settledOf([{
    kind: "processed",
    value: { order: order("A", 5), attempts: 2 },
  }]);
  const before = structuredClone({ ...EMPTY_STATS });
  const stats = foldOutcome(EMPTY_STATS, settled);
  assert.deepEqual({ ...EMPTY_STATS }, before);
  assert.notEqual(stats, EMPTY_STATS);
  assert.ok(Object.isFrozen(EMPTY_STATS));
});

Deno.test("foldOutcome() leaves the statistics as they are for a record handed over with its partition", () => {
  const [first, second] = settledOf([
    { kind: "processed", value: { order: order("A", 10), attempts: 1 } },
    { kind: "handed-over" },
  ]);
  const before = foldOutcome(EMPTY_STATS, first);
  assert.equal(foldOutcome(before, second), before);
});
