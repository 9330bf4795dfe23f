/**
 * Exactly-once mode for one input topic: per input partition, one Kafka
 * transaction carries the dead letters and retry records of its settled
 * records, its snapshot and its consumed offsets. A letter is held until the
 * transaction of a snapshot that covers its record, so a crash either commits
 * the record's letter, its count and its offset together, or none of them.
 *
 * @module
 */
import type { OffsetCommit } from "../kafka/from_kafka.ts";
import type { OutboundRecord } from "../kafka/kafka_producer.ts";
import type { Delivery } from "../kafka/kafka_record.ts";
import type { LedgerPosition } from "../kafka/offset_ledger.ts";
import {
  createPartitionTransactions,
  type PartitionTransactions,
} from "../kafka/partition_transactions.ts";
import type { TopicWrite } from "../kafka/transactional_producer.ts";
import { errorCode } from "../errors.ts";
import { coverageOf, isCovered } from "./is_covered.ts";
import { snapshotRecord } from "./stats_snapshot.ts";
import type { SnapshotPublisher } from "./stats_snapshots.ts";

/** Options for {@link createExactlyOnce}. */
export interface ExactlyOnceOptions {
  brokers: readonly string[];
  /** The group whose offsets the transactions commit. */
  groupId: string;
  /** The input topic. */
  topic: string;
  /** Where the snapshots go. */
  statsTopic: string;
  /** The snapshots of `topic`'s partitions. */
  snapshots: SnapshotPublisher;
}

/** The transactions of one input topic. */
export interface ExactlyOnce {
  /**
   * Takes the partitions owned after a rebalance; resolves once each one's
   * producer is initialised, so a zombie is fenced before its offsets and
   * snapshot are read.
   */
  assign(partitions: readonly number[]): Promise<void>;
  /**
   * Holds a letter of `delivery`'s record for the transaction that covers the
   * record. `slim` gives a smaller letter for one that `target` refuses as too
   * large (a dead letter without its payload); without it such a transaction fails.
   */
  hold(
    delivery: Delivery,
    target: string,
    letter: OutboundRecord,
    slim?: () => OutboundRecord,
  ): Promise<void>;
  /** The source's commit: the partition's transaction. */
  commit(position: OffsetCommit): Promise<void>;
  close(): Promise<void>;
}

interface Held {
  ledger: LedgerPosition;
  offset: string;
  target: string;
  letter: OutboundRecord;
  slim?: () => OutboundRecord;
}

/** Creates the exactly-once writer of one input topic. */
export function createExactlyOnce(options: ExactlyOnceOptions): ExactlyOnce {
  const { brokers, groupId, topic, statsTopic, snapshots } = options;
  const transactions: PartitionTransactions = createPartitionTransactions({
    brokers,
    groupId,
    topic,
  });
  const held = new Map<number, Held[]>();

  return {
    assign: (partitions) => {
      for (const partition of held.keys()) {
        if (!partitions.includes(partition)) held.delete(partition);
      }
      return transactions.assign(partitions);
    },
    hold(delivery, target, letter, slim) {
      const { partition, offset } = delivery.record;
      let list = held.get(partition);
      if (list === undefined) held.set(partition, list = []);
      list.push({ ledger: delivery.ledger, offset, target, letter, slim });
      return Promise.resolve();
    },
    async commit(position) {
      const { partition } = position;
      // Taken in one step: the snapshot, and the letters of the records it covers.
      const snapshot = snapshots.snapshot(position);
      if (snapshot === undefined) return;
      const coverage = coverageOf(snapshot);
      const list = held.get(partition) ?? [];
      const taken: Held[] = [];
      const kept: Held[] = [];
      const current = snapshots.ledger(partition);
      for (const h of list) {
        // A letter of an earlier assignment's ledger belongs to nobody now: its
        // record is read again by whoever owns the partition.
        if (h.ledger !== current) continue;
        (isCovered(coverage, h.offset) ? taken : kept).push(h);
      }
      held.set(partition, kept);
      const offsets = {
        groupId,
        topic,
        partitions: [{ partition, offset: BigInt(snapshot.nextOffset) }],
      };
      for (;;) {
        try {
          await transactions.writer(partition).commit({
            writes: writesOf(taken, statsTopic, snapshotRecord(snapshot)),
            offsets,
          });
          return;
        } catch (err) {
          // A letter too large for its topic goes again slimmed (the largest
          // first), as at least once does; the failed try was aborted.
          if (errorCode(err) === "RECORD_TOO_LARGE" && slimLargest(taken)) continue;
          // Aborted: the letters go into the next transaction, with a newer snapshot.
          held.set(partition, [...taken, ...(held.get(partition) ?? [])]);
          throw err;
        }
      }
    },
    close: () => transactions.close(),
  };
}

// One transaction's writes: the letters by topic, then the snapshot.
function writesOf(taken: Held[], statsTopic: string, snapshot: OutboundRecord): TopicWrite[] {
  const writes = new Map<string, OutboundRecord[]>();
  for (const h of taken) {
    let records = writes.get(h.target);
    if (records === undefined) writes.set(h.target, records = []);
    records.push(h.letter);
  }
  writes.set(statsTopic, [...writes.get(statsTopic) ?? [], snapshot]);
  return [...writes].map(([topic, records]) => ({ topic, records }));
}

// Replaces the largest letter that can be slimmed by its slim form; false when none is left.
function slimLargest(taken: Held[]): boolean {
  let largest: Held | undefined;
  for (const h of taken) {
    if (
      h.slim !== undefined && (largest === undefined || sizeOf(h.letter) > sizeOf(largest.letter))
    ) {
      largest = h;
    }
  }
  if (largest === undefined) return false;
  largest.letter = largest.slim!();
  largest.slim = undefined;
  return true;
}

function sizeOf({ key, value, headers }: OutboundRecord): number {
  let size = (value?.byteLength ?? 0) +
    (typeof key === "string" ? key.length : key?.byteLength ?? 0);
  for (const name in headers) {
    const header = headers[name];
    size += name.length + (typeof header === "string" ? header.length : header.byteLength);
  }
  return size;
}
