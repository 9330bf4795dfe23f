/**
 * How long to wait before a retry: exponential backoff with optional full jitter.
 *
 * @module
 */

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

/**
 * Backoff options with every default applied and every value checked: made
 * once by {@link resolveBackoff}, so that processWithRetry, retryWrites and
 * retryAsync validate their options once, not at every retry.
 */
export interface ResolvedBackoff {
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly jitter: "full" | "none";
  readonly random: () => number;
}

// setTimeout fires at once for longer waits, which would turn a backoff into a busy retry.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Applies the defaults of {@link BackoffOptions} and validates every value. */
export function resolveBackoff(options: BackoffOptions): ResolvedBackoff {
  const {
    baseDelay = 1000,
    factor = 2,
    maxDelay = 30_000,
    jitter = "full",
    random = Math.random,
  } = options;
  if (typeof baseDelay !== "number" || !(baseDelay >= 0)) {
    throw new RangeError(
      `Cannot compute backoff: 'baseDelay' must be a number >= 0, got ${String(baseDelay)}`,
    );
  }
  if (typeof factor !== "number" || !(factor >= 1)) {
    throw new RangeError(
      `Cannot compute backoff: 'factor' must be a number >= 1 so that waits never shrink, got ${
        String(factor)
      }`,
    );
  }
  if (typeof maxDelay !== "number" || !(maxDelay >= 0 && maxDelay <= LONGEST_TIMER_MS)) {
    throw new RangeError(
      `Cannot compute backoff: 'maxDelay' must be a number from 0 to ${LONGEST_TIMER_MS} (the longest wait a timer supports), got ${
        String(maxDelay)
      }`,
    );
  }
  if (jitter !== "full" && jitter !== "none") {
    throw new RangeError(
      `Cannot compute backoff: 'jitter' must be "full" or "none", got ${JSON.stringify(jitter)}`,
    );
  }
  if (typeof random !== "function") {
    throw new TypeError(
      `Cannot compute backoff: 'random' must be a function returning a number in [0, 1), got ${typeof random}`,
    );
  }
  return { baseDelay, factor, maxDelay, jitter, random };
}

/** The wait before retry number `attempt`, from resolved options. */
export function delayFor(attempt: number, backoff: ResolvedBackoff): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(
      `Cannot compute backoff: 'attempt' must be a whole number >= 1 (the first retry is 1), got ${
        String(attempt)
      }`,
    );
  }
  const { baseDelay, factor, maxDelay } = backoff;
  // 0 * Infinity is NaN: a zero base stays zero however large the growth overflows.
  const grown = baseDelay === 0 ? 0 : baseDelay * factor ** (attempt - 1);
  const ceiling = Math.min(maxDelay, grown);
  if (backoff.jitter === "none") return ceiling;
  const r = backoff.random();
  if (!(r >= 0 && r < 1)) {
    throw new RangeError(
      `Cannot compute backoff: 'random' must return a number in [0, 1), got ${String(r)}`,
    );
  }
  // The + 1 makes the ceiling itself reachable, so the wait is uniform over [0, ceiling].
  return Math.floor(r * (Math.floor(ceiling) + 1));
}
