/**
 * The running aggregate of order prices: a mergeable value, so the global
 * average is the merge of every partition's latest aggregate.
 *
 * Money is summed in whole cents, as integers: a sum of doubles drifts
 * (0.1 + 0.2 is not 0.3), and one of float32 prices drifts more, while integer
 * cents are exact up to 2^53 cents (90 trillion), whatever the order of adding
 * and merging. Each price is rounded to the nearest cent once, on the way in.
 *
 * @module
 */

/**
 * Count, sum, mean and extremes of the prices seen. `sumCents` is the exact
 * sum; `sum`, `average`, `min` and `max` are in currency units, derived from
 * cents (`min` and `max` are whole cents too). `average`, `min` and `max` are
 * `null` while `count` is 0: `null` survives JSON (NaN would turn into `null`
 * anyway) and forces callers to handle "no orders yet".
 */
export interface Aggregate {
  readonly count: number;
  /** The sum of the prices in whole cents: a safe integer. */
  readonly sumCents: number;
  /** `sumCents / 100`. */
  readonly sum: number;
  readonly average: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * The aggregate of no prices.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToAggregate, type Aggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";
 *
 * const empty: Aggregate = emptyAggregate();
 * assert.deepEqual(empty, { count: 0, sumCents: 0, sum: 0, average: null, min: null, max: null });
 * // It is where adding starts, and merging with it changes nothing.
 * const one = addToAggregate(empty, 5);
 * assert.deepEqual(mergeAggregates(one, empty), one);
 * ```
 */
export function emptyAggregate(): Aggregate {
  return { count: 0, sumCents: 0, sum: 0, average: null, min: null, max: null };
}

/**
 * A price in whole cents, rounded to the nearest: `19.99` and its float32
 * `19.989999771118164` are both 1999 (a float32 is within 0.4 cents of the
 * 2-decimal price it was made from below 2^17, which covers every valid price).
 *
 * @throws {RangeError} if `price` is not a finite number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCents } from "./aggregate.ts";
 *
 * assert.equal(toCents(Math.fround(688.65)), 68865);
 * ```
 */
export function toCents(price: number): number {
  if (typeof price !== "number" || !Number.isFinite(price)) {
    throw new RangeError(
      `Cannot add to aggregate: 'price' must be a finite number (validate orders first), got ${
        String(price)
      }`,
    );
  }
  return Math.round(price * 100);
}

/**
 * The aggregate of `count` prices summing to `sumCents`, with these extremes
 * in cents: the one place the derived fields are computed.
 *
 * @throws {RangeError} if the sum is past 2^53 cents, where integers stop being exact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aggregateOfCents } from "./aggregate.ts";
 *
 * assert.deepEqual(aggregateOfCents(2, 3000, 1000, 2000), {
 *   count: 2, sumCents: 3000, sum: 30, average: 15, min: 10, max: 20,
 * });
 * ```
 */
export function aggregateOfCents(
  count: number,
  sumCents: number,
  minCents: number | null,
  maxCents: number | null,
): Aggregate {
  if (!Number.isSafeInteger(sumCents)) {
    throw new RangeError(
      `Cannot aggregate: the sum of ${count} prices, ${sumCents} cents, is past 2^53 cents, where it would stop being exact`,
    );
  }
  if (count === 0) return emptyAggregate();
  return {
    count,
    sumCents,
    sum: sumCents / 100,
    average: sumCents / count / 100,
    min: minCents === null ? null : minCents / 100,
    max: maxCents === null ? null : maxCents / 100,
  };
}

/**
 * The aggregate with one more price. Pure: `agg` is not changed.
 *
 * @throws {RangeError} if `price` is not a finite number: one NaN would
 * poison every later average, and orders are validated before they get here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToAggregate, type Aggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";
 *
 * const agg: Aggregate = addToAggregate(addToAggregate(emptyAggregate(), 0.1), 0.2);
 * assert.deepEqual(agg, { count: 2, sumCents: 30, sum: 0.3, average: 0.15, min: 0.1, max: 0.2 });
 * // Adding one by one and merging single-price aggregates agree.
 * const singles = [0.1, 0.2].map((price) => addToAggregate(emptyAggregate(), price));
 * assert.deepEqual(mergeAggregates(...singles), agg);
 * ```
 */
export function addToAggregate(agg: Aggregate, price: number): Aggregate {
  const cents = toCents(price);
  // The aggregate's own min and max were checked when they came in: back to
  // cents with the same rounding, without checking them again per message.
  return aggregateOfCents(
    agg.count + 1,
    agg.sumCents + cents,
    agg.min === null ? cents : Math.min(Math.round(agg.min * 100), cents),
    agg.max === null ? cents : Math.max(Math.round(agg.max * 100), cents),
  );
}

/**
 * The aggregate of all prices behind `aggs`, such as the latest aggregate of
 * every partition. Pure, and independent of the order of `aggs`: integer
 * cents add up exactly in any order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToAggregate, type Aggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";
 *
 * const partition0 = addToAggregate(emptyAggregate(), 10);
 * const partition1 = addToAggregate(addToAggregate(emptyAggregate(), 20), 30);
 * const global: Aggregate = mergeAggregates(partition0, partition1);
 * assert.deepEqual(global, { count: 3, sumCents: 6000, sum: 60, average: 20, min: 10, max: 30 });
 * ```
 */
export function mergeAggregates(...aggs: readonly Aggregate[]): Aggregate {
  let count = 0;
  let sumCents = 0;
  let min: number | null = null;
  let max: number | null = null;
  for (const agg of aggs) {
    if (agg.count === 0) continue;
    count += agg.count;
    sumCents += agg.sumCents;
    if (agg.min !== null) min = min === null ? toCents(agg.min) : Math.min(min, toCents(agg.min));
    if (agg.max !== null) max = max === null ? toCents(agg.max) : Math.max(max, toCents(agg.max));
  }
  return aggregateOfCents(count, sumCents, min, max);
}
