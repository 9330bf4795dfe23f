import type { LedgerPosition } from "../kafka/offset_ledger.ts";
import type { Aggregate } from "../operators/aggregate.ts";

/** What the consumer has done so far; one value per settled message. */
export interface ConsumerStats {
  /** Orders folded into the running average. */
  readonly processed: number;
  /** Extra processing attempts made after transient failures. */
  readonly retried: number;
  /** Messages written to the dead-letter topic, in all. */
  readonly deadLettered: number;
  /** Dead letters by failure class. */
  readonly deadLetteredByClass: Readonly<Record<"poison" | "permanent" | "transient", number>>;
  /** Messages handed to the retry topic (each round counts once). */
  readonly sentToRetry: number;
  /** The running average over every order this consumer processed. */
  readonly aggregate: Aggregate;
  /**
   * The same, per input partition, with the next offset each covers: the main
   * topic's records only. Orders processed from the retry topic are in
   * `aggregate`, not here, as the retry topic is read by another group.
   */
  readonly partitions: Readonly<Record<number, PartitionState>>;
  /**
   * Orders processed from the retry topic, per retry-topic partition, with the
   * next retry-topic offset each covers (the retry group's offsets).
   */
  readonly retryPartitions: Readonly<Record<number, PartitionState>>;
}

/** One partition's share of the aggregate. */
export interface PartitionState {
  readonly aggregate: Aggregate;
  /**
   * Every record of this partition below this offset is settled: the offset
   * the consumer commits. The aggregate covers the records below it that this
   * consumer folded, plus the settled offsets beyond it (see `ledger`).
   */
  readonly nextOffset: string;
  /** The partition's ledger: `nextOffset` and the settled offsets beyond it. */
  readonly ledger?: LedgerPosition;
  /**
   * The assignment this state belongs to, when the partition started from a
   * snapshot (see `partition_starts.ts`); its aggregate includes that snapshot's.
   */
  readonly epoch?: number;
}
