/**
 * Hands a message that failed for now to a retry sink, to be tried again later.
 *
 * @module
 */

import { catchError, defer, map, type OperatorFunction, throwError } from "rxjs";
import { DeadLetterWriteError, errorCode, errorMessage } from "../errors.ts";
import type { DeadLetterSink } from "./dead_letter_sink.ts";
import type { RetryScheduled } from "./outcome.ts";

/**
 * Catches the error of a per-message inner observable and asks `route` for a
 * retry letter. If it gives one, the letter is written to `sink` and a
 * `"retry-scheduled"` outcome is emitted once the sink acknowledged it; if it
 * gives `undefined` (the error is not worth another round), the error goes on
 * unchanged, to a `toDeadLetter` placed after this operator.
 *
 * A letter the sink refuses as too large (an error with code
 * `RECORD_TOO_LARGE`) can never be written there: `tooLarge` is told the
 * refusal, and the error goes on to the `toDeadLetter`, as if `route` had
 * given `undefined`. Any other failed write (or a throwing `route`) ends the
 * stream with a `DeadLetterWriteError`, as in `toDeadLetter`: the message's
 * offset is never committed, so it is consumed again after a restart. A
 * `DeadLetterWriteError` from upstream passes through untouched.
 *
 * @throws {TypeError} if `sink.write` or `route` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatMap, from, lastValueFrom, map, of, toArray } from "rxjs";
 * import { processed } from "./processed.ts";
 * import { toDeadLetter } from "./to_dead_letter.ts";
 * import { toRetryTopic } from "./to_retry_topic.ts";
 *
 * const later: string[] = [];
 * const dead: string[] = [];
 * const retrySink = { write: (l: string) => (later.push(l), Promise.resolve()) };
 * const deadSink = { write: (l: string) => (dead.push(l), Promise.resolve()) };
 * const check = (n: number) => {
 *   if (n < 0) throw new Error(n === -1 ? "busy" : "bad");
 *   return n;
 * };
 * const outcomes = await lastValueFrom(
 *   from([1, -1, -2]).pipe(
 *     concatMap((n) =>
 *       of(n).pipe(
 *         map(check),
 *         map(processed),
 *         toRetryTopic(retrySink, (err) => String(err).includes("busy") ? `retry ${n}` : undefined),
 *         toDeadLetter(deadSink, () => `dead ${n}`),
 *       )
 *     ),
 *     toArray(),
 *   ),
 * );
 * assert.deepEqual(outcomes.map((o) => o.kind), ["processed", "retry-scheduled", "dead-lettered"]);
 * assert.deepEqual([later, dead], [["retry -1"], ["dead -2"]]);
 * ```
 */
export function toRetryTopic<T, F>(
  sink: DeadLetterSink<F>,
  route: (error: unknown) => F | undefined,
  tooLarge?: (refusal: unknown) => void,
): OperatorFunction<T, T | RetryScheduled<F>> {
  if (typeof sink?.write !== "function") {
    throw new TypeError("Cannot schedule retries: 'sink' must have a 'write(letter)' method");
  }
  if (typeof route !== "function") {
    throw new TypeError(
      `Cannot schedule retries: 'route' must be a function that builds a letter or returns undefined, got ${typeof route}`,
    );
  }
  return catchError((error: unknown) => {
    if (error instanceof DeadLetterWriteError) return throwError(() => error);
    let letter: F | undefined;
    try {
      letter = route(error);
    } catch (routeError) {
      return throwError(() => writeFailed(error, routeError));
    }
    if (letter === undefined) return throwError(() => error);
    const scheduled: RetryScheduled<F> = { kind: "retry-scheduled", letter, error };
    return defer(() => sink.write(scheduled.letter)).pipe(
      map(() => scheduled),
      catchError((writeError: unknown) => {
        if (errorCode(writeError) !== "RECORD_TOO_LARGE") {
          return throwError(() => writeFailed(error, writeError));
        }
        tooLarge?.(writeError);
        return throwError(() => error);
      }),
    );
  });
}

function writeFailed(error: unknown, writeError: unknown): DeadLetterWriteError {
  return new DeadLetterWriteError(
    `Cannot send a failed message to the retry topic (${errorMessage(error)}): ${
      errorMessage(writeError)
    }; stop without committing so it is consumed again`,
    { cause: writeError },
  );
}
