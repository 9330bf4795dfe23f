/**
 * Generic RxJS operators of the order pipeline: decode each message, process
 * it with retry and backoff, dead-letter what fails, and fold prices into a
 * running average. They depend only on `rxjs`, the pipeline's errors and the
 * narrow interfaces here (`Decoder`, `DeadLetterSink`), never on Kafka.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatMap, from, lastValueFrom, map, of, toArray } from "rxjs";
 * import { processed, processWithRetry, toDeadLetter } from "./mod.ts";
 * import { ValidationError } from "../errors.ts";
 *
 * const sink = { write: (_letter: string) => Promise.resolve() };
 * const validate = processWithRetry((price: number) => {
 *   if (price < 0) throw new ValidationError("price", "negative price");
 *   return price;
 * });
 * const outcomes = await lastValueFrom(
 *   from([5, -1, 7]).pipe(
 *     concatMap((price) =>
 *       of(price).pipe(validate, map(processed), toDeadLetter(sink, (err) => String(err)))
 *     ),
 *     toArray(),
 *   ),
 * );
 * assert.deepEqual(outcomes.map((o) => o.kind), ["processed", "dead-lettered", "processed"]);
 * ```
 *
 * @module
 */

export * from "./aggregate.ts";
export * from "./backoff.ts";
export * from "./dead_letter_sink.ts";
export * from "./decode.ts";
export * from "./outcome.ts";
export * from "./processed.ts";
export * from "./process_with_retry.ts";
export * from "./processing_failure.ts";
export * from "./running_average.ts";
export * from "./to_dead_letter.ts";
export * from "./to_retry_topic.ts";
export * from "./concat_map_by_key.ts";
