/**
 * The one retry loop for promise-shaped work: broker waits, retriable Kafka
 * calls, transactions. Its waits come from {@link backoffDelay}'s shape; RxJS
 * streams retry with `retry({ delay })` on the same shape instead.
 *
 * @module
 */

import { type BackoffOptions, delayFor, resolveBackoff } from "./backoff.ts";

/** How {@link retryAsync} retries. Every field is optional. */
export interface RetryAsyncOptions {
  /**
   * Whether a failure may pass with time; any other failure is thrown at once.
   *
   * @default {() => true}
   */
  isRetriable?: (error: unknown) => boolean;
  /**
   * Calls in all, the first included; `Infinity` retries until `timeoutMs`
   * passes or `signal` aborts.
   *
   * @default {Infinity}
   */
  attempts?: number;
  /**
   * The wait before retry number `n` (1 for the first retry): backoff options,
   * a steady wait in milliseconds, or a function of `n` in milliseconds.
   *
   * @default {{}} (1 s doubling to 30 s, full jitter)
   */
  backoff?: BackoffOptions | number | ((n: number) => number);
  /**
   * The longest time in milliseconds from the first call: no retry starts
   * after it, and the last wait is cut so that it ends there.
   *
   * @default {Infinity}
   */
  timeoutMs?: number;
  /** Ends the waiting: the last failure is thrown at once. */
  signal?: AbortSignal;
  /** Told each retriable failure, with the retry number and the wait before it. */
  onRetry?: (error: unknown, n: number, waitMs: number) => void;
  /** The clock, in milliseconds; a fake one in tests. @default {Date.now} */
  now?: () => number;
  /** Waits `ms`, or less when `signal` aborts; a fake one in tests. @default {pause} */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Calls `call`, and again after a wait while it fails retriably, until it
 * succeeds, `attempts` calls were made, `timeoutMs` passed or `signal`
 * aborted; then the last failure is thrown as it is, for the caller to name.
 *
 * @throws {RangeError} if `attempts`, `timeoutMs` or a backoff option is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryAsync } from "./retry_async.ts";
 *
 * let calls = 0;
 * const waits: number[] = [];
 * const result = await retryAsync(async () => {
 *   if (++calls < 3) throw new Error("not yet");
 *   return "done";
 * }, { backoff: { baseDelay: 1, jitter: "none" }, onRetry: (_err, _n, ms) => waits.push(ms) });
 * assert.equal(result, "done");
 * assert.deepEqual(waits, [1, 2]);
 * ```
 */
export async function retryAsync<T>(
  call: () => Promise<T>,
  options: RetryAsyncOptions = {},
): Promise<T> {
  const {
    isRetriable = () => true,
    attempts = Infinity,
    backoff = {},
    timeoutMs = Infinity,
    signal,
    onRetry,
    now = Date.now,
    sleep = pause,
  } = options;
  if (!(attempts === Infinity || (Number.isInteger(attempts) && attempts >= 1))) {
    throw new RangeError(
      `Cannot retry: 'attempts' must be a whole number >= 1 or Infinity, got ${String(attempts)}`,
    );
  }
  if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
    throw new RangeError(
      `Cannot retry: 'timeoutMs' must be a number >= 0 or Infinity, got ${String(timeoutMs)}`,
    );
  }
  const delay = waits(backoff);
  const deadline = now() + timeoutMs;
  for (let n = 1;; n++) {
    try {
      return await call();
    } catch (error) {
      const left = deadline - now();
      if (!isRetriable(error) || n >= attempts || left <= 0 || signal?.aborted) throw error;
      const wait = Math.min(delay(n), left);
      onRetry?.(error, n, wait);
      await sleep(wait, signal);
      if (signal?.aborted) throw error;
    }
  }
}

/** The wait before retry `n`, with the options validated once. */
function waits(backoff: BackoffOptions | number | ((n: number) => number)): (n: number) => number {
  if (typeof backoff === "function") return backoff;
  const resolved = resolveBackoff(
    typeof backoff === "number"
      ? { baseDelay: backoff, factor: 1, maxDelay: backoff, jitter: "none" }
      : backoff,
  );
  return (n) => delayFor(n, resolved);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
