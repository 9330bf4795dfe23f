/**
 * Decodes each record's value bytes, keeping the record beside the value.
 *
 * @module
 */

import { map, type OperatorFunction } from "rxjs";
import { DecodeError, errorMessage, PipelineError } from "../errors.ts";

/** Turns a record's value bytes into a value, throwing if they are not one. */
export interface Decoder<T> {
  /** Decodes `bytes`; `null` is a Kafka tombstone or an empty value. */
  decode(bytes: Uint8Array | null): T;
}

/** A record and its decoded value; the record is kept for the dead letter. */
export interface Decoded<In, T> {
  /** The record as it came from the source. */
  readonly record: In;
  /** What the decoder made of `record.value`. */
  readonly value: T;
}

/**
 * Decodes `record.value` of each record with `decoder`. A decoder error
 * errors the stream (in the pipeline: the message's inner observable, for
 * `toDeadLetter` to catch). A `PipelineError` passes through as thrown; any
 * other error is wrapped in a `DecodeError` (cause: the original), because
 * bytes that do not decode are poison and must not be retried.
 *
 * @throws {TypeError} if `decoder.decode` is not a function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastValueFrom, of } from "rxjs";
 * import { decode, type Decoded, type Decoder } from "./decode.ts";
 *
 * const text: Decoder<string> = { decode: (bytes) => new TextDecoder().decode(bytes ?? undefined) };
 * const record = { key: "k", value: new TextEncoder().encode("hello") };
 * const decoded: Decoded<typeof record, string> = await lastValueFrom(
 *   of(record).pipe(decode(text)),
 * );
 * assert.equal(decoded.value, "hello");
 * assert.equal(decoded.record, record);
 * ```
 */
export function decode<In extends { value: Uint8Array | null }, T>(
  decoder: Decoder<T>,
): OperatorFunction<In, Decoded<In, T>> {
  if (typeof decoder?.decode !== "function") {
    throw new TypeError("Cannot decode: 'decoder' must have a 'decode(bytes)' method");
  }
  return map((record: In): Decoded<In, T> => ({
    record,
    value: decodeValue(decoder, record.value),
  }));
}

/**
 * What {@link decode} does to one value, for callers outside a pipe (the
 * consumer's hot path): a `PipelineError` passes through as thrown, any other
 * decoder error becomes a `DecodeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeValue } from "./decode.ts";
 * import { DecodeError } from "../errors.ts";
 *
 * const strict = { decode: (): string => { throw new SyntaxError("bad byte"); } };
 * assert.throws(() => decodeValue(strict, new Uint8Array([0xff])), DecodeError);
 * ```
 */
export function decodeValue<T>(decoder: Decoder<T>, bytes: Uint8Array | null): T {
  try {
    return decoder.decode(bytes);
  } catch (err) {
    if (err instanceof PipelineError) throw err;
    throw new DecodeError(`Cannot decode record value: ${errorMessage(err)}`, "DECODE_FAILED", {
      cause: err,
    });
  }
}
