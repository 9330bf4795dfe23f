/**
 * The fallback for a dead letter too large for the dead-letter topic: the
 * same letter without the original's bytes, pointing at the original instead.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { deadLetterCodec } from "./_codec.ts";
import { DEAD_LETTER_CONTEXT_HEADERS, deadLetterHeader as header } from "../headers.ts";
import { decodeDeadLetter } from "./decode_dead_letter.ts";

/** A dead-letter record as `buildDeadLetter` returns it. */
export interface DeadLetterRecord {
  key: Uint8Array | null;
  value: Uint8Array;
  headers: Record<string, Uint8Array>;
}

/**
 * Rebuilds a dead-letter record without the original's value, key and
 * headers (in the envelope and on the record), flagged `payloadOmitted` and
 * with the `x-payload-omitted: true` header. Everything else stays: the error,
 * the original's topic, partition, offset and timestamp, the value's size
 * and SHA-256 (`payloadSize`, `payloadSha256`), the correlation id, and the
 * `kafka_dlt-*` and `x-*` context headers. A replay reads the original back
 * from its topic while retention keeps it.
 *
 * @throws {DecodeError} if `record.value` is not a dead-letter envelope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 * import { withoutPayload } from "./without_payload.ts";
 *
 * const full = buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 1, offset: "9", timestamp: "1700000000000",
 *     key: new Uint8Array([7]), value: new Uint8Array(4096), headers: {},
 *   },
 *   error: new Error("boom"), stage: "decode", attempts: 1,
 *   firstFailureTime: 1, lastFailureTime: 1, consumerGroup: "g",
 * });
 * const slim = withoutPayload(full);
 * const letter = decodeDeadLetter(slim.value);
 * assert.equal(letter.payloadOmitted, true);
 * assert.equal(letter.payload.byteLength, 0);
 * assert.equal(letter.payloadSize, 4096);
 * assert.equal(`${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`, "orders/1@9");
 * assert.equal(slim.key, null);
 * ```
 */
export function withoutPayload(record: DeadLetterRecord): DeadLetterRecord {
  const letter = decodeDeadLetter(record.value);
  const value = deadLetterCodec().encode({
    ...letter,
    payload: Buffer.alloc(0),
    originalKey: null,
    originalHeaders: {},
    payloadOmitted: true,
  });
  const headers: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(record.headers)) {
    if (DEAD_LETTER_CONTEXT_HEADERS.has(name)) headers[name] = bytes;
  }
  const correlation = letter.originalHeaders[header.CORRELATION_ID];
  if (correlation) headers[header.CORRELATION_ID] = correlation;
  headers[header.PAYLOAD_OMITTED] = Buffer.from("true");
  return { key: null, value, headers };
}
