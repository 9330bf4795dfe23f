/**
 * Turns a message's failure into a durable dead letter and an outcome.
 *
 * @module
 */

import { catchError, defer, map, type OperatorFunction, throwError } from "rxjs";
import { DeadLetterWriteError, errorMessage } from "../errors.ts";
import type { DeadLetterSink } from "./dead_letter_sink.ts";
import type { DeadLettered } from "./outcome.ts";

/**
 * Catches the error of a per-message inner observable, writes
 * `failed(error)` to `sink`, and emits a `"dead-lettered"` outcome once the
 * sink acknowledged it; values pass through unchanged. Put it last in the
 * inner observable of a `concatMap`, so the message's failure ends only its
 * own observable and the outer stream goes on.
 *
 * If the letter cannot be built or written, the stream errors with a
 * `DeadLetterWriteError` whose `cause` is the write's error and whose message
 * names the original failure: the message is not lost, because its offset is
 * never committed, and the consumer must stop. A `DeadLetterWriteError` from upstream is passed on
 * as is, never dead-lettered, for the same reason.
 *
 * @throws {TypeError} if `sink.write` or `failed` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatMap, from, lastValueFrom, map, of, toArray } from "rxjs";
 * import { toDeadLetter } from "./to_dead_letter.ts";
 * import { processed } from "./processed.ts";
 *
 * const letters: string[] = [];
 * const sink = { write: (letter: string) => (letters.push(letter), Promise.resolve()) };
 * const half = (n: number) => {
 *   if (n % 2) throw new Error(`odd: ${n}`);
 *   return n / 2;
 * };
 * const outcomes = await lastValueFrom(
 *   from([2, 3, 4]).pipe(
 *     concatMap((n) =>
 *       of(n).pipe(map(half), map(processed), toDeadLetter(sink, (err) => `${n}: ${err}`))
 *     ),
 *     toArray(),
 *   ),
 * );
 * assert.deepEqual(outcomes.map((o) => o.kind), ["processed", "dead-lettered", "processed"]);
 * assert.deepEqual(letters, ["3: Error: odd: 3"]);
 * ```
 */
export function toDeadLetter<T, F>(
  sink: DeadLetterSink<F>,
  failed: (error: unknown) => F,
): OperatorFunction<T, T | DeadLettered<F>> {
  if (typeof sink?.write !== "function") {
    throw new TypeError("Cannot dead-letter: 'sink' must have a 'write(letter)' method");
  }
  if (typeof failed !== "function") {
    throw new TypeError(
      `Cannot dead-letter: 'failed' must be a function that builds a letter from an error, got ${typeof failed}`,
    );
  }
  return catchError((error: unknown) => {
    if (error instanceof DeadLetterWriteError) return throwError(() => error);
    let letter: F;
    // defer turns a throwing `failed` or a synchronously throwing `write` into
    // the same error path as a rejected write.
    return defer(() => {
      letter = failed(error);
      return sink.write(letter);
    }).pipe(
      map((): DeadLettered<F> => ({ kind: "dead-lettered", letter, error })),
      catchError((writeError: unknown) =>
        throwError(() =>
          new DeadLetterWriteError(
            `Cannot dead-letter a failed message (${errorMessage(error)}): ${
              errorMessage(writeError)
            }; stop without committing so it is consumed again`,
            { cause: writeError },
          )
        )
      ),
    );
  });
}
