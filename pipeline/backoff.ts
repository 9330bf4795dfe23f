/**
 * How long to wait before a retry: exponential backoff with optional full jitter.
 *
 * @module
 */

import { delayFor, resolveBackoff } from "./_backoff.ts";

/** How the wait before each retry grows. Every field is optional. */
export interface BackoffOptions {
  /**
   * The ceiling of the first retry's wait, in milliseconds.
   *
   * @default {1000}
   */
  baseDelay?: number;
  /**
   * How much the ceiling grows with each further retry.
   *
   * @default {2}
   */
  factor?: number;
  /**
   * The largest ceiling, in milliseconds, however many retries came before.
   *
   * @default {30000}
   */
  maxDelay?: number;
  /**
   * `"full"` waits a random whole number of milliseconds in `[0, ceiling]`, so
   * that consumers failing together do not retry together; `"none"` waits
   * exactly the ceiling.
   *
   * @default {"full"}
   */
  jitter?: "full" | "none";
  /**
   * The source of randomness for `"full"` jitter, returning a number in
   * `[0, 1)`; inject a fixed one in tests.
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * The wait in milliseconds before retry number `attempt` (the first retry is
 * attempt 1). The ceiling is `min(maxDelay, baseDelay * factor ** (attempt - 1))`;
 * with full jitter the wait is uniform over the whole milliseconds in
 * `[0, ceiling]`, so `random()` close to 1 gives the ceiling itself.
 *
 * @throws {RangeError} if `attempt` or an option is out of range.
 * @throws {TypeError} if `random` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay, type BackoffOptions } from "./backoff.ts";
 *
 * const exact: BackoffOptions = { jitter: "none" };
 * assert.deepEqual([1, 2, 3].map((attempt) => backoffDelay(attempt, exact)), [1000, 2000, 4000]);
 * // Full jitter: uniform in [0, 4000] for the third retry.
 * assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  return delayFor(attempt, resolveBackoff(options));
}
