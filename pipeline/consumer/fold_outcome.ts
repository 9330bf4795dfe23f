/**
 * The outcome fold: the consumer's statistics after one more settled record.
 * A pure reducer: it reads its arguments and returns new statistics.
 *
 * @module
 */
import { classify } from "../errors.ts";
import { addToAggregate, emptyAggregate } from "../operators/aggregate.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import type { ConsumerStats, PartitionState } from "./consumer_stats.ts";
import type { Settled } from "./settled.ts";

/** The statistics before any record. */
export const EMPTY_STATS: ConsumerStats = Object.freeze({
  processed: 0,
  retried: 0,
  deadLettered: 0,
  deadLetteredByClass: Object.freeze({ poison: 0, permanent: 0, transient: 0 }),
  sentToRetry: 0,
  aggregate: emptyAggregate(),
  partitions: Object.freeze({}),
  retryPartitions: Object.freeze({}),
});

/**
 * Folds one settled record into `stats`. The record's partition state takes
 * its ledger's position, so the fold must run after the record is settled
 * (in the same synchronous step, so no commit comes in between).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EMPTY_STATS, foldOutcome } from "./fold_outcome.ts";
 * import type { Settled } from "./settled.ts";
 *
 * const settled = {
 *   outcome: { kind: "processed", value: { order: { orderId: "ORD-1", product: "Desk", price: 10 }, attempts: 2 } },
 *   delivery: { record: { partition: 0 }, ledger: { nextOffset: 8, settledBeyond: () => [] } },
 *   fromRetryTopic: false,
 * } as unknown as Settled;
 * const stats = foldOutcome(EMPTY_STATS, settled);
 * assert.equal(stats.processed, 1);
 * assert.equal(stats.retried, 1);
 * assert.equal(stats.partitions[0].nextOffset, "8");
 * ```
 */
export function foldOutcome(stats: ConsumerStats, settled: Settled): ConsumerStats {
  const { outcome, delivery, fromRetryTopic } = settled;
  const { partition } = delivery.record;
  const own = fromRetryTopic ? stats.retryPartitions : stats.partitions;
  const previous = own[partition]?.aggregate ?? emptyAggregate();
  // The main and the retry topic keep separate per-partition states: their
  // offsets belong to different groups, and their snapshots to different keys.
  const withPartition = (aggregate: PartitionState["aggregate"]) => {
    const state: PartitionState = {
      aggregate,
      nextOffset: String(delivery.ledger.nextOffset),
      ledger: delivery.ledger,
    };
    const partitions = { ...own, [partition]: state };
    return fromRetryTopic
      ? { partitions: stats.partitions, retryPartitions: partitions }
      : { partitions, retryPartitions: stats.retryPartitions };
  };
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    return {
      ...stats,
      processed: stats.processed + 1,
      retried: stats.retried + attempts - 1,
      aggregate: addToAggregate(stats.aggregate, order.price),
      ...withPartition(addToAggregate(previous, order.price)),
    };
  }
  const failure = outcome.error;
  const attempts = failure instanceof ProcessingFailure ? failure.attempts : 0;
  const deadLettered = outcome.kind === "dead-lettered";
  let byClass = stats.deadLetteredByClass;
  if (deadLettered) {
    const errorClass = classify(failure instanceof ProcessingFailure ? failure.cause : failure);
    const counted = errorClass === "poison" || errorClass === "transient"
      ? errorClass
      : "permanent";
    byClass = { ...byClass, [counted]: byClass[counted] + 1 };
  }
  return {
    ...stats,
    retried: stats.retried + Math.max(0, attempts - 1),
    deadLettered: deadLettered ? stats.deadLettered + 1 : stats.deadLettered,
    sentToRetry: outcome.kind === "retry-scheduled" ? stats.sentToRetry + 1 : stats.sentToRetry,
    deadLetteredByClass: byClass,
    ...withPartition(previous),
  };
}
