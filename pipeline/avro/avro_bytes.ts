/**
 * Bytes as avsc takes them: it reads Avro records from, and writes `bytes`
 * fields as, Node `Buffer`s only.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/**
 * `bytes` as a Buffer for avsc: a Buffer as it is, any other `Uint8Array`
 * wrapped without a copy. A value that is no `Uint8Array` at all (from a
 * caller outside the type checker) is passed on, for avsc's validation to
 * name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import { avroBytes } from "./avro_bytes.ts";
 * const bytes = new Uint8Array([1, 2, 3]);
 * const wrapped = avroBytes(bytes);
 * assert.ok(Buffer.isBuffer(wrapped));
 * assert.equal(wrapped.buffer, bytes.buffer);
 * assert.equal(avroBytes(wrapped), wrapped);
 * ```
 */
export function avroBytes(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes) || !(bytes instanceof Uint8Array)) return bytes as Buffer;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
