// Backoff validation, split from the computation so that processWithRetry,
// retryWrites and retryAsync validate their options once, not at every retry.

import type { BackoffOptions } from "./backoff.ts";

/** Backoff options with every default applied and every value checked. */
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
