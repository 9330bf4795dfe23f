/**
 * Turns a record the pipeline gave up on into a dead-letter record: the Avro
 * envelope (`schemas/dead-letter.avsc`) as value, the original key, and the
 * original headers plus Spring Kafka's `kafka_dlt-*` context headers.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { avroBytes } from "../avro/avro_bytes.ts";
import { classify, errorCode, errorMessage, UnknownSchemaError } from "../errors.ts";
import { type DeadLetter, deadLetterCodec } from "./_codec.ts";
import { deadLetterHeader as header } from "../headers.ts";
import { sha256Hex } from "./_sha256.ts";

export type { DeadLetter };

/**
 * What {@link buildDeadLetter} needs to know about a failure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter, type DeadLetter, type DeadLetterInput } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 *
 * const input: DeadLetterInput = {
 *   record: {
 *     topic: "orders", partition: 0, offset: "7", timestamp: "1700000000000",
 *     key: new Uint8Array([1]), value: new Uint8Array([2]), headers: {},
 *   },
 *   error: "socket hang up",
 *   stage: "retry",
 *   attempts: 4,
 *   firstFailureTime: 1700000001000,
 *   lastFailureTime: 1700000009000,
 *   consumerGroup: "order-stats",
 *   order: { orderId: "ORD-0007", product: "Laptop", price: 12.5 },
 * };
 * const letter: DeadLetter = decodeDeadLetter(buildDeadLetter(input).value);
 * assert.equal(letter.errorCode, "UNEXPECTED");
 * assert.equal(letter.orderId, "ORD-0007");
 * ```
 */
export interface DeadLetterInput {
  /**
   * The record that failed, in the shape kafkajs gives it (offset and
   * timestamp as decimal strings, the timestamp in milliseconds since the epoch).
   */
  record: {
    topic: string;
    partition: number;
    offset: string;
    timestamp: string;
    key: Uint8Array | null;
    value: Uint8Array | null;
    headers: Record<string, Uint8Array>;
  };
  /** Whatever was thrown; a foreign error counts as transient, code `UNEXPECTED`. */
  error: unknown;
  /** The stage that failed: `decode`, `validate`, `process` or `retry`. */
  stage: string;
  /** How many times the record was tried. */
  attempts: number;
  /** When it first failed, in milliseconds since the epoch. */
  firstFailureTime: number;
  /** When it last failed, in milliseconds since the epoch. */
  lastFailureTime: number;
  /** The consumer group giving up on it. */
  consumerGroup: string;
  /** The order, where the value decoded. */
  order?: { orderId?: unknown; product?: unknown; price?: unknown } | null;
  /**
   * Why the record came to the DLQ rather than where its error would have
   * taken it, after the error message and a semicolon.
   */
  note?: string;
}

const MAX_MESSAGE_LENGTH = 1_000;
const MAX_STACK_TRACE_LENGTH = 4_000;
const TRUNCATED = "… [truncated]";

/**
 * Builds the dead-letter record for a failed record.
 *
 * The value is the Avro envelope; the key is the original key; the headers are
 * the original ones (so `x-correlation-id` travels unchanged) plus Spring
 * Kafka's context headers, with the same binary forms Spring writes:
 * `kafka_dlt-original-partition` a 4-byte big-endian int,
 * `kafka_dlt-original-offset` and `kafka_dlt-original-timestamp` 8-byte
 * big-endian longs, the rest UTF-8. Our own `x-error-class`, `x-error-code`,
 * `x-stage` and `x-attempts` are UTF-8 too. Context headers replace original
 * headers of the same name (a record dead-lettered twice carries the latest
 * context; the envelope still holds its original headers). The error message
 * is cut to 1,000 characters and the stack trace to 4,000, ending in
 * `… [truncated]`.
 *
 * Every byte array returned is a Node `Buffer`, as avsc writes and reads
 * the envelope's bytes. A null value is kept as an empty payload. Reads
 * `schemas/dead-letter.avsc` on first use (`--allow-read`).
 *
 * @throws {EncodeError} When the input does not fit the envelope, naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeError } from "../errors.ts";
 * import { buildDeadLetter, type DeadLetter, type DeadLetterInput } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 *
 * const input: DeadLetterInput = {
 *   record: {
 *     topic: "orders", partition: 2, offset: "42", timestamp: "1700000000000",
 *     key: null, value: new Uint8Array([0xff]), headers: {},
 *   },
 *   error: new DecodeError("bad bytes"),
 *   stage: "decode",
 *   attempts: 1,
 *   firstFailureTime: 1700000000500,
 *   lastFailureTime: 1700000000500,
 *   consumerGroup: "order-stats",
 * };
 * const { key, value, headers } = buildDeadLetter(input);
 * assert.equal(key, null);
 * assert.equal(new TextDecoder().decode(headers["x-error-class"]), "poison");
 * const letter: DeadLetter = decodeDeadLetter(value);
 * assert.deepEqual([...letter.payload], [0xff]);
 * ```
 */
export function buildDeadLetter(input: DeadLetterInput): {
  key: Uint8Array | null;
  value: Uint8Array;
  headers: Record<string, Uint8Array>;
} {
  const { record, error, order } = input;
  const originalHeaders: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(record.headers)) {
    originalHeaders[name] = avroBytes(bytes);
  }
  const correlation = originalHeaders[header.CORRELATION_ID];
  const errorClass = classify(error);
  const payload = record.value ? avroBytes(record.value) : Buffer.alloc(0);
  const letter: DeadLetter = {
    payload,
    originalKey: record.key ? avroBytes(record.key) : null,
    originalHeaders,
    orderId: typeof order?.orderId === "string" ? order.orderId : null,
    product: typeof order?.product === "string" ? order.product : null,
    price: typeof order?.price === "number" ? order.price : null,
    errorClass: errorClass === "fatal" ? "permanent" : errorClass,
    errorCode: errorCode(error),
    errorMessage: truncate(
      input.note === undefined ? errorMessage(error) : `${errorMessage(error)}; ${input.note}`,
      MAX_MESSAGE_LENGTH,
    ),
    stackTrace: error instanceof Error && error.stack
      ? truncate(error.stack, MAX_STACK_TRACE_LENGTH)
      : null,
    stage: input.stage,
    attempts: input.attempts,
    firstFailureTime: input.firstFailureTime,
    lastFailureTime: input.lastFailureTime,
    originalTopic: record.topic,
    originalPartition: record.partition,
    originalOffset: Number(record.offset),
    originalTimestamp: Number(record.timestamp),
    consumerGroup: input.consumerGroup,
    correlationId: correlation ? Buffer.from(correlation).toString("utf8") : null,
    payloadOmitted: false,
    payloadSize: payload.byteLength,
    payloadSha256: sha256Hex(payload),
  };
  // Encoding first validates every field, so the numbers below are in range.
  const value = deadLetterCodec().encode(letter);

  const numbers = Buffer.allocUnsafe(20);
  numbers.writeInt32BE(letter.originalPartition, 0);
  numbers.writeBigInt64BE(BigInt(letter.originalOffset), 4);
  numbers.writeBigInt64BE(BigInt(letter.originalTimestamp), 12);
  const headers: Record<string, Uint8Array> = {
    ...originalHeaders,
    [header.ORIGINAL_TOPIC]: Buffer.from(letter.originalTopic),
    [header.ORIGINAL_PARTITION]: numbers.subarray(0, 4),
    [header.ORIGINAL_OFFSET]: numbers.subarray(4, 12),
    [header.ORIGINAL_TIMESTAMP]: numbers.subarray(12, 20),
    [header.ORIGINAL_TIMESTAMP_TYPE]: Buffer.from("CreateTime"),
    [header.ORIGINAL_CONSUMER_GROUP]: Buffer.from(letter.consumerGroup),
    [header.EXCEPTION_FQCN]: Buffer.from(errorName(error)),
    [header.EXCEPTION_MESSAGE]: Buffer.from(letter.errorMessage),
    [header.ERROR_CLASS]: Buffer.from(letter.errorClass),
    [header.ERROR_CODE]: Buffer.from(letter.errorCode),
    [header.STAGE]: Buffer.from(letter.stage),
    [header.ATTEMPTS]: Buffer.from(String(letter.attempts)),
  };
  // A stack trace left from an earlier dead-lettering must not pose as this error's.
  if (error instanceof UnknownSchemaError) {
    headers[header.SCHEMA_FINGERPRINT] = Buffer.from(error.fingerprint);
  }
  if (letter.stackTrace === null) delete headers[header.EXCEPTION_STACKTRACE];
  else headers[header.EXCEPTION_STACKTRACE] = Buffer.from(letter.stackTrace);
  return { key: letter.originalKey, value, headers };
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - TRUNCATED.length;
  // Cutting between the halves of a surrogate pair would leave invalid UTF-16.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATED;
}

/** Spring writes the exception's class name; ours is the error's `name`. */
function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return Object.prototype.toString.call(error).slice(8, -1);
}
