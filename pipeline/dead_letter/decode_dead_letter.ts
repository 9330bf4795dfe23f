/**
 * Reads a dead-letter envelope back, for the `dlq` tool and replay.
 *
 * @module
 */
import { decodeAnyDeadLetter } from "./_codec.ts";
import type { DeadLetter } from "./dead_letter.ts";

/**
 * Decodes the value of a dead-letter record into its {@link DeadLetter}
 * envelope. Its byte fields are Node `Buffer`s, ready to be sent again as is.
 * Letters written before `payloadOmitted`, `payloadSize` and
 * `payloadSha256` existed are read with the first version of the schema
 * (`schemas/dead-letter-v1.avsc`) and get `false`, their payload's size and
 * `null`. Reads the schemas on first use (`--allow-read`).
 *
 * @throws {DecodeError} `EMPTY_VALUE` for null or empty bytes, `DECODE_FAILED`
 * for bytes that are not exactly one envelope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 *
 * const { value } = buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 0, offset: "7", timestamp: "1700000000000",
 *     key: null, value: new Uint8Array([1, 2, 3]), headers: {},
 *   },
 *   error: new Error("boom"),
 *   stage: "process",
 *   attempts: 4,
 *   firstFailureTime: 1700000001000,
 *   lastFailureTime: 1700000009000,
 *   consumerGroup: "order-stats",
 * });
 * const letter = decodeDeadLetter(value);
 * assert.deepEqual([...letter.payload], [1, 2, 3]);
 * assert.equal(letter.errorCode, "UNEXPECTED");
 * ```
 */
export function decodeDeadLetter(bytes: Uint8Array | null | undefined): DeadLetter {
  return decodeAnyDeadLetter(bytes);
}
