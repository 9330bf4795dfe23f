/**
 * The snapshots of the aggregate per input partition, for the compacted stats
 * topic: the global average is the merge of every partition's latest snapshot,
 * however many consumers share the group.
 *
 * A snapshot is taken in one synchronous step from the partition's ledger
 * (its committable prefix and the settled offsets beyond it) and from the
 * statistics, which fold each record in the same step that settles it, so
 * the aggregate covers exactly the records the position says. In
 * at-least-once mode the snapshot is written and acknowledged before the
 * group's offset moves to its position (`commitThrough`); in exactly-once mode
 * it rides in the partition's transaction with the offsets.
 *
 * @module
 */
import { type MonoTypeOperatorFunction, tap } from "rxjs";
import type { OffsetCommit } from "../kafka/from_kafka.ts";
import type { LedgerPosition } from "../kafka/offset_ledger.ts";
import { DEFAULT_METADATA_MAX_BYTES, encodeOffsetMap } from "../kafka/offset_map.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import type { PartitionStarts } from "./partition_starts.ts";
import type { SnapshotCoverage } from "./is_covered.ts";
import { settledBeyondRuns, snapshotRecord, type StatsSnapshot } from "./stats_snapshot.ts";

/** Options for {@link createSnapshotPublisher}. */
export interface SnapshotPublisherOptions {
  /** The input topic the partitions belong to. */
  topic: string;
  groupId: string;
  /** Where each partition's aggregate started, and its ledger. */
  starts: PartitionStarts;
  /** Writes snapshot records to the stats topic; resolves once acknowledged. */
  write(records: Array<{ key: string; value: Uint8Array }>): Promise<void>;
  /** The clock for `updatedAt`. @default Date.now */
  now?: () => number;
  /**
   * Which per-partition states of the statistics belong to `topic`.
   * @default the main topic's, `stats.partitions`
   */
  select?: (stats: ConsumerStats) => ConsumerStats["partitions"];
  /** The broker's `offset.metadata.max.bytes`. @default 4096 */
  metadataMaxBytes?: number;
}

/** A publisher: pipe the statistics through it, and commit through it. */
export interface SnapshotPublisher {
  /** Passes the statistics on unchanged, keeping the latest. */
  observe: MonoTypeOperatorFunction<ConsumerStats>;
  /**
   * The partition's snapshot as of now, when its ledger is at `position`
   * (the position the source is about to commit); undefined before the
   * partition's start is loaded, or when the loaded start is of another
   * assignment.
   */
  snapshot(position: OffsetCommit): StatsSnapshot | undefined;
  /** The ledger of the partition's current assignment. */
  ledger(partition: number): LedgerPosition | undefined;
  /**
   * At-least-once commit of one partition: writes its snapshot (unless the
   * same one was written last), waits for the acknowledgement, then commits
   * the group's offset to the snapshot's position with `commitOffsets`.
   */
  commitThrough(
    position: OffsetCommit,
    commitOffsets: (commit: OffsetCommit) => Promise<void>,
  ): Promise<void>;
}

/**
 * Creates a publisher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat, ignoreElements, lastValueFrom, of, timer, toArray } from "rxjs";
 * import { createPartitionStarts } from "./partition_starts.ts";
 * import { createSnapshotPublisher } from "./stats_snapshots.ts";
 * import { OffsetLedger } from "../kafka/offset_ledger.ts";
 * import type { Delivery } from "../kafka/kafka_record.ts";
 *
 * const starts = createPartitionStarts({ load: () => Promise.resolve(new Map()) });
 * const ledger = new OffsetLedger(0);
 * ledger.admit(0);
 * const record = { topic: "orders", partition: 0, offset: "0" };
 * const delivery = { record, ledger, settle: () => ledger.settle(0) } as unknown as Delivery;
 * await lastValueFrom(
 *   concat(of(delivery), timer(10).pipe(ignoreElements())).pipe(starts.skipCovered, toArray()),
 * );
 * ledger.settle(0);
 * const written: string[] = [];
 * const publisher = createSnapshotPublisher({
 *   topic: "orders", groupId: "g", starts,
 *   write: (records) => Promise.resolve(void written.push(...records.map((r) => r.key))),
 * });
 * const committed: string[] = [];
 * const position = { topic: "orders", partition: 0, offset: "1", metadata: "" };
 * await publisher.commitThrough(position, (c) => Promise.resolve(void committed.push(c.offset)));
 * assert.deepEqual(written, ["orders:0"]);
 * assert.deepEqual(committed, ["1"]);
 * ```
 */
export function createSnapshotPublisher(options: SnapshotPublisherOptions): SnapshotPublisher {
  const {
    topic,
    groupId,
    starts,
    write,
    now = Date.now,
    select = (stats: ConsumerStats) => stats.partitions,
    metadataMaxBytes = DEFAULT_METADATA_MAX_BYTES,
  } = options;
  let latest: ConsumerStats | undefined;
  /** What was last written per partition, to skip unchanged ones. */
  const written = new Map<number, string>();

  // The partition's snapshot and the commit metadata of its position, in one step.
  const take = ({ partition, offset }: OffsetCommit): Taken | undefined => {
    const start = starts.current(topic, partition);
    if (start === undefined || String(start.ledger.nextOffset) !== offset) return undefined;
    const state = latest ? select(latest)[partition] : undefined;
    // Nothing folded since this assignment began: the loaded snapshot's aggregate.
    const aggregate = state?.epoch === start.epoch ? state.aggregate : start.aggregate;
    // The aggregate counts what the loaded snapshot covers and what the
    // ledger settled since, so the position must say both; once the ledger
    // has passed all the loaded snapshot covers, the ledger says it alone.
    const { ledger, coverage } = start;
    const { next, runs, metadata } = reachesPast(coverage, ledger.nextOffset)
      ? merged(ledger, coverage, metadataMaxBytes)
      : {
        next: ledger.nextOffset,
        runs: ledger.settledRuns(),
        metadata: ledger.metadata(metadataMaxBytes),
      };
    const snapshot: StatsSnapshot = {
      topic,
      partition,
      count: aggregate.count,
      sumCents: aggregate.sumCents,
      min: aggregate.min,
      max: aggregate.max,
      nextOffset: String(next),
      groupId,
      updatedAt: now(),
    };
    if (runs.length > 0) snapshot.settledBeyond = runs;
    return { snapshot, metadata };
  };

  return {
    observe: tap((stats) => latest = stats),
    snapshot: (position) => take(position)?.snapshot,
    ledger: (partition) => starts.current(topic, partition)?.ledger,
    async commitThrough(position, commitOffsets) {
      const { partition } = position;
      const taken = take(position);
      if (taken === undefined) return;
      const { snapshot, metadata } = taken;
      const mark = JSON.stringify([
        snapshot.count,
        snapshot.sumCents,
        snapshot.nextOffset,
        snapshot.settledBeyond,
      ]);
      if (written.get(partition) !== mark) {
        await write([snapshotRecord(snapshot)]);
        written.set(partition, mark);
      }
      await commitOffsets({ topic, partition, offset: snapshot.nextOffset, metadata });
    },
  };
}

// A snapshot with the commit metadata of its position.
interface Taken {
  snapshot: StatsSnapshot;
  metadata: string;
}

// Whether the loaded snapshot covers an offset at or past `next`.
function reachesPast(coverage: SnapshotCoverage, next: number): boolean {
  let end = coverageEnds.get(coverage);
  if (end === undefined) {
    end = coverage.nextOffset;
    for (const offset of coverage.settledBeyond ?? []) if (offset >= end) end = offset + 1n;
    coverageEnds.set(coverage, end);
  }
  return end > BigInt(next);
}

// Each loaded snapshot's end: the offset past the last it covers.
const coverageEnds = new WeakMap<SnapshotCoverage, bigint>();

// The position of the ledger and the loaded snapshot together: every offset
// either holds settled, and the prefix moved over those that join it.
function merged(
  ledger: LedgerPosition,
  coverage: SnapshotCoverage,
  metadataMaxBytes: number,
): { next: number; runs: Array<[number, number]>; metadata: string } {
  const beyond = new Set(ledger.settledBeyond());
  for (const offset of coverage.settledBeyond ?? []) beyond.add(Number(offset));
  let next = Math.max(ledger.nextOffset, Number(coverage.nextOffset));
  while (beyond.delete(next)) next++;
  const offsets = [...beyond].filter((offset) => offset > next).sort((a, b) => a - b);
  const runs = settledBeyondRuns(BigInt(next), offsets.map(BigInt)) ?? [];
  return { next, runs, metadata: encodeOffsetMap(next, offsets, metadataMaxBytes) };
}
