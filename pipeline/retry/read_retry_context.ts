/**
 * Reads the retry-tier headers of a record back: which round it is in, when it
 * is due, and the original record it stands for.
 *
 * @module
 */
import { RETRY_HEADERS, retryHeader as header } from "../headers.ts";

/** A record as it was on its original topic, before the retry tier touched it. */
export interface OriginalRecord {
  topic: string;
  partition: number;
  /** Decimal string, as Kafka gives offsets. */
  offset: string;
  /** Milliseconds since the epoch, as a decimal string. */
  timestamp: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** The original headers: the record's headers less the retry tier's. */
  headers: Record<string, Uint8Array>;
}

/** Where a record stands in the retry tier. */
export interface RetryContext {
  /** Rounds through the retry topic so far, 0 for a record of the main topic. */
  round: number;
  /** When it may be tried again, in ms since the epoch (0: now). */
  due: number;
  /** Processing attempts over every round so far. */
  attempts: number;
  /** When it first failed, in ms since the epoch, or null if it never did. */
  firstFailure: number | null;
  /** The record as it was on the main topic. */
  original: OriginalRecord;
}

const utf8 = new TextDecoder();

/**
 * The retry context of `record` (a record of the main or the retry topic, in
 * the shape of an {@link OriginalRecord}, all its headers). A record without retry headers (one of the
 * main topic) is round 0 and its own original; a missing or malformed number
 * counts as absent, so a hand-written record on the retry topic is still
 * processed rather than stuck.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRetryContext } from "./read_retry_context.ts";
 *
 * const text = (s: string) => new TextEncoder().encode(s);
 * const context = readRetryContext({
 *   topic: "orders-retry", partition: 1, offset: "3", timestamp: "1700000000500",
 *   key: null, value: null,
 *   headers: {
 *     "x-retry-round": text("2"), "x-retry-due": text("1700000001000"), "x-attempts": text("8"),
 *     "x-original-topic": text("orders"), "x-original-offset": text("41"),
 *     "x-correlation-id": text("c-1"),
 *   },
 * });
 * assert.equal(context.round, 2);
 * assert.equal(context.original.offset, "41");
 * assert.deepEqual(Object.keys(context.original.headers), ["x-correlation-id"]);
 * ```
 */
export function readRetryContext(record: Readonly<OriginalRecord>): RetryContext {
  const { headers } = record;
  const text = (name: string) => headers[name] ? utf8.decode(headers[name]) : undefined;
  const whole = (name: string) => {
    const value = text(name);
    return value !== undefined && /^\d+$/.test(value) ? value : undefined;
  };
  const original: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(headers)) {
    if (!RETRY_HEADERS.has(name)) original[name] = bytes;
  }
  const round = Number(whole(header.ROUND) ?? 0);
  const firstFailure = whole(header.FIRST_FAILURE);
  return {
    round,
    due: Number(whole(header.DUE) ?? 0),
    attempts: Number(whole(header.ATTEMPTS) ?? 0),
    firstFailure: firstFailure === undefined ? null : Number(firstFailure),
    original: {
      topic: text(header.ORIGINAL_TOPIC) ?? record.topic,
      partition: Number(whole(header.ORIGINAL_PARTITION) ?? record.partition),
      offset: whole(header.ORIGINAL_OFFSET) ?? record.offset,
      timestamp: whole(header.ORIGINAL_TIMESTAMP) ?? record.timestamp,
      key: record.key,
      value: record.value,
      headers: original,
    },
  };
}
