/**
 * CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification defines
 * for schema fingerprints ("Schema Fingerprints" in the spec).
 *
 * @module
 */

/** The fingerprint of no bytes, and the polynomial: the spec's `EMPTY`. */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffff_ffff_ffff_ffffn;

let table: BigUint64Array | undefined;

function fingerprintTable(): BigUint64Array {
  if (table) return table;
  table = new BigUint64Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let bit = 0; bit < 8; bit++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    table[i] = fp;
  }
  return table;
}

/**
 * The CRC-64-AVRO fingerprint of `bytes`, as an unsigned 64-bit value.
 * Avro's Java implementation returns the same bits as a signed `long`
 * (`BigInt.asIntN(64, fp)`).
 *
 * @param bytes Usually the UTF-8 of a schema's Parsing Canonical Form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc64Avro } from "./crc64_avro.ts";
 *
 * // The spec's vector for the schema "int".
 * assert.equal(crc64Avro(new TextEncoder().encode('"int"')), 0x7275d51a3f395c8fn);
 * ```
 */
export function crc64Avro(bytes: Uint8Array): bigint {
  const fpTable = fingerprintTable();
  let fp = EMPTY;
  for (const byte of bytes) fp = (fp >> 8n) ^ fpTable[Number((fp ^ BigInt(byte)) & 0xffn)];
  return fp;
}
