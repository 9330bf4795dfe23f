/**
 * `concatMapSync`: `concatMap` for projections that usually answer at once.
 * Most orders decode, validate and process synchronously; giving each of them
 * an inner Observable costs several subscriptions per message, which
 * dominated the consumer's profile. Here a plain value is emitted on the spot
 * and only an Observable result is subscribed to, with later values queued
 * behind it, so order is kept exactly as `concatMap` keeps it.
 *
 * Written as `new Observable` rather than a `pipe` of existing operators
 * because no composition of them emits a synchronous result without an inner
 * subscription.
 *
 * @module
 */
import { isObservable, Observable, type OperatorFunction, type Subscription } from "rxjs";

/**
 * Maps each value to a result or an Observable of results, in order: a value
 * waits until every Observable result before it has completed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { from, lastValueFrom, of, toArray } from "rxjs";
 * import { concatMapSync } from "./concat_map_sync.ts";
 *
 * const out = await lastValueFrom(
 *   from([1, 2, 3]).pipe(concatMapSync((n) => (n === 2 ? of(20, 21) : n * 10)), toArray()),
 * );
 * assert.deepEqual(out, [10, 20, 21, 30]);
 * ```
 */
export function concatMapSync<T, R>(
  project: (value: T) => R | Observable<R>,
): OperatorFunction<T, R> {
  if (typeof project !== "function") {
    throw new TypeError(
      `Cannot concatMapSync: 'project' must be a function, got ${typeof project}`,
    );
  }
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: T[] = [];
      let inner: Subscription | undefined;
      let busy = false;
      let draining = false;
      let sourceDone = false;

      // Runs one value; returns once its result is out or its Observable is running.
      const run = (value: T) => {
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
        busy = true;
        let completed = false;
        const subscription = result.subscribe({
          next: (r) => subscriber.next(r),
          error: (err) => subscriber.error(err),
          complete: () => {
            completed = true;
            busy = false;
            inner = undefined;
            drain();
          },
        });
        if (!completed) inner = subscription;
      };

      const drain = () => {
        if (draining) return; // the loop below is already running further up the stack
        draining = true;
        while (!busy && queue.length > 0 && !subscriber.closed) run(queue.shift()!);
        draining = false;
        if (!busy && queue.length === 0 && sourceDone) subscriber.complete();
      };

      const upstream = source.subscribe({
        next: (value) => {
          if (!busy && !draining && queue.length === 0) run(value);
          else queue.push(value);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      return () => {
        upstream.unsubscribe();
        inner?.unsubscribe();
      };
    });
}
