/**
 * The aggregate snapshot written to the compacted stats topic: one record per
 * input partition, keyed `<topic>:<partition>`, its value UTF-8 JSON.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { type Aggregate, aggregateOfCents, toCents } from "../operators/aggregate.ts";

/**
 * One input partition's aggregate, as of `nextOffset`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStatsSnapshot, snapshotRecord, type StatsSnapshot } from "./stats_snapshot.ts";
 * const snapshot: StatsSnapshot = {
 *   topic: "orders", partition: 1, count: 2, sumCents: 3000, min: 10, max: 20,
 *   nextOffset: "7", groupId: "order-pipeline", updatedAt: 1700000000000,
 * };
 * const record = snapshotRecord(snapshot);
 * assert.equal(record.key, "orders:1");
 * assert.deepEqual(parseStatsSnapshot(record.value), snapshot);
 * ```
 */
export interface StatsSnapshot {
  /** The input topic. */
  topic: string;
  /** The input partition. */
  partition: number;
  /** Orders folded in. */
  count: number;
  /**
   * Sum of their prices in whole cents, exact. On the wire the JSON also
   * carries `sum` (`sumCents / 100`) for readers older than `sumCents`; a
   * snapshot written before it has only `sum`, read as cents rounded.
   */
  sumCents: number;
  /** Lowest price, null while `count` is 0. */
  min: number | null;
  /** Highest price, null while `count` is 0. */
  max: number | null;
  /** The offset after the last message covered, as a decimal string. */
  nextOffset: string;
  /** The consumer group that wrote it. */
  groupId: string;
  /** When it was written, in ms since the epoch. */
  updatedAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The record that carries `snapshot`: key `<topic>:<partition>`, value JSON. */
export function snapshotRecord(snapshot: StatsSnapshot): { key: string; value: Uint8Array } {
  return {
    key: `${snapshot.topic}:${snapshot.partition}`,
    value: encoder.encode(JSON.stringify({ ...snapshot, sum: snapshot.sumCents / 100 })),
  };
}

/**
 * Reads a snapshot back.
 *
 * @throws {DecodeError} When the bytes are not a snapshot, naming the field.
 */
export function parseStatsSnapshot(bytes: Uint8Array | null): StatsSnapshot {
  if (!bytes || bytes.byteLength === 0) {
    throw new DecodeError("Cannot read stats snapshot: the value is empty", "EMPTY_VALUE");
  }
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new DecodeError(`Cannot read stats snapshot: not JSON (${err})`);
  }
  const fail = (field: string, wanted: string) => {
    throw new DecodeError(
      `Cannot read stats snapshot: '${field}' must be ${wanted}, got ${
        JSON.stringify(value[field])
      }`,
    );
  };
  const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (typeof value !== "object" || value === null) fail("value", "an object");
  if (typeof value.topic !== "string") fail("topic", "a string");
  if (!Number.isInteger(value.partition)) fail("partition", "a whole number");
  if (!Number.isInteger(value.count) || (value.count as number) < 0) fail("count", "a count");
  if (value.sumCents === undefined) {
    if (!isNumber(value.sum)) fail("sum", "a number");
  } else if (!Number.isSafeInteger(value.sumCents)) fail("sumCents", "a whole number of cents");
  if (value.min !== null && !isNumber(value.min)) fail("min", "a number or null");
  if (value.max !== null && !isNumber(value.max)) fail("max", "a number or null");
  if (typeof value.nextOffset !== "string" || !/^\d+$/.test(value.nextOffset)) {
    fail("nextOffset", "a decimal string");
  }
  if (typeof value.groupId !== "string") fail("groupId", "a string");
  if (!isNumber(value.updatedAt)) fail("updatedAt", "a number");
  const { topic, partition, count, min, max, nextOffset, groupId, updatedAt } = value;
  return {
    topic,
    partition,
    count,
    sumCents: value.sumCents ?? toCents(value.sum as number),
    min,
    max,
    nextOffset,
    groupId,
    updatedAt,
  } as StatsSnapshot;
}

/** The snapshot's aggregate. */
export function snapshotAggregate(snapshot: StatsSnapshot): Aggregate {
  const { count, sumCents, min, max } = snapshot;
  return aggregateOfCents(
    count,
    sumCents,
    min === null ? null : toCents(min),
    max === null ? null : toCents(max),
  );
}
