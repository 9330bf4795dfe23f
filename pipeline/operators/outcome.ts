/**
 * The terminal outcome of one message. Every message ends in exactly one, and
 * only then is its offset committed.
 *
 * @module
 */

/** The message was processed; `value` is what the stages made of it. */
export interface ProcessedOutcome<V> {
  readonly kind: "processed";
  readonly value: V;
}

/** The message failed and its letter is durable on the dead-letter topic. */
export interface DeadLettered<F> {
  readonly kind: "dead-lettered";
  /** The letter the sink acknowledged. */
  readonly letter: F;
  /** Why the message failed, such as a `ProcessingFailure`. */
  readonly error: unknown;
}

/**
 * The message failed transiently, ran out of retries, and its letter is
 * durable on the retry topic to be tried again later.
 */
export interface RetryScheduled<F> {
  readonly kind: "retry-scheduled";
  /** The letter the retry sink acknowledged. */
  readonly letter: F;
  /** Why the message failed. */
  readonly error: unknown;
}

/**
 * One message's terminal outcome, told apart by `kind`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeadLettered, Outcome, ProcessedOutcome, RetryScheduled } from "./outcome.ts";
 *
 * const ok: ProcessedOutcome<number> = { kind: "processed", value: 42 };
 * const dead: DeadLettered<string> = { kind: "dead-lettered", letter: "bad bytes", error: null };
 * const later: RetryScheduled<string> = { kind: "retry-scheduled", letter: "timed out", error: null };
 * const describe = (o: Outcome<number, string>) =>
 *   o.kind === "processed" ? `ok ${o.value}` : `${o.kind}: ${o.letter}`;
 * assert.deepEqual([ok, dead, later].map(describe), [
 *   "ok 42",
 *   "dead-lettered: bad bytes",
 *   "retry-scheduled: timed out",
 * ]);
 * ```
 */
export type Outcome<V, F> = ProcessedOutcome<V> | DeadLettered<F> | RetryScheduled<F>;
