/**
 * `untilSourceEnds`: a chain that ends when its source ends, whatever it still runs.
 *
 * @module
 */
import { defer, type OperatorFunction, Subject, takeUntil, tap } from "rxjs";

/**
 * Runs `chain` on the source and completes as soon as the source completes,
 * unsubscribing from whatever the chain still runs. The consumer's source
 * completes after a graceful stop has waited out its drain timeout and
 * committed what settled: a record still in backoff then is left, not
 * waited for (its offset is not committed, so the group reads it again).
 * Without it, `concatMapByKey` would wait for every record in backoff, as
 * `mergeMap` does, and a stop during a long backoff would not end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastValueFrom, mergeMap, NEVER, of, startWith, toArray } from "rxjs";
 * import { untilSourceEnds } from "./until_source_ends.ts";
 *
 * // 2 never finishes: without untilSourceEnds the result would never complete.
 * const chain = mergeMap((n: number) => n === 2 ? NEVER.pipe(startWith(20)) : of(n * 10));
 * assert.deepEqual(await lastValueFrom(of(1, 2, 3).pipe(untilSourceEnds(chain), toArray())), [
 *   10,
 *   20,
 *   30,
 * ]);
 * ```
 */
export function untilSourceEnds<T, R>(chain: OperatorFunction<T, R>): OperatorFunction<T, R> {
  return (source) =>
    defer(() => {
      const ended = new Subject<void>();
      return source.pipe(tap({ complete: () => ended.next() }), chain, takeUntil(ended));
    });
}
