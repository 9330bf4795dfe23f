/**
 * Where letters for failed messages go. The operators depend on this
 * interface only, so they are tested without a broker; the Kafka adapter
 * implements it.
 *
 * @module
 */

/**
 * A durable place for letters about failed messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DeadLetterSink } from "./dead_letter_sink.ts";
 *
 * const letters: string[] = [];
 * const sink: DeadLetterSink<string> = {
 *   write: (letter) => {
 *     letters.push(letter);
 *     return Promise.resolve();
 *   },
 * };
 * await sink.write("bad bytes");
 * assert.deepEqual(letters, ["bad bytes"]);
 * ```
 */
export interface DeadLetterSink<F> {
  /**
   * Stores one letter. Resolves only once it is durable (for Kafka: acked by
   * all in-sync replicas), because the message's offset is committed after.
   */
  write(letter: F): Promise<void>;
}
