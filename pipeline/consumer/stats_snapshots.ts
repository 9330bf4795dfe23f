/**
 * Publishes the consumer's aggregate per input partition to the compacted
 * stats topic, so the global average is the merge of every partition's latest
 * snapshot however many consumers share the group.
 *
 * @module
 */
import { type MonoTypeOperatorFunction, Observable } from "rxjs";
import { emptyAggregate } from "../operators/aggregate.ts";
import type { Aggregate } from "../operators/aggregate.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { latestSnapshots } from "./latest_snapshots.ts";
import {
  snapshotAggregate,
  snapshotKey,
  snapshotRecord,
  type StatsSnapshot,
} from "./stats_snapshot.ts";

/** Options for {@link createSnapshotPublisher}. */
export interface SnapshotPublisherOptions {
  /** The input topic the partitions belong to. */
  topic: string;
  groupId: string;
  /** Writes snapshot records to the stats topic; resolves once acknowledged. */
  write(records: Array<{ key: string; value: Uint8Array }>): Promise<void>;
  /**
   * The snapshots the stats topic holds, in log order (the latest of each
   * partition wins), read when partitions are assigned, so a partition taken
   * over from another consumer (or from this group's last run) goes on from
   * its snapshot instead of from zero.
   */
  load(): Promise<StatsSnapshot[]>;
  /** Publish at most this often, in ms. @default 1000 */
  intervalMs?: number;
  /** Told when a write or load fails; the next tick tries again. */
  onError?: (error: unknown) => void;
  /** The clock for `updatedAt`. @default Date.now */
  now?: () => number;
  /**
   * Which per-partition states of the statistics belong to `topic`.
   * @default the main topic's, `stats.partitions`
   */
  select?: (stats: ConsumerStats) => ConsumerStats["partitions"];
}

/** A publisher: feed it assignments, and pipe the statistics through it. */
export interface SnapshotPublisher {
  /** Hands over the partitions of `topic` this consumer owns after a rebalance. */
  assign(partitions: readonly number[]): void;
  /**
   * Passes the statistics on unchanged, publishing snapshots of the owned
   * partitions at most once per interval; on completion it writes a last
   * snapshot, then completes.
   */
  publish: MonoTypeOperatorFunction<ConsumerStats>;
}

interface Base {
  /** The snapshot found at assignment. */
  from: Aggregate;
  /** This consumer's own aggregate of the partition at assignment. */
  at: Aggregate;
}

/**
 * Creates a publisher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastValueFrom, of } from "rxjs";
 * import { createSnapshotPublisher } from "./stats_snapshots.ts";
 * import { emptyAggregate } from "../operators/aggregate.ts";
 *
 * const written: string[] = [];
 * const publisher = createSnapshotPublisher({
 *   topic: "orders",
 *   groupId: "g",
 *   write: (records) => Promise.resolve(void written.push(...records.map((r) => r.key))),
 *   load: () => Promise.resolve([]),
 * });
 * publisher.assign([0]);
 * const stats = {
 *   processed: 1, retried: 0, deadLettered: 0, sentToRetry: 0,
 *   deadLetteredByClass: { poison: 0, permanent: 0, transient: 0 },
 *   aggregate: emptyAggregate(),
 *   partitions: { 0: { aggregate: { count: 1, sumCents: 500, sum: 5, average: 5, min: 5, max: 5 }, nextOffset: "1" } },
 *   retryPartitions: {},
 * };
 * await new Promise((resolve) => setTimeout(resolve, 10)); // the assignment's load
 * await lastValueFrom(of(stats).pipe(publisher.publish));
 * assert.deepEqual(written, ["orders:0"]);
 * ```
 */
export function createSnapshotPublisher(options: SnapshotPublisherOptions): SnapshotPublisher {
  const {
    topic,
    groupId,
    write,
    load,
    intervalMs = 1000,
    onError,
    now = Date.now,
    select = (stats: ConsumerStats) => stats.partitions,
  } = options;
  if (!(intervalMs > 0)) {
    throw new RangeError(`Cannot publish snapshots: 'intervalMs' must be > 0, got ${intervalMs}`);
  }
  let owned = new Set<number>();
  const pending = new Set<number>();
  const bases = new Map<number, Base>();
  const atAssignment = new Map<number, Aggregate>();
  let latest: ConsumerStats | undefined;
  const states = (): ConsumerStats["partitions"] => (latest ? select(latest) : {});
  /** What was last written per partition, to skip unchanged ones. */
  const written = new Map<number, string>();
  let loading: Promise<void> | undefined;

  const own = (partition: number) => states()[partition]?.aggregate ?? emptyAggregate();

  const loadBases = (): Promise<void> => {
    loading ??= (async () => {
      try {
        const wanted = [...pending];
        const latest = latestSnapshots(await load(), groupId);
        for (const partition of wanted) {
          if (!pending.delete(partition)) continue;
          const found = latest.get(snapshotKey(topic, partition));
          const from = found ? snapshotAggregate(found) : emptyAggregate();
          bases.set(partition, { from, at: atAssignment.get(partition) ?? emptyAggregate() });
        }
      } catch (err) {
        onError?.(err);
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  };

  const snapshotOf = (partition: number): StatsSnapshot | undefined => {
    const base = bases.get(partition);
    const state = states()[partition];
    if (!base || !state) return undefined;
    const mine = state.aggregate;
    const min = [base.from.min, mine.min].filter((n): n is number => n !== null);
    const max = [base.from.max, mine.max].filter((n): n is number => n !== null);
    return {
      topic,
      partition,
      count: base.from.count + mine.count - base.at.count,
      sumCents: base.from.sumCents + mine.sumCents - base.at.sumCents,
      min: min.length ? Math.min(...min) : null,
      max: max.length ? Math.max(...max) : null,
      nextOffset: state.nextOffset,
      groupId,
      updatedAt: now(),
    };
  };

  const flush = async (): Promise<void> => {
    if (pending.size > 0) await loadBases();
    const records: Array<{ key: string; value: Uint8Array }> = [];
    const marks = new Map<number, string>();
    for (const partition of owned) {
      const snapshot = snapshotOf(partition);
      if (!snapshot) continue;
      const mark = `${snapshot.count}/${snapshot.sumCents}/${snapshot.nextOffset}`;
      if (written.get(partition) === mark) continue;
      marks.set(partition, mark);
      records.push(snapshotRecord(snapshot));
    }
    if (records.length === 0) return;
    await write(records);
    for (const [partition, mark] of marks) written.set(partition, mark);
  };

  return {
    assign(partitions) {
      const next = new Set(partitions);
      for (const partition of owned) {
        // Another consumer owns it now; its snapshots win from here on.
        if (!next.has(partition)) {
          bases.delete(partition);
          pending.delete(partition);
          atAssignment.delete(partition);
          written.delete(partition);
        }
      }
      for (const partition of next) {
        if (!owned.has(partition)) {
          pending.add(partition);
          atAssignment.set(partition, own(partition));
        }
      }
      owned = next;
      if (pending.size > 0) void loadBases();
    },
    publish: (source) =>
      new Observable<ConsumerStats>((subscriber) => {
        let flushing: Promise<void> | undefined;
        const tick = () => {
          flushing ??= flush().catch((err) => onError?.(err)).finally(() => flushing = undefined);
        };
        const timer = setInterval(tick, intervalMs);
        const subscription = source.subscribe({
          next: (stats) => {
            latest = stats;
            subscriber.next(stats);
          },
          error: (err) => {
            clearInterval(timer);
            subscriber.error(err);
          },
          complete: () => {
            clearInterval(timer);
            (async () => {
              await flushing;
              await flush().catch((err) => onError?.(err));
              subscriber.complete();
            })();
          },
        });
        return () => {
          clearInterval(timer);
          subscription.unsubscribe();
        };
      }),
  };
}
