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
  /**
   * The snapshot covers every record below this offset, as a decimal string:
   * the first offset of the partition that is not settled.
   */
  nextOffset: string;
  /**
   * Records at or above `nextOffset` that the snapshot covers too (settled out
   * of order, with key ordering), as runs `[start, length]`: the offsets
   * `nextOffset + start` up to `nextOffset + start + length - 1`. Runs are in
   * ascending order, apart from each other, with `start >= 1` and `length >= 1`.
   * Absent when nothing beyond `nextOffset` is covered (and in snapshots written
   * before it existed).
   */
  settledBeyond?: ReadonlyArray<readonly [number, number]>;
  /** The consumer group that wrote it. */
  groupId: string;
  /** When it was written, in ms since the epoch. */
  updatedAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The key of the stats record of one input partition: `<topic>:<partition>`. */
export function snapshotKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** The record that carries `snapshot`: key `<topic>:<partition>`, value JSON. */
export function snapshotRecord(snapshot: StatsSnapshot): { key: string; value: Uint8Array } {
  return {
    key: snapshotKey(snapshot.topic, snapshot.partition),
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
  if (value.settledBeyond !== undefined && !isRuns(value.settledBeyond)) {
    fail("settledBeyond", "ascending, separate runs [start >= 1, length >= 1]");
  }
  const { topic, partition, count, min, max, nextOffset, groupId, updatedAt, settledBeyond } =
    value;
  const snapshot = {
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
  if (settledBeyond !== undefined) {
    snapshot.settledBeyond = settledBeyond as StatsSnapshot["settledBeyond"];
  }
  return snapshot;
}

function isRuns(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  let end = 0;
  for (const run of value) {
    if (!Array.isArray(run) || run.length !== 2) return false;
    const [start, length] = run;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length)) return false;
    if (start < 1 || length < 1 || start <= end) return false;
    end = start + length;
  }
  return true;
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

/**
 * Encodes the settled offsets beyond `nextOffset` as the runs of
 * {@link StatsSnapshot.settledBeyond}; offsets below or at `nextOffset` are
 * ignored (the offset itself is by definition not settled), and so are repeats.
 * Returns `undefined` when none is left, so the field can be left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settledBeyondRuns } from "./stats_snapshot.ts";
 * assert.deepEqual(settledBeyondRuns(100n, [102n, 103n, 104n, 107n, 90n]), [[2, 3], [7, 1]]);
 * assert.equal(settledBeyondRuns(100n, []), undefined);
 * ```
 */
export function settledBeyondRuns(
  nextOffset: bigint,
  offsets: Iterable<bigint>,
): Array<[number, number]> | undefined {
  const deltas = [...new Set(offsets)].filter((o) => o > nextOffset)
    .map((o) => Number(o - nextOffset)).sort((a, b) => a - b);
  const runs: Array<[number, number]> = [];
  for (const delta of deltas) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === delta) last[1] += 1;
    else runs.push([delta, 1]);
  }
  return runs.length > 0 ? runs : undefined;
}

/**
 * The offsets beyond `nextOffset` that `snapshot` covers, in ascending order:
 * the inverse of {@link settledBeyondRuns}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settledBeyondOffsets } from "./stats_snapshot.ts";
 * assert.deepEqual(settledBeyondOffsets({ nextOffset: "100", settledBeyond: [[2, 2], [7, 1]] }), [
 *   102n, 103n, 107n,
 * ]);
 * ```
 */
export function settledBeyondOffsets(
  snapshot: Pick<StatsSnapshot, "nextOffset" | "settledBeyond">,
): bigint[] {
  const next = BigInt(snapshot.nextOffset);
  const offsets: bigint[] = [];
  for (const [start, length] of snapshot.settledBeyond ?? []) {
    for (let i = 0; i < length; i++) offsets.push(next + BigInt(start + i));
  }
  return offsets;
}
