// The envelope's type and its codecs, parsed on first use so importing this
// folder reads no file.
import { type AvroCodec, createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";

/**
 * The dead-letter envelope, field for field as in `schemas/dead-letter.avsc`.
 * Times are milliseconds since the epoch; offsets and timestamps are numbers,
 * as avsc reads an Avro `long`, exact up to 2^52 (avsc refuses larger ones).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter, type DeadLetter, type DeadLetterInput } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 *
 * const input: DeadLetterInput = {
 *   record: {
 *     topic: "orders", partition: 1, offset: "42", timestamp: "1700000000000",
 *     key: null, value: new Uint8Array([0xff]), headers: {},
 *   },
 *   error: new Error("boom"),
 *   stage: "process",
 *   attempts: 4,
 *   firstFailureTime: 1700000001000,
 *   lastFailureTime: 1700000009000,
 *   consumerGroup: "order-stats",
 * };
 * const letter: DeadLetter = decodeDeadLetter(buildDeadLetter(input).value);
 * assert.equal(`${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`, "orders/1@42");
 * ```
 */
export interface DeadLetter {
  /** The original value bytes, exactly (empty for a null value). */
  payload: Uint8Array;
  /** The original key bytes, or null. */
  originalKey: Uint8Array | null;
  /** The original headers, byte for byte. */
  originalHeaders: Record<string, Uint8Array>;
  /** The order id, where the payload decoded. */
  orderId: string | null;
  /** The product, where the payload decoded. */
  product: string | null;
  /** The price as decoded (float32), where the payload decoded. */
  price: number | null;
  /**
   * How the failure was routed (a `fatal` error is recorded as `permanent`:
   * trying it again cannot help).
   */
  errorClass: "poison" | "permanent" | "transient";
  /** The stable error code, such as `DECODE_FAILED`. */
  errorCode: string;
  /** The error's message, at most 1,000 characters. */
  errorMessage: string;
  /** The error's stack trace, at most 4,000 characters, or null. */
  stackTrace: string | null;
  /** The stage that failed: `decode`, `validate`, `process` or `retry`. */
  stage: string;
  /** How many times the record was tried. */
  attempts: number;
  /** When the record first failed. */
  firstFailureTime: number;
  /** When the record last failed. */
  lastFailureTime: number;
  /** The topic the record came from. */
  originalTopic: string;
  /** The partition the record came from. */
  originalPartition: number;
  /** The record's offset. */
  originalOffset: number;
  /** The record's own timestamp. */
  originalTimestamp: number;
  /** The consumer group that gave up on it. */
  consumerGroup: string;
  /** The original `x-correlation-id` header as UTF-8, or null. */
  correlationId: string | null;
  /**
   * True when the original did not fit the dead-letter topic: `payload`,
   * `originalKey` and `originalHeaders` are then empty, and a replay reads the
   * original back from its topic, partition and offset.
   */
  payloadOmitted: boolean;
  /** The size of the original value in bytes (0 for a null value). */
  payloadSize: number;
  /** SHA-256 of the original value bytes in lowercase hex; null in letters older than it. */
  payloadSha256: string | null;
}

let codec: AvroCodec<DeadLetter> | undefined;
let v1: AvroCodec<Omit<DeadLetter, "payloadOmitted" | "payloadSize" | "payloadSha256">> | undefined;

export function deadLetterCodec(): AvroCodec<DeadLetter> {
  codec ??= createCodec<DeadLetter>(loadSchema("dead-letter"));
  return codec;
}

/**
 * Reads an envelope written with the current schema or, failing that, with
 * version 1 (before the payload fields at its end), whose letters always kept
 * their payload. The error is the current schema's when neither fits.
 */
export function decodeAnyDeadLetter(bytes: Uint8Array | null | undefined): DeadLetter {
  try {
    return deadLetterCodec().decode(bytes);
  } catch (err) {
    v1 ??= createCodec(loadSchema("dead-letter-v1"));
    let old: ReturnType<typeof v1.decode>;
    try {
      old = v1.decode(bytes);
    } catch {
      throw err;
    }
    return {
      ...old,
      payloadOmitted: false,
      payloadSize: old.payload.byteLength,
      payloadSha256: null,
    };
  }
}
