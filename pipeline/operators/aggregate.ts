/**
 * The running aggregate of order prices: a mergeable value, so the global
 * average is the merge of every partition's latest aggregate.
 *
 * @module
 */

/**
 * Count, sum, mean and extremes of the prices seen. `average`, `min` and `max`
 * are `null` while `count` is 0: `null` survives JSON (NaN would turn into
 * `null` anyway) and forces callers to handle "no orders yet".
 */
export interface Aggregate {
  readonly count: number;
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
 * assert.deepEqual(empty, { count: 0, sum: 0, average: null, min: null, max: null });
 * // It is where adding starts, and merging with it changes nothing.
 * const one = addToAggregate(empty, 5);
 * assert.deepEqual(mergeAggregates(one, empty), one);
 * ```
 */
export function emptyAggregate(): Aggregate {
  return { count: 0, sum: 0, average: null, min: null, max: null };
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
 * const agg: Aggregate = addToAggregate(addToAggregate(emptyAggregate(), 10), 20);
 * assert.deepEqual(agg, { count: 2, sum: 30, average: 15, min: 10, max: 20 });
 * // Adding one by one and merging single-price aggregates agree.
 * const singles = [10, 20].map((price) => addToAggregate(emptyAggregate(), price));
 * assert.deepEqual(mergeAggregates(...singles), agg);
 * ```
 */
export function addToAggregate(agg: Aggregate, price: number): Aggregate {
  if (typeof price !== "number" || !Number.isFinite(price)) {
    throw new RangeError(
      `Cannot add to aggregate: 'price' must be a finite number (validate orders first), got ${
        String(price)
      }`,
    );
  }
  const count = agg.count + 1;
  const sum = agg.sum + price;
  return {
    count,
    sum,
    average: sum / count,
    min: agg.min === null || price < agg.min ? price : agg.min,
    max: agg.max === null || price > agg.max ? price : agg.max,
  };
}

/**
 * The aggregate of all prices behind `aggs`, such as the latest aggregate of
 * every partition. Pure, and independent of the order of `aggs`, up to
 * floating-point rounding of the sum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addToAggregate, type Aggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";
 *
 * const partition0 = addToAggregate(emptyAggregate(), 10);
 * const partition1 = addToAggregate(addToAggregate(emptyAggregate(), 20), 30);
 * const global: Aggregate = mergeAggregates(partition0, partition1);
 * assert.deepEqual(global, { count: 3, sum: 60, average: 20, min: 10, max: 30 });
 * ```
 */
export function mergeAggregates(...aggs: readonly Aggregate[]): Aggregate {
  let count = 0;
  let sum = 0;
  let min: number | null = null;
  let max: number | null = null;
  for (const agg of aggs) {
    if (agg.count === 0) continue;
    count += agg.count;
    sum += agg.sum;
    if (agg.min !== null && (min === null || agg.min < min)) min = agg.min;
    if (agg.max !== null && (max === null || agg.max > max)) max = agg.max;
  }
  return { count, sum, average: count === 0 ? null : sum / count, min, max };
}
