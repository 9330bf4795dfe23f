/**
 * How many bytes a record takes on a topic, as the broker counts it against
 * the topic's `max.message.bytes`.
 *
 * @module
 */

// Kafka's record batch (format v2): the batch header, then per record its
// length, attributes, timestamp and offset deltas, key and value lengths and
// header count, each a varint of at most 5 (or 10) bytes.
const BATCH_HEADER_BYTES = 61;
const RECORD_FIELDS_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
// A header's name and value lengths.
const HEADER_FIELDS_BYTES = 5 + 5;

const utf8 = new TextEncoder();

/** A record as {@link recordBatchBytes} sizes it. */
export interface SizedRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Readonly<Record<string, Uint8Array>>;
}

/**
 * The most bytes `record` takes as a batch of its own, uncompressed: at
 * least what the broker holds against `max.message.bytes`, and at most 29
 * bytes (plus 8 a header) over it, as every varint is counted at its longest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordBatchBytes } from "./record_size.ts";
 *
 * const bytes = recordBatchBytes({
 *   key: new Uint8Array(3),
 *   value: new Uint8Array(1000),
 *   headers: { "x-retry-round": new Uint8Array(1) },
 * });
 * assert.equal(bytes, 61 + 36 + 3 + 1000 + 10 + 13 + 1);
 * ```
 */
export function recordBatchBytes(record: SizedRecord): number {
  let bytes = BATCH_HEADER_BYTES + RECORD_FIELDS_BYTES +
    (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
  for (const name in record.headers) {
    bytes += HEADER_FIELDS_BYTES + utf8.encode(name).byteLength + record.headers[name].byteLength;
  }
  return bytes;
}
