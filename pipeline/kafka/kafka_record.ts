import type { LedgerPosition } from "./offset_ledger.ts";

/** A consumed Kafka message, in our own types so no code outside `kafka/` sees kafkajs. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  /** The offset as Kafka gives it: a decimal string (offsets exceed 2^53). */
  readonly offset: string;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  /** Header values as bytes; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, Uint8Array>>;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
}

/** A record handed to the pipeline, with the call that settles it. */
export interface Delivery {
  readonly record: KafkaRecord;
  /**
   * Says the record reached its one terminal outcome. Records may settle in any
   * order; a commit never passes an unsettled record.
   */
  settle(): void;
  /**
   * The position of the record's partition: the committable offset and the
   * settled offsets beyond it, read after `settle()` to know what a
   * partition's outcomes cover.
   */
  readonly ledger: LedgerPosition;
}

/** Bytes of a header value, whatever form kafkajs gave it in. */
export function headerBytes(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return headerBytes(value[value.length - 1]);
  if (value instanceof Uint8Array) return value;
  return new TextEncoder().encode(String(value));
}

/** A record to write. */
export interface OutboundRecord {
  key?: Uint8Array | string | null;
  value: Uint8Array | null;
  headers?: Record<string, Uint8Array | string>;
  /** Pin the partition; otherwise the key (or round robin) decides. */
  partition?: number;
}
