/**
 * The Avro fingerprint of a schema: CRC-64-AVRO of its Parsing Canonical Form.
 *
 * @module
 */
import type avro from "avsc";
import { crc64Avro } from "./crc64_avro.ts";

/**
 * A schema's Parsing Canonical Form and its CRC-64-AVRO fingerprint.
 *
 * avsc's own `Type#fingerprint()` is MD5 by default, which is not what Avro's
 * single-object encoding carries; this is.
 */
export interface SchemaFingerprint {
  /** The Parsing Canonical Form: full names, only the attributes that parse, no whitespace. */
  readonly canonical: string;
  /** CRC-64-AVRO of the canonical form's UTF-8, unsigned. */
  readonly fingerprint: bigint;
  /** The fingerprint as 16 hex digits, as messages and headers show it. */
  readonly hex: string;
}

/**
 * Fingerprints an avsc type by the Avro specification.
 *
 * The canonical form is avsc's `Type#schema()` without options, which strips
 * docs, defaults, aliases, logical types and other attributes, writes full
 * names and orders the attributes as the spec's Parsing Canonical Form does
 * (its tests check this against the spec's vectors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import avro from "avsc";
 * import { schemaFingerprint } from "./schema_fingerprint.ts";
 *
 * const { canonical, hex } = schemaFingerprint(avro.Type.forSchema({ type: "int" }));
 * assert.equal(canonical, '"int"');
 * assert.equal(hex, "7275d51a3f395c8f");
 * ```
 */
export function schemaFingerprint(type: avro.Type): SchemaFingerprint {
  const canonical = JSON.stringify(type.schema());
  const fingerprint = crc64Avro(new TextEncoder().encode(canonical));
  return { canonical, fingerprint, hex: fingerprintHex(fingerprint) };
}

/**
 * A fingerprint as 16 lower-case hex digits, most significant first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprintHex } from "./schema_fingerprint.ts";
 *
 * assert.equal(fingerprintHex(0xabn), "00000000000000ab");
 * ```
 */
export function fingerprintHex(fingerprint: bigint): string {
  return fingerprint.toString(16).padStart(16, "0");
}
