/**
 * The outcome fold: the consumer's statistics after one more settled record.
 * A pure reducer: it reads its arguments and returns new statistics.
 *
 * @module
 */
import { classify } from "../errors.ts";
import { addToAggregate, type Aggregate, emptyAggregate } from "../operators/aggregate.ts";
import type { LedgerPosition } from "../kafka/offset_ledger.ts";
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
 *   failedOrder: null,
 * } as unknown as Settled;
 * const stats = foldOutcome(EMPTY_STATS, settled);
 * assert.equal(stats.processed, 1);
 * assert.equal(stats.retried, 1);
 * assert.equal(stats.partitions[0].nextOffset, "8");
 * ```
 */
export function foldOutcome(stats: ConsumerStats, settled: Settled): ConsumerStats {
  return foldFrom(stats, settled, undefined);
}

/**
 * The outcome fold of a consumer whose partitions start from snapshots: a
 * partition's aggregate starts, on each assignment, from the aggregate that
 * `startOf` gives for the record's ledger (the loaded snapshot's), and a
 * record of an assignment older than the partition's current one (settled
 * after its partition moved on) leaves the partition's state alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOutcomeFold, EMPTY_STATS } from "./fold_outcome.ts";
 * import type { Settled } from "./settled.ts";
 *
 * const ledger = { nextOffset: 8, settledBeyond: () => [] };
 * const start = { epoch: 1, aggregate: { count: 7, sumCents: 700, sum: 7, average: 1, min: 1, max: 1 } };
 * const fold = createOutcomeFold(() => start);
 * const settled = {
 *   outcome: { kind: "processed", value: { order: { orderId: "ORD-8", product: "Desk", price: 3 }, attempts: 1 } },
 *   delivery: { record: { partition: 0 }, ledger },
 *   fromRetryTopic: false,
 *   failedOrder: null,
 * } as unknown as Settled;
 * assert.equal(fold(EMPTY_STATS, settled).partitions[0].aggregate.count, 8);
 * ```
 */
export function createOutcomeFold(
  startOf: (ledger: LedgerPosition) => PartitionStartOf | undefined,
): (stats: ConsumerStats, settled: Settled) => ConsumerStats {
  return (stats, settled) => foldFrom(stats, settled, startOf(settled.delivery.ledger));
}

/** What {@link createOutcomeFold} needs of a partition's start. */
export interface PartitionStartOf {
  /** Later assignments have larger epochs. */
  readonly epoch: number;
  readonly aggregate: Aggregate;
}

// Each new object is built with all its fields named (one shape each, no
// spread, no closure): the fold runs once per message, and its garbage was
// the largest part of what a message left behind.
function foldFrom(
  stats: ConsumerStats,
  settled: Settled,
  start: PartitionStartOf | undefined,
): ConsumerStats {
  const { outcome, delivery, fromRetryTopic } = settled;
  // The partition's new owner counts it.
  if (outcome.kind === "handed-over") return stats;
  const { partition } = delivery.record;
  const own = fromRetryTopic ? stats.retryPartitions : stats.partitions;
  const prior = own[partition];
  let previous = prior?.aggregate ?? EMPTY_AGGREGATE;
  let stale = false;
  if (start !== undefined) {
    const priorEpoch = prior?.epoch ?? 0;
    if (priorEpoch > start.epoch) stale = true;
    else if (priorEpoch < start.epoch) previous = start.aggregate;
  }
  let { processed, retried, deadLettered, deadLetteredByClass, sentToRetry, aggregate } = stats;
  if (outcome.kind === "processed") {
    const { order, attempts } = outcome.value;
    processed++;
    retried += attempts - 1;
    aggregate = addToAggregate(aggregate, order.price);
    previous = addToAggregate(previous, order.price);
  } else {
    const failure = outcome.error;
    const attempts = failure instanceof ProcessingFailure ? failure.attempts : 0;
    retried += Math.max(0, attempts - 1);
    if (outcome.kind === "retry-scheduled") sentToRetry++;
    if (outcome.kind === "dead-lettered") {
      deadLettered++;
      const errorClass = classify(failure instanceof ProcessingFailure ? failure.cause : failure);
      deadLetteredByClass = countClass(deadLetteredByClass, errorClass);
    }
  }
  // The main and the retry topic keep separate per-partition states: their
  // offsets belong to different groups, and their snapshots to different keys.
  let { partitions, retryPartitions } = stats;
  if (!stale) {
    const state: PartitionState = {
      aggregate: previous,
      nextOffset: String(delivery.ledger.nextOffset),
      ledger: delivery.ledger,
      epoch: start?.epoch,
    };
    if (fromRetryTopic) retryPartitions = withState(own, partition, state);
    else partitions = withState(own, partition, state);
  }
  return {
    processed,
    retried,
    deadLettered,
    deadLetteredByClass,
    sentToRetry,
    aggregate,
    partitions,
    retryPartitions,
  };
}

const EMPTY_AGGREGATE = Object.freeze(emptyAggregate());

// The partition states with `partition`'s replaced. (Object.assign copies the
// integer keys about ten times as fast as a for-in loop, and twice as fast as
// a spread.)
function withState(
  states: Readonly<Record<number, PartitionState>>,
  partition: number,
  state: PartitionState,
): Readonly<Record<number, PartitionState>> {
  const next: Record<number, PartitionState> = Object.assign({}, states);
  next[partition] = state;
  return next;
}

// One more dead letter of `errorClass`; classes other than poison and transient count as permanent.
function countClass(
  byClass: ConsumerStats["deadLetteredByClass"],
  errorClass: string,
): ConsumerStats["deadLetteredByClass"] {
  const { poison, permanent, transient } = byClass;
  if (errorClass === "poison") return { poison: poison + 1, permanent, transient };
  if (errorClass === "transient") return { poison, permanent, transient: transient + 1 };
  return { poison, permanent: permanent + 1, transient };
}
