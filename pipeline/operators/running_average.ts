/**
 * Folds order prices into a running {@link Aggregate}.
 *
 * @module
 */

import { type OperatorFunction, scan } from "rxjs";
import { addToAggregate, type Aggregate, emptyAggregate } from "./aggregate.ts";

/**
 * Emits the aggregate (count, sum, average, min, max) after each price.
 * `seed` continues from an earlier aggregate, such as the last committed
 * snapshot of a partition. A price that is not a finite number errors the
 * stream (see `addToAggregate`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { from, lastValueFrom, toArray } from "rxjs";
 * import { runningAverage } from "./running_average.ts";
 *
 * const aggs = await lastValueFrom(from([10, 20, 60]).pipe(runningAverage(), toArray()));
 * assert.deepEqual(aggs.map((a) => a.average), [10, 15, 30]);
 * ```
 */
export function runningAverage(seed: Aggregate = emptyAggregate()): OperatorFunction<
  number,
  Aggregate
> {
  if (!Number.isInteger(seed?.count) || seed.count < 0 || !Number.isSafeInteger(seed.sumCents)) {
    throw new RangeError(
      "Cannot average: 'seed' must be an Aggregate with a whole 'count' >= 0 and a whole 'sumCents'",
    );
  }
  return scan((agg: Aggregate, price: number) => addToAggregate(agg, price), seed);
}
