/**
 * Where each partition's aggregate starts: the latest snapshot of the
 * partition for the group, loaded when a ledger of it is first seen (a new
 * ledger is a new assignment). Records that snapshot covers are settled here,
 * with no outcome and no count; the others go on to the chain, whose fold adds
 * them to the snapshot's aggregate. So the aggregate and its position stay one
 * fact across crashes, rebalances and refetches.
 *
 * @module
 */
import { Observable, type OperatorFunction } from "rxjs";
import type { Delivery } from "../kafka/kafka_record.ts";
import type { LedgerPosition } from "../kafka/offset_ledger.ts";
import { type Aggregate, emptyAggregate } from "../operators/aggregate.ts";
import { retryAsync } from "../retry_async.ts";
import { coverageOf, isCovered, type SnapshotCoverage } from "./is_covered.ts";
import { snapshotAggregate, snapshotKey, type StatsSnapshot } from "./stats_snapshot.ts";

/** One assignment of one partition: its ledger, and the snapshot it starts from. */
export interface PartitionStart {
  /** Grows with every new assignment (of any partition): a later start wins. */
  readonly epoch: number;
  /** The partition's ledger for this assignment. */
  readonly ledger: LedgerPosition;
  /** The loaded snapshot's aggregate (empty when there was none). */
  readonly aggregate: Aggregate;
  /**
   * What the loaded snapshot covers. The ledger may start below it (the
   * group's offset was committed before that snapshot, or without its map),
   * so a snapshot of this assignment covers both.
   */
  readonly coverage: SnapshotCoverage;
}

/**
 * An assignment that starts below what its partition's snapshot covers: the
 * group's offsets were moved back, or a crash came after a snapshot and
 * before the commit that goes with it.
 */
export interface CoveredStart {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the assignment's first record. */
  readonly offset: bigint;
  /** The snapshot's `nextOffset`: every record below it is counted already. */
  readonly nextOffset: bigint;
}

/** Options for {@link createPartitionStarts}. */
export interface PartitionStartsOptions {
  /**
   * The latest snapshot per partition (keyed `<topic>:<partition>`) of the
   * group, as the stats topic holds it now.
   */
  load(): Promise<ReadonlyMap<string, StatsSnapshot>>;
  /** Told when a load fails; it is tried again after `retryMs`. */
  onError?: (error: unknown) => void;
  /**
   * Told, once per assignment, when it starts below its snapshot's
   * `nextOffset`: the records up to there are settled here, not processed.
   */
  onCoveredStart?: (start: CoveredStart) => void;
  /** @default 1000 */
  retryMs?: number;
}

/** The starts of the partitions a consumer reads, and the operator that skips covered records. */
export interface PartitionStarts {
  /**
   * Settles the records that their partition's snapshot covers and passes the
   * others on, in their order; a partition's records wait while its snapshot
   * loads.
   */
  skipCovered: OperatorFunction<Delivery, Delivery>;
  /** The start of the assignment that `ledger` belongs to, once loaded. */
  startOf(ledger: LedgerPosition): PartitionStart | undefined;
  /** The latest loaded start of a partition. */
  current(topic: string, partition: number): PartitionStart | undefined;
}

interface Entry {
  start?: PartitionStart;
  waiting: Delivery[];
}

/**
 * Creates the keeper of partition starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat, ignoreElements, lastValueFrom, of, timer, toArray } from "rxjs";
 * import { createPartitionStarts } from "./partition_starts.ts";
 * import { OffsetLedger } from "../kafka/offset_ledger.ts";
 * import type { Delivery } from "../kafka/kafka_record.ts";
 *
 * const snapshot = {
 *   topic: "orders", partition: 0, count: 2, sumCents: 300, min: 1, max: 2,
 *   nextOffset: "2", groupId: "g", updatedAt: 0,
 * };
 * const starts = createPartitionStarts({ load: () => Promise.resolve(new Map([["orders:0", snapshot]])) });
 * const ledger = new OffsetLedger(0);
 * const delivery = (offset: number) => {
 *   ledger.admit(offset);
 *   const record = { topic: "orders", partition: 0, offset: String(offset) };
 *   return { record, ledger, settle: () => ledger.settle(offset) } as unknown as Delivery;
 * };
 * const passed = await lastValueFrom(
 *   // (the source stays open while the snapshot loads, as a consumer's does)
 *   concat(of(delivery(0), delivery(1), delivery(2)), timer(10).pipe(ignoreElements()))
 *     .pipe(starts.skipCovered, toArray()),
 * );
 * assert.deepEqual(passed.map((d) => d.record.offset), ["2"]);
 * assert.equal(ledger.nextOffset, 2); // the covered ones are settled
 * assert.equal(starts.startOf(ledger)?.aggregate.count, 2);
 * ```
 */
export function createPartitionStarts(options: PartitionStartsOptions): PartitionStarts {
  const { load, onError, onCoveredStart, retryMs = 1000 } = options;
  const entries = new WeakMap<LedgerPosition, Entry>();
  const latest = new Map<string, PartitionStart>();
  let epochs = 0;
  // Ledgers waiting for a load; one read of the stats topic serves all of them.
  let queued: Array<{ delivery: Delivery; entry: Entry; release: () => void }> = [];
  let reading = false;

  const readQueued = async (): Promise<void> => {
    if (reading || queued.length === 0) return;
    reading = true;
    const batch: typeof queued = [];
    const covered: CoveredStart[] = [];
    try {
      // Each try serves every ledger queued so far, those that came during the wait too.
      const snapshots = await retryAsync(() => {
        batch.push(...queued);
        queued = [];
        return load();
      }, { backoff: retryMs, onRetry: (error) => onError?.(error) });
      for (const { delivery, entry, release } of batch) {
        const key = snapshotKey(delivery.record.topic, delivery.record.partition);
        const found = snapshots.get(key);
        const start = {
          epoch: ++epochs,
          ledger: delivery.ledger,
          aggregate: found ? snapshotAggregate(found) : emptyAggregate(),
          coverage: coverageOf(found),
        };
        entry.start = start;
        latest.set(key, start);
        release();
        const first = BigInt(delivery.record.offset);
        if (first < start.coverage.nextOffset) {
          const { topic, partition } = delivery.record;
          covered.push({ topic, partition, offset: first, nextOffset: start.coverage.nextOffset });
        }
      }
    } finally {
      reading = false;
    }
    void readQueued();
    // Told once the batch's records are released and the next read has begun,
    // so a callback that throws holds no record back.
    for (const start of covered) onCoveredStart?.(start);
  };

  const skipCovered: OperatorFunction<Delivery, Delivery> = (source) =>
    new Observable<Delivery>((subscriber) => {
      let closed = false;
      const pass = (delivery: Delivery, entry: Entry) => {
        if (isCovered(entry.start!.coverage, delivery.record.offset)) delivery.settle();
        else subscriber.next(delivery);
      };
      const subscription = source.subscribe({
        next: (delivery) => {
          let entry = entries.get(delivery.ledger);
          if (entry === undefined) {
            entry = { waiting: [] };
            entries.set(delivery.ledger, entry);
            // A new assignment: the last one's start is no longer current.
            latest.delete(snapshotKey(delivery.record.topic, delivery.record.partition));
            const loaded = entry;
            queued.push({
              delivery,
              entry,
              release: () => {
                const held = loaded.waiting;
                loaded.waiting = [];
                if (!closed) { for (const d of held) pass(d, loaded); }
              },
            });
            void readQueued();
          }
          if (entry.start === undefined) {
            entry.waiting.push(delivery);
          } else pass(delivery, entry);
        },
        error: (err) => subscriber.error(err),
        // The source completes after its drain: what still waits for a load
        // was not drained in time and stays unsettled (so uncommitted).
        complete: () => subscriber.complete(),
      });
      return () => {
        closed = true;
        subscription.unsubscribe();
      };
    });

  return {
    skipCovered,
    startOf: (ledger) => entries.get(ledger)?.start,
    current: (topic, partition) => latest.get(snapshotKey(topic, partition)),
  };
}
