/**
 * Builds the record the retry tier writes: the original key, value and
 * headers, plus where the record stands in the retry tier.
 *
 * @module
 */
import { retryHeader as header } from "../headers.ts";
import type { RetryContext } from "./read_retry_context.ts";

const utf8 = new TextEncoder();

/** What {@link buildRetryRecord} needs. */
export interface RetryRecordInput {
  /** The failed record's context (round 0 for a record of the main topic). */
  context: RetryContext;
  /** The consumer group whose round it is: only that group's retry reader takes it. */
  groupId: string;
  /** Attempts made in this round. */
  attempts: number;
  /** When this round first failed, in ms since the epoch. */
  failedAt: number;
  /** The wait before the next round, in ms. */
  delayMs: number;
  /** Class and code of the last failure. */
  errorClass: string;
  errorCode: string;
  /** The clock, in ms since the epoch. @default Date.now() */
  now?: number;
}

/** A record for the retry topic, pinned to the original partition number. */
export interface RetryRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, Uint8Array>;
  partition: number;
}

/**
 * Builds the next round's record: the group whose round it is, round + 1, due
 * `delayMs` from now, attempts
 * summed over the rounds, the first failure time and the original
 * topic/partition/offset/timestamp kept from the first round. The original
 * headers, `x-correlation-id` among them, travel unchanged, as the same
 * bytes (not copies).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildRetryRecord } from "./build_retry_record.ts";
 * import { readRetryContext } from "./read_retry_context.ts";
 *
 * const context = readRetryContext({
 *   topic: "orders", partition: 2, offset: "9", timestamp: "1700000000000",
 *   key: null, value: new Uint8Array([1]), headers: {},
 * });
 * const next = buildRetryRecord({
 *   context, groupId: "g", attempts: 4, failedAt: 1700000000100, delayMs: 1000,
 *   errorClass: "transient", errorCode: "DOWNSTREAM_FAILED", now: 1700000000200,
 * });
 * const again = readRetryContext({ ...next, topic: "orders-retry", offset: "0", timestamp: "0" });
 * assert.deepEqual([again.round, again.due, again.attempts], [1, 1700000001200, 4]);
 * assert.equal(again.original.offset, "9");
 * assert.equal(next.partition, 2);
 * ```
 */
export function buildRetryRecord(input: RetryRecordInput): RetryRecord {
  const { context, groupId, attempts, failedAt, delayMs, errorClass, errorCode, now = Date.now() } =
    input;
  const { original } = context;
  const headers: Record<string, Uint8Array> = { ...original.headers };
  const set = (name: string, value: string | number) => headers[name] = utf8.encode(String(value));
  set(header.GROUP, groupId);
  set(header.ROUND, context.round + 1);
  set(header.DUE, now + delayMs);
  set(header.ATTEMPTS, context.attempts + attempts);
  set(header.FIRST_FAILURE, context.firstFailure ?? failedAt);
  set(header.ORIGINAL_TOPIC, original.topic);
  set(header.ORIGINAL_PARTITION, original.partition);
  set(header.ORIGINAL_OFFSET, original.offset);
  set(header.ORIGINAL_TIMESTAMP, original.timestamp);
  set(header.ERROR_CLASS, errorClass);
  set(header.ERROR_CODE, errorCode);
  return {
    key: original.key,
    value: original.value,
    headers,
    partition: original.partition,
  };
}
