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
import {
  isObservable,
  Observable,
  type Observer,
  type OperatorFunction,
  type Subscriber,
  type Subscription,
} from "rxjs";

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
      const lanes = new Lanes(keyOf, project, subscriber);
      const upstream = source.subscribe({
        next: (value) => lanes.take(value),
        error: (err) => subscriber.error(err),
        complete: () => lanes.sourceDone(),
      });
      return () => {
        upstream.unsubscribe();
        lanes.unsubscribe();
      };
    });
}

// The state of one subscription: the keys with an Observable result running,
// and the values waiting behind each. A value in backoff is held for
// seconds, thousands at a time, so what it holds here is one small object
// (its run) rather than closures.
class Lanes<T, R> {
  readonly #byKey = new Map<unknown, Lane<T>>();
  readonly #running = new Set<Run<T, R>>();
  #unkeyedRunning = 0;
  #sourceDone = false;

  constructor(
    private readonly keyOf: (value: T) => unknown,
    private readonly project: (value: T) => R | Observable<R>,
    readonly subscriber: Subscriber<R>,
  ) {}

  // While no lane exists nothing can wait, so the key is asked for only
  // when a value needs a lane (a first-try success never does).
  take(value: T): void {
    if (this.#byKey.size === 0) return this.#run(UNASKED, value, undefined);
    const key = this.keyOf(value);
    const lane = key === undefined ? undefined : this.#byKey.get(key);
    if (lane === undefined) this.#run(key, value, undefined);
    else lane.queue.push(value);
  }

  sourceDone(): void {
    this.#sourceDone = true;
    this.#completeIfDone();
  }

  unsubscribe(): void {
    for (const run of this.#running) run.subscription?.unsubscribe();
  }

  // Runs one value; returns once its result is out or its Observable is running.
  #run(keyOrUnasked: unknown, value: T, laneOfKey: Lane<T> | undefined): void {
    const { subscriber } = this;
    let result: R | Observable<R>;
    try {
      result = this.project(value);
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
        key = this.keyOf(value);
      } catch (err) {
        subscriber.error(err);
        return;
      }
    }
    let lane = laneOfKey;
    if (key === undefined) {
      this.#unkeyedRunning++;
    } else if (lane === undefined) {
      lane = this.#byKey.get(key);
      if (lane === undefined) this.#byKey.set(key, lane = new Lane(key));
    }
    if (lane) lane.busy = true;
    const run = new Run(this, lane);
    const subscription = result.subscribe(run);
    // A result that completes at once is never kept among the running ones.
    if (!run.done) {
      run.subscription = subscription;
      this.#running.add(run);
    }
  }

  // A running result completed: its lane's next value may go.
  finished(run: Run<T, R>): void {
    if (run.subscription) this.#running.delete(run);
    const lane = run.lane;
    if (lane === undefined) {
      this.#unkeyedRunning--;
      this.#completeIfDone();
      return;
    }
    lane.busy = false;
    if (lane.draining) return; // the loop below is already running further up the stack
    lane.draining = true;
    while (!lane.busy && lane.queue.length > 0 && !this.subscriber.closed) {
      this.#run(lane.key, lane.queue.shift()!, lane);
    }
    lane.draining = false;
    if (!lane.busy && lane.queue.length === 0) {
      this.#byKey.delete(lane.key);
      this.#completeIfDone();
    }
  }

  #completeIfDone(): void {
    if (this.#sourceDone && this.#byKey.size === 0 && this.#unkeyedRunning === 0) {
      this.subscriber.complete();
    }
  }
}

// One key's lane: whether a result of it runs, and the values waiting behind it.
class Lane<T> {
  readonly queue: T[] = [];
  busy = false;
  draining = false;
  constructor(readonly key: unknown) {}
}

// One running Observable result, observed without closures.
class Run<T, R> implements Observer<R> {
  done = false;
  subscription?: Subscription;

  constructor(private readonly lanes: Lanes<T, R>, readonly lane: Lane<T> | undefined) {}

  next(value: R): void {
    this.lanes.subscriber.next(value);
  }

  error(err: unknown): void {
    this.lanes.subscriber.error(err);
  }

  complete(): void {
    this.done = true;
    this.lanes.finished(this);
  }
}

// A key not yet asked for.
const UNASKED = Symbol("unasked");
