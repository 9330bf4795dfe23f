/**
 * Which records a partition's snapshot already counts: the outcome fold asks
 * this for every record and skips the covered ones, so a record that comes
 * back after a crash, a rebalance or a refetch is never counted twice.
 *
 * @module
 */
import type { StatsSnapshot } from "./stats_snapshot.ts";

/** What a snapshot covers: every offset below `nextOffset`, plus `settledBeyond`. */
export interface SnapshotCoverage {
  /** Every offset below this one is covered. */
  readonly nextOffset: bigint;
  /** Offsets at or above `nextOffset` that are covered too. */
  readonly settledBeyond?: OffsetSet | readonly bigint[];
}

/** Offsets, each once, in ascending order, that can say whether they hold one. */
export interface OffsetSet extends Iterable<bigint> {
  has(offset: bigint): boolean;
}

/**
 * Whether the record at `offset` is counted in the snapshot that `coverage`
 * describes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCovered } from "./is_covered.ts";
 * const coverage = { nextOffset: 10n, settledBeyond: new Set([12n]) };
 * assert.equal(isCovered(coverage, 9n), true);
 * assert.equal(isCovered(coverage, "10"), false);
 * assert.equal(isCovered(coverage, 12n), true);
 * ```
 */
export function isCovered(coverage: SnapshotCoverage, offset: bigint | string): boolean {
  const at = typeof offset === "bigint" ? offset : BigInt(offset);
  if (at < coverage.nextOffset) return true;
  const beyond = coverage.settledBeyond;
  if (beyond === undefined) return false;
  return "has" in beyond ? beyond.has(at) : beyond.includes(at);
}

/**
 * The coverage of `snapshot`, for {@link isCovered}; a partition without a
 * snapshot covers nothing. Its runs stay runs: while many orders wait in
 * backoff they stand for hundreds of thousands of offsets, and exactly-once
 * mode takes a coverage at every transaction.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coverageOf, isCovered } from "./is_covered.ts";
 * const coverage = coverageOf({ nextOffset: "5", settledBeyond: [[2, 1]] });
 * assert.deepEqual([4n, 5n, 6n, 7n, 8n].map((o) => isCovered(coverage, o)), [true, false, false, true, false]);
 * assert.equal(isCovered(coverageOf(undefined), 0n), false);
 * ```
 */
export function coverageOf(
  snapshot: Pick<StatsSnapshot, "nextOffset" | "settledBeyond"> | undefined,
): SnapshotCoverage {
  if (snapshot === undefined) return { nextOffset: 0n };
  const nextOffset = BigInt(snapshot.nextOffset);
  if (snapshot.settledBeyond === undefined) return { nextOffset };
  return { nextOffset, settledBeyond: new OffsetRuns(nextOffset, snapshot.settledBeyond) };
}

// A snapshot's settled offsets beyond its position as its runs: each
// [start, length] covers `length` offsets from `nextOffset + start`, the runs
// ascending and apart (as `parseStatsSnapshot` checks).
class OffsetRuns implements OffsetSet {
  constructor(
    private readonly nextOffset: bigint,
    private readonly runs: NonNullable<StatsSnapshot["settledBeyond"]>,
  ) {}

  has(offset: bigint): boolean {
    const beyond = Number(offset - this.nextOffset);
    const runs = this.runs;
    // The last run that starts at or before `beyond`.
    let low = 0;
    let high = runs.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (runs[middle][0] <= beyond) low = middle + 1;
      else high = middle - 1;
    }
    if (high < 0) return false;
    const [start, length] = runs[high];
    return beyond < start + length;
  }

  *[Symbol.iterator](): Iterator<bigint> {
    for (const [start, length] of this.runs) {
      for (let i = 0; i < length; i++) yield this.nextOffset + BigInt(start + i);
    }
  }
}
