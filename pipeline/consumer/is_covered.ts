/**
 * Which records a partition's snapshot already counts: the outcome fold asks
 * this for every record and skips the covered ones, so a record that comes
 * back after a crash, a rebalance or a refetch is never counted twice.
 *
 * @module
 */
import { settledBeyondOffsets, type StatsSnapshot } from "./stats_snapshot.ts";

/** What a snapshot covers: every offset below `nextOffset`, plus `settledBeyond`. */
export interface SnapshotCoverage {
  /** Every offset below this one is covered. */
  readonly nextOffset: bigint;
  /** Offsets at or above `nextOffset` that are covered too. */
  readonly settledBeyond?: ReadonlySet<bigint> | readonly bigint[];
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
 * The coverage of `snapshot`, its runs unpacked into a set once, for
 * {@link isCovered}; a partition without a snapshot covers nothing.
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
  return { nextOffset, settledBeyond: new Set(settledBeyondOffsets(snapshot)) };
}
