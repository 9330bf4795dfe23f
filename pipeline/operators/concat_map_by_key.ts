/**
 * `concatMapByKey`: `concatMap` per key, the keys running side by side. It is
 * what `groupBy(key)` then `concatMap` inside each group does, with two
 * differences that the consumer's hot path needs:
 *
 * - a projection that answers at once (a plain value, as most orders do) is
 *   emitted on the spot, with no inner subscription; only an Observable
 *   result is subscribed to, and later values of its key queue behind it;
 * - a key's lane exists only while it has an Observable result running, so
 *   memory follows the records in flight, not the number of keys ever seen
 *   (`groupBy` keeps a group per key until it is told to close it).
 *
 * Written as `new Observable` rather than a `pipe` of existing operators
 * because no composition of them emits a synchronous result without an inner
 * subscription.
 *
 * @module
 */
import { isObservable, Observable, type OperatorFunction, type Subscription } from "rxjs";

/**
 * Maps each value to a result or an Observable of results. Values with the
 * same key are handled in order: a value waits until every Observable result
 * of its key before it has completed. Values with different keys, and values
 * whose key is `undefined`, do not wait for each other.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { from, lastValueFrom, timer, map, toArray } from "rxjs";
 * import { concatMapByKey } from "./concat_map_by_key.ts";
 *
 * const slow = (s: string) => timer(10).pipe(map(() => s));
 * const out = await lastValueFrom(
 *   from(["a1", "b1", "a2", "b2"]).pipe(
 *     concatMapByKey((s) => s[0], (s) => (s === "a1" ? slow(s) : s)),
 *     toArray(),
 *   ),
 * );
 * // b's records pass a1 while it waits; a2 stays behind a1.
 * assert.deepEqual(out, ["b1", "b2", "a1", "a2"]);
 * ```
 */
export function concatMapByKey<T, R>(
  keyOf: (value: T) => unknown,
  project: (value: T) => R | Observable<R>,
): OperatorFunction<T, R> {
  if (typeof keyOf !== "function") {
    throw new TypeError(`Cannot concatMapByKey: 'keyOf' must be a function, got ${typeof keyOf}`);
  }
  if (typeof project !== "function") {
    throw new TypeError(
      `Cannot concatMapByKey: 'project' must be a function, got ${typeof project}`,
    );
  }
  return (source) =>
    new Observable<R>((subscriber) => {
      // Keys with an Observable result running, and the values waiting behind it.
      const lanes = new Map<unknown, Lane<T>>();
      const running = new Set<Subscription>();
      let unkeyedRunning = 0;
      let sourceDone = false;

      const completeIfDone = () => {
        if (sourceDone && lanes.size === 0 && unkeyedRunning === 0) subscriber.complete();
      };

      // Runs one value; returns once its result is out or its Observable is running.
      // While no lane exists nothing can wait, so the key is asked for only
      // when a value needs a lane (a first-try success never does).
      const run = (keyOrUnasked: unknown, value: T) => {
        let result: R | Observable<R>;
        try {
          result = project(value);
        } catch (err) {
          subscriber.error(err);
          return;
        }
        if (!isObservable(result)) {
          subscriber.next(result);
          return;
        }
        let key = keyOrUnasked;
        if (key === UNASKED) {
          try {
            key = keyOf(value);
          } catch (err) {
            subscriber.error(err);
            return;
          }
        }
        let lane: Lane<T> | undefined;
        if (key === undefined) {
          unkeyedRunning++;
        } else {
          lane = lanes.get(key);
          if (lane === undefined) {
            lanes.set(key, lane = { queue: [], busy: false, draining: false });
          }
          lane.busy = true;
        }
        // A result that completes at once is never kept among the running ones.
        let done = false;
        let kept = false;
        const subscription: Subscription = result.subscribe({
          next: (r) => subscriber.next(r),
          error: (err) => subscriber.error(err),
          complete: () => {
            done = true;
            if (kept) running.delete(subscription);
            if (lane === undefined) {
              unkeyedRunning--;
              completeIfDone();
            } else {
              lane.busy = false;
              drain(key, lane);
            }
          },
        });
        if (!done) {
          kept = true;
          running.add(subscription);
        }
      };

      const drain = (key: unknown, lane: Lane<T>) => {
        if (lane.draining) return; // the loop below is already running further up the stack
        lane.draining = true;
        while (!lane.busy && lane.queue.length > 0 && !subscriber.closed) {
          run(key, lane.queue.shift()!);
        }
        lane.draining = false;
        if (!lane.busy && lane.queue.length === 0) {
          lanes.delete(key);
          completeIfDone();
        }
      };

      const upstream = source.subscribe({
        next: (value) => {
          if (lanes.size === 0) return run(UNASKED, value);
          const key = keyOf(value);
          const lane = key === undefined ? undefined : lanes.get(key);
          if (lane === undefined) run(key, value);
          else lane.queue.push(value);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          completeIfDone();
        },
      });
      return () => {
        upstream.unsubscribe();
        for (const subscription of running) subscription.unsubscribe();
      };
    });
}

// A key not yet asked for.
const UNASKED = Symbol("unasked");

interface Lane<T> {
  queue: T[];
  busy: boolean;
  draining: boolean;
}
