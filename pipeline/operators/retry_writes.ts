/**
 * Retries a write while it fails for a reason that may pass (the broker is
 * down or restarting), with backoff, up to a bound on the whole wait.
 *
 * @module
 */

import {
  asyncScheduler,
  defer,
  finalize,
  type MonoTypeOperatorFunction,
  retry,
  type SchedulerLike,
  throwError,
  timer,
} from "rxjs";
import { errorMessage, isRetriable, WriteTimeoutError } from "../errors.ts";
import { type BackoffOptions, delayFor, resolveBackoff } from "../backoff.ts";

/** How {@link retryWrites} waits. Every field is optional. */
export interface RetryWritesOptions {
  /**
   * The longest wait in milliseconds, counted from the first failure: a write
   * still failing after it fails with a `WriteTimeoutError`.
   *
   * @default {300000}
   */
  timeoutMs?: number;
  /**
   * The wait before each retry; the last wait is cut so that the bound holds.
   *
   * @default {{ baseDelay: 250, maxDelay: 10000 }}
   */
  backoff?: BackoffOptions;
  /** The clock and timers; a `TestScheduler` in tests. @default {asyncScheduler} */
  scheduler?: SchedulerLike;
  /** Told once, at the first retriable failure, when the wait began (scheduler time). */
  onWaiting?: (since: number, error: unknown) => void;
  /** Told once when a write that waited ends (written, failed or unsubscribed), with its `since`. */
  onWaitOver?: (since: number) => void;
}

/**
 * Resubscribes to a failed write (an Observable built with `defer`) while its
 * error is retriable (`isRetriable` from `errors.ts`), after a backoff, until
 * `timeoutMs` has passed since the first failure; then it fails with a
 * {@link WriteTimeoutError} whose cause is the last error. A non-retriable
 * error passes at once.
 *
 * @throws {RangeError} if `timeoutMs` or a backoff option is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defer, lastValueFrom } from "rxjs";
 * import { KafkaWriteError } from "../errors.ts";
 * import { retryWrites } from "./retry_writes.ts";
 *
 * let calls = 0;
 * const write = defer(async () => {
 *   if (++calls < 3) throw new KafkaWriteError("BROKER_UNREACHABLE", "connection refused");
 *   return "written";
 * });
 * const waits: number[] = [];
 * const result = await lastValueFrom(
 *   write.pipe(retryWrites({ backoff: { baseDelay: 1 }, onWaiting: (since) => waits.push(since) })),
 * );
 * assert.equal(result, "written");
 * assert.equal(calls, 3);
 * assert.equal(waits.length, 1);
 * ```
 */
export function retryWrites<T>(options: RetryWritesOptions = {}): MonoTypeOperatorFunction<T> {
  const {
    timeoutMs = 300_000,
    scheduler = asyncScheduler,
    onWaiting,
    onWaitOver,
  } = options;
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(
      `Cannot retry writes: 'timeoutMs' must be a finite number >= 0, got ${String(timeoutMs)}`,
    );
  }
  const backoff = resolveBackoff({ baseDelay: 250, maxDelay: 10_000, ...options.backoff });
  return (write$) =>
    defer(() => {
      // When this subscription's first retriable failure happened.
      let since: number | undefined;
      return write$.pipe(
        retry({
          delay: (error: unknown, attempt: number) => {
            if (!isRetriable(error)) return throwError(() => error);
            const now = scheduler.now();
            if (since === undefined) {
              since = now;
              onWaiting?.(since, error);
            }
            const left = since + timeoutMs - now;
            if (left <= 0) {
              return throwError(() =>
                new WriteTimeoutError(
                  `gave up after waiting ${
                    Math.round((now - since!) / 1000)
                  } s for the broker (the write timeout): ${errorMessage(error)}`,
                  { cause: error },
                )
              );
            }
            return timer(Math.min(delayFor(attempt, backoff), left), scheduler);
          },
        }),
        finalize(() => {
          if (since !== undefined) onWaitOver?.(since);
        }),
      );
    });
}
