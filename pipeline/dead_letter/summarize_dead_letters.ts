/**
 * Statistics over dead letters, for `deno task dlq stats`.
 *
 * @module
 */

/** The fields of one dead letter that the statistics count. */
export interface DeadLetterFacts {
  errorClass: string;
  errorCode: string;
  stage: string;
  /** When it was dead-lettered (the DLQ record's timestamp), in ms since the epoch. */
  time: number;
}

/** What {@link summarizeDeadLetters} finds. */
export interface DeadLetterSummary {
  total: number;
  byClass: Record<string, number>;
  byCode: Record<string, number>;
  byStage: Record<string, number>;
  /** Time of the oldest and newest dead letter, or null when there are none. */
  oldest: number | null;
  newest: number | null;
  /** Dead letters in the hour before `now`, and that rate per minute. */
  lastHour: number;
  perMinuteLastHour: number;
}

/**
 * Counts dead letters by error class, code and stage, finds the oldest and
 * newest, and the rate over the last hour.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarizeDeadLetters } from "./summarize_dead_letters.ts";
 *
 * const now = 10 * 3_600_000;
 * const summary = summarizeDeadLetters([
 *   { errorClass: "poison", errorCode: "DECODE_FAILED", stage: "decode", time: now - 60_000 },
 *   { errorClass: "transient", errorCode: "DOWNSTREAM_FAILED", stage: "retry", time: now - 7_200_000 },
 * ], now);
 * assert.deepEqual(summary.byClass, { poison: 1, transient: 1 });
 * assert.equal(summary.lastHour, 1);
 * assert.equal(summary.oldest, now - 7_200_000);
 * ```
 */
export function summarizeDeadLetters(
  letters: Iterable<DeadLetterFacts>,
  now: number = Date.now(),
): DeadLetterSummary {
  const summary: DeadLetterSummary = {
    total: 0,
    byClass: {},
    byCode: {},
    byStage: {},
    oldest: null,
    newest: null,
    lastHour: 0,
    perMinuteLastHour: 0,
  };
  const count = (into: Record<string, number>, key: string) => into[key] = (into[key] ?? 0) + 1;
  for (const letter of letters) {
    summary.total += 1;
    count(summary.byClass, letter.errorClass);
    count(summary.byCode, letter.errorCode);
    count(summary.byStage, letter.stage);
    summary.oldest = Math.min(summary.oldest ?? Infinity, letter.time);
    summary.newest = Math.max(summary.newest ?? -Infinity, letter.time);
    if (letter.time > now - 3_600_000) summary.lastHour += 1;
  }
  summary.perMinuteLastHour = Number((summary.lastHour / 60).toFixed(3));
  return summary;
}
