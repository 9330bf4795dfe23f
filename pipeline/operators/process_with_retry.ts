/**
 * Runs a function on each value, retrying transient failures with backoff.
 *
 * @module
 */

import {
  asyncScheduler,
  concatMap,
  from,
  isObservable,
  Observable,
  type ObservableInput,
  type Observer,
  type OperatorFunction,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
  take,
  throwIfEmpty,
  type Unsubscribable,
} from "rxjs";
import { isRetriable, PipelineError } from "../errors.ts";
import { type BackoffOptions, delayFor, resolveBackoff, type ResolvedBackoff } from "../backoff.ts";
import { ProcessingFailure } from "./processing_failure.ts";

/** How {@link processWithRetry} retries. Every field is optional. */
export interface RetryOptions {
  /**
   * How many retries after the first attempt, so `process` runs at most
   * `count + 1` times for one value.
   *
   * @default {3}
   */
  count?: number;
  /**
   * The wait before each retry.
   *
   * @default {{}}
   */
  backoff?: BackoffOptions;
  /**
   * The clock for the backoff timers and failure times; a `TestScheduler` in
   * tests puts them on virtual time.
   *
   * @default {asyncScheduler}
   */
  scheduler?: SchedulerLike;
  /**
   * Called before each wait, for metrics: `attempt` is the retry's number
   * (1 for the first retry, which is the second call of `process`). If it
   * throws, the value fails with that error.
   */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /**
   * The stage named in a {@link ProcessingFailure}.
   *
   * @default {"process"}
   */
  stage?: string;
}

/** A value together with what `process` made of it. */
export interface Processed<T, R> {
  /** The value given to `process`. */
  readonly input: T;
  /** What `process` returned, resolved or emitted. */
  readonly result: R;
  /** How many times `process` was called, 1 when it succeeded at once. */
  readonly attempts: number;
}

/**
 * Calls `process` on each value, in order, and emits a {@link Processed}.
 * `process` may return its result, a `Promise` of it, or an `Observable` whose
 * first value is the result. A transient failure (see `isRetriable`) is
 * retried up to `count` times with {@link backoffDelay}; any other failure is
 * not. When a value finally fails, the operator errors with a
 * {@link ProcessingFailure} whose `cause` is the last error; use it inside a
 * per-message inner observable, followed by `toDeadLetter`, so that one
 * failure never ends the outer stream. The operator holds no state, so build
 * it once and reuse it for every message.
 *
 * @throws {RangeError} if an option is out of range.
 * @throws {TypeError} if `process` or `onRetry` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastValueFrom, of } from "rxjs";
 * import { type Processed, processWithRetry, type RetryOptions } from "./process_with_retry.ts";
 * import { TransientError } from "../errors.ts";
 *
 * let calls = 0;
 * const flaky = (n: number) => {
 *   if (++calls < 3) throw new TransientError("timed out");
 *   return n * 2;
 * };
 * const options: RetryOptions = { count: 3, backoff: { baseDelay: 1, jitter: "none" } };
 * const done: Processed<number, number> = await lastValueFrom(
 *   of(21).pipe(processWithRetry(flaky, options)),
 * );
 * assert.deepEqual(done, { input: 21, result: 42, attempts: 3 });
 * ```
 */
export function processWithRetry<T, R>(
  process: (input: T) => R | Promise<R> | Observable<R>,
  options: RetryOptions = {},
): OperatorFunction<T, Processed<T, R>> {
  const attempt = attemptWithRetry(process, options);
  return concatMap((input: T): ObservableInput<Processed<T, R>> => {
    const done = attempt(input);
    return isObservable(done) ? done : [done];
  });
}

/**
 * The per-value core of {@link processWithRetry}: calls `process` on one
 * value and returns what became of it. A first call that succeeds
 * synchronously gives a plain {@link Processed} (no Observable at all, the
 * consumer's hot path); otherwise an Observable that retries transient
 * failures with backoff and errors with a {@link ProcessingFailure}. The
 * error of a failed first call is that attempt's outcome: `process` is not
 * called again for it, and nothing is replayed.
 *
 * @throws {RangeError} if an option is out of range.
 * @throws {TypeError} if `process` or `onRetry` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isObservable } from "rxjs";
 * import { attemptWithRetry } from "./process_with_retry.ts";
 *
 * const attempt = attemptWithRetry((n: number) => n * 2);
 * const done = attempt(21);
 * assert.ok(!isObservable(done));
 * assert.deepEqual(done, { input: 21, result: 42, attempts: 1 });
 * ```
 */
export function attemptWithRetry<T, R>(
  process: (input: T) => R | Promise<R> | Observable<R>,
  options: RetryOptions = {},
): (input: T) => Processed<T, R> | RetryingCall<T, R> {
  const { count = 3, backoff = {}, scheduler = asyncScheduler, onRetry, stage = "process" } =
    options;
  if (typeof process !== "function") {
    throw new TypeError(`Cannot retry: 'process' must be a function, got ${typeof process}`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `Cannot retry: 'count' must be a whole number >= 0 (a message in backoff holds back its key or its partition, so it must end), got ${
        String(count)
      }`,
    );
  }
  if (onRetry !== undefined && typeof onRetry !== "function") {
    throw new TypeError(`Cannot retry: 'onRetry' must be a function, got ${typeof onRetry}`);
  }
  if (typeof stage !== "string" || stage === "") {
    throw new TypeError(
      `Cannot retry: 'stage' must be a non-empty string, as dead letters name it, got ${
        JSON.stringify(stage)
      }`,
    );
  }
  const resolved = resolveBackoff(backoff);

  // One attempt's outcome, once the first call failed or went async.
  const attemptOf = (result: R | Promise<R> | Observable<R>): Attempt<R> => {
    if (isObservable(result)) {
      return result.pipe(
        take(1),
        // A value that completes without a result would otherwise end in no outcome at all.
        throwIfEmpty(() =>
          new PipelineError("UNEXPECTED", "permanent", `${stage} completed without a result`)
        ),
      );
    }
    return isPromiseLike(result) ? from(result) : new Returned(result);
  };
  // One call of `process`, as its outcome or the error it threw.
  const call = (input: T): Attempt<R> => {
    try {
      return attemptOf(process(input));
    } catch (err) {
      return new FailedCall(err);
    }
  };
  const policy: RetryPolicy<T, R> = { count, resolved, scheduler, onRetry, stage, call };
  // The retry machinery, built only once the first call failed or went async.
  const withRetry = (input: T, first: Attempt<R>) => new RetryingCall(input, first, policy);

  return (input: T): Processed<T, R> | RetryingCall<T, R> => {
    // The hot path: a synchronous success costs one call and one object, no pipeline.
    let result: R | Promise<R> | Observable<R>;
    try {
      result = process(input);
    } catch (err) {
      return withRetry(input, new FailedCall(err));
    }
    if (isObservable(result) || isPromiseLike(result)) {
      return withRetry(input, attemptOf(result));
    }
    return { input, result, attempts: 1 };
  };
}

// What one value's retries need, the same for every value.
interface RetryPolicy<T, R> {
  count: number;
  resolved: ResolvedBackoff;
  scheduler: SchedulerLike;
  onRetry: RetryOptions["onRetry"];
  stage: string;
  call: (input: T) => Attempt<R>;
}

/**
 * The retries of one value whose first call failed or went async, as an
 * Observable (see {@link attemptWithRetry}). A holder of thousands of such
 * values at once (the consumer's key lanes) can run them into a plain
 * observer with {@link RetryingCall.retryInto}, without a subscriber chain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TransientError } from "../errors.ts";
 * import { attemptWithRetry, type Processed, RetryingCall } from "./process_with_retry.ts";
 *
 * let calls = 0;
 * const attempt = attemptWithRetry((n: number) => {
 *   if (++calls === 1) throw new TransientError("timed out");
 *   return n * 2;
 * }, { backoff: { baseDelay: 1, jitter: "none" } });
 * const retrying = attempt(21);
 * assert.ok(retrying instanceof RetryingCall);
 * const done = await new Promise<Processed<number, number>>((resolve, reject) =>
 *   retrying.retryInto({ next: resolve, error: reject, complete: () => {} })
 * );
 * assert.deepEqual(done, { input: 21, result: 42, attempts: 2 });
 * ```
 */
export class RetryingCall<T, R> extends Observable<Processed<T, R>> {
  // The first call's outcome, used once: never replayed.
  #pending: Attempt<R> | undefined;

  constructor(
    private readonly input: T,
    first: Attempt<R>,
    private readonly policy: RetryPolicy<T, R>,
  ) {
    super(subscribeRetries);
    this.#pending = first;
  }

  /**
   * Runs the retries into `sink`: the first call's outcome, then each retry
   * after its wait; `sink` is told the result, or the {@link ProcessingFailure}.
   * A second run calls `process` afresh.
   */
  retryInto(sink: Observer<Processed<T, R>>): Unsubscribable {
    const outcome = this.#pending ?? this.policy.call(this.input);
    this.#pending = undefined;
    return new Retries(sink, this.input, this.policy).run(outcome);
  }
}

// The Observable's subscribe function: `this` is the RetryingCall.
function subscribeRetries<T, R>(
  this: Observable<Processed<T, R>>,
  subscriber: Subscriber<Processed<T, R>>,
): Unsubscribable {
  return (this as RetryingCall<T, R>).retryInto(subscriber);
}

// One value's retries while it is subscribed to. A value in backoff is held
// for seconds, thousands at a time, so it is one object and, while it waits,
// one scheduled action: no closures (the pipe of defer, retry, timer and
// catchError it replaces cost about 5 KB and 50 µs per failing value, and
// most of the consumer's GC time).
class Retries<T, R> implements Unsubscribable {
  #attempts = 1;
  #firstFailureTime = NaN;
  #lastFailureTime = NaN;
  #running?: Subscription;
  #waiting?: Subscription;

  constructor(
    private readonly subscriber: Observer<Processed<T, R>>,
    private readonly input: T,
    private readonly policy: RetryPolicy<T, R>,
  ) {}

  // Takes one attempt's outcome: done, failed, or still to come.
  run(outcome: Attempt<R>): this {
    if (outcome instanceof FailedCall) {
      this.#failed(outcome.error);
    } else if (outcome instanceof Returned) {
      this.#succeeded(outcome.value);
      this.subscriber.complete();
    } else {
      this.#running = outcome.subscribe({
        next: (result) => this.#succeeded(result),
        error: (err) => this.#failed(err),
        complete: () => this.subscriber.complete(),
      });
    }
    return this;
  }

  /** The next attempt, once its wait is over. */
  retryNow(): void {
    this.#waiting = undefined;
    this.#attempts++;
    this.run(this.policy.call(this.input));
  }

  unsubscribe(): void {
    this.#running?.unsubscribe();
    this.#waiting?.unsubscribe();
  }

  #succeeded(result: R): void {
    this.subscriber.next({ input: this.input, result, attempts: this.#attempts });
  }

  #failed(err: unknown): void {
    const { count, resolved, scheduler, onRetry, stage } = this.policy;
    const attempts = this.#attempts;
    this.#lastFailureTime = scheduler.now();
    if (Number.isNaN(this.#firstFailureTime)) this.#firstFailureTime = this.#lastFailureTime;
    let cause = err;
    if (attempts <= count && isRetriable(err)) {
      try {
        const delayMs = delayFor(attempts, resolved);
        onRetry?.(err, attempts, delayMs);
        this.#waiting = scheduler.schedule(retryAgain, delayMs, this);
        return;
      } catch (thrown) {
        cause = thrown;
      }
    }
    this.subscriber.error(
      new ProcessingFailure(cause, {
        attempts,
        firstFailureTime: this.#firstFailureTime,
        lastFailureTime: this.#lastFailureTime,
        stage,
      }),
    );
  }
}

// The scheduled work of a value in backoff: its next attempt.
function retryAgain(retries?: { retryNow(): void }): void {
  retries!.retryNow();
}

// A call of `process` that returned at once: its result, with no Observable around it.
class Returned<R> {
  constructor(readonly value: R) {}
}

// A call of `process` that threw: its error, with no Observable around it.
class FailedCall {
  constructor(readonly error: unknown) {}
}

type Attempt<R> = Observable<R> | Returned<R> | FailedCall;

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value instanceof Promise ||
    (typeof value === "object" && value !== null &&
      typeof (value as { then?: unknown }).then === "function");
}
