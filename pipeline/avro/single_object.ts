/**
 * Avro's single-object encoding: the marker `C3 01`, the writer schema's
 * 8-byte CRC-64-AVRO fingerprint (little-endian), then the Avro body.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { DecodeError } from "../errors.ts";

/** The two bytes that open every single-object message (format version 1). */
const SINGLE_OBJECT_MARKER: readonly [number, number] = [0xc3, 0x01];

/** Marker plus fingerprint: where the body starts. */
const SINGLE_OBJECT_HEADER_LENGTH = 10;

/** A single-object message taken apart. */
export interface SingleObject {
  /** The writer schema's fingerprint, unsigned. */
  readonly fingerprint: bigint;
  /** The Avro body, a view into the message (not a copy). */
  readonly body: Uint8Array;
}

/**
 * Frames `body` as a single object written with the schema of `fingerprint`.
 *
 * @returns A Node `Buffer`, the raw-bytes type kafkajs sends as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameSingleObject, parseSingleObject } from "./single_object.ts";
 *
 * const framed = frameSingleObject(0x7275d51a3f395c8fn, new Uint8Array([0x54]));
 * assert.deepEqual([...framed], [0xc3, 0x01, 0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72, 0x54]);
 * assert.equal(parseSingleObject(framed)?.fingerprint, 0x7275d51a3f395c8fn);
 * ```
 */
export function frameSingleObject(fingerprint: bigint, body: Uint8Array): Uint8Array {
  const framed = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_LENGTH + body.byteLength);
  framed[0] = SINGLE_OBJECT_MARKER[0];
  framed[1] = SINGLE_OBJECT_MARKER[1];
  framed.writeBigUInt64LE(fingerprint, 2);
  framed.set(body, SINGLE_OBJECT_HEADER_LENGTH);
  return framed;
}

/**
 * The header (marker and fingerprint) that opens every single-object message
 * written with the schema of `fingerprint`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frameSingleObject, singleObjectHeader } from "./single_object.ts";
 *
 * const header = singleObjectHeader(0x7275d51a3f395c8fn);
 * assert.deepEqual([...header], [...frameSingleObject(0x7275d51a3f395c8fn, new Uint8Array())]);
 * ```
 */
export function singleObjectHeader(fingerprint: bigint): Uint8Array {
  return frameSingleObject(fingerprint, new Uint8Array());
}

/**
 * The body of `bytes` when they open with `header` (see
 * {@link singleObjectHeader}), else undefined. A reader that knows its
 * writers checks each message with it: ten byte compares, where
 * {@link parseSingleObject} reads the fingerprint as a bigint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bodyAfterHeader, frameSingleObject, singleObjectHeader } from "./single_object.ts";
 *
 * const header = singleObjectHeader(7n);
 * assert.deepEqual([...bodyAfterHeader(frameSingleObject(7n, new Uint8Array([1, 2])), header)!], [1, 2]);
 * assert.equal(bodyAfterHeader(frameSingleObject(8n, new Uint8Array([1, 2])), header), undefined);
 * ```
 */
export function bodyAfterHeader(bytes: Uint8Array, header: Uint8Array): Uint8Array | undefined {
  if (bytes.byteLength < header.byteLength) return undefined;
  for (let i = 0; i < header.byteLength; i++) if (bytes[i] !== header[i]) return undefined;
  return bytes.subarray(header.byteLength);
}

/**
 * Takes a single-object message apart, or returns `undefined` when `bytes`
 * do not open with the marker (they are then raw Avro, or nothing).
 *
 * The marker cannot open a raw order: Avro reads `C3 01` as the zig-zag
 * varint -98, a negative string length, so no raw record starts with it.
 * @throws {DecodeError} `DECODE_FAILED` when the marker is there but the
 * fingerprint is cut short.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSingleObject } from "./single_object.ts";
 *
 * assert.equal(parseSingleObject(new Uint8Array([0x10, 0x4f])), undefined);
 * ```
 */
export function parseSingleObject(bytes: Uint8Array): SingleObject | undefined {
  if (
    bytes.byteLength < 2 || bytes[0] !== SINGLE_OBJECT_MARKER[0] ||
    bytes[1] !== SINGLE_OBJECT_MARKER[1]
  ) {
    return undefined;
  }
  if (bytes.byteLength < SINGLE_OBJECT_HEADER_LENGTH) {
    throw new DecodeError(
      `Cannot decode single-object message: ${bytes.byteLength} bytes end inside its ${SINGLE_OBJECT_HEADER_LENGTH}-byte header (truncated)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    fingerprint: view.getBigUint64(2, true),
    body: bytes.subarray(SINGLE_OBJECT_HEADER_LENGTH),
  };
}
