/**
 * Encodes and decodes plain Avro binary (no framing) for one schema, turning
 * every failure into a {@link DecodeError} or {@link EncodeError}.
 *
 * @module
 */
import type avro from "avsc";
import { DecodeError, EncodeError } from "../errors.ts";
import { assertStrictUtf8 } from "./_strict_utf8.ts";
import { avroBytes } from "./avro_bytes.ts";

/**
 * Encodes values of one schema to Avro binary and back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AvroCodec, createCodec } from "./avro_codec.ts";
 * import { loadSchema } from "./load_schema.ts";
 *
 * function roundTrip<T>(codec: AvroCodec<T>, value: T): T {
 *   return codec.decode(codec.encode(value));
 * }
 * const order = { orderId: "ORD-0001", product: "Laptop", price: 0.5 };
 * assert.equal(roundTrip(createCodec<typeof order>(loadSchema("order")), order).price, 0.5);
 * ```
 */
export interface AvroCodec<T> {
  /**
   * Validates `value`, then encodes it. The result is a Node `Buffer` (a
   * `Uint8Array`), which is what kafkajs needs for raw bytes.
   *
   * @throws {EncodeError} Naming every field that does not fit the schema.
   */
  encode(value: T): Uint8Array;
  /**
   * Decodes exactly one value that must span all of `bytes`.
   *
   * @throws {DecodeError} `EMPTY_VALUE` for null or empty bytes; `DECODE_FAILED`
   * for truncated bytes, trailing bytes or garbage; `INVALID_UTF8` for a
   * string whose bytes are not valid UTF-8.
   */
  decode(bytes: Uint8Array | null | undefined): T;
}

/** Options for {@link createCodec}. */
export interface CodecOptions {
  /**
   * The schema the bytes were written with, when it is not `type`: decoding
   * then resolves it to `type` by Avro's rules (avsc `createResolver`).
   * Encoding always writes `type`.
   * @default type
   */
  writer?: avro.Type;
}

/**
 * Creates a codec for an avsc type.
 *
 * Avro `float` is 32-bit: a price such as `19.99` decodes as
 * `19.989999771118164`, the float32 value, not the number that was encoded.
 * Anything computed on decoded prices (sums, means) is computed on those
 * values.
 *
 * Bytes are wrapped, never copied, on the way in; a decoded `bytes` field may
 * share memory with other decoded values, so copy it before changing it.
 *
 * @param type The parsed schema, such as `loadSchema("order")`.
 * @param options `writer`: decode bytes of another, compatible schema.
 * @returns A codec whose errors name the schema (`order`, `dead letter`).
 * @throws {Error} When `writer` cannot be resolved to `type` (avsc's message).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AvroCodec, createCodec } from "./avro_codec.ts";
 * import { loadSchema } from "./load_schema.ts";
 *
 * const codec: AvroCodec<{ orderId: string; product: string; price: number }> = createCodec(
 *   loadSchema("order"),
 * );
 * const bytes = codec.encode({ orderId: "ORD-0001", product: "Laptop", price: 12.5 });
 * assert.equal(codec.decode(bytes).price, 12.5);
 * ```
 */
export function createCodec<T>(type: avro.Type, options: CodecOptions = {}): AvroCodec<T> {
  const { writer = type } = options;
  const resolver = writer === type ? undefined : type.createResolver(writer);
  const label = labelOf(type);
  return {
    encode(value: T): Uint8Array {
      // The cheap check runs first; paths are only collected for the rare failure.
      if (!type.isValid(value)) throw encodeError(type, label, value);
      return type.toBuffer(value);
    },
    decode(bytes: Uint8Array | null | undefined): T {
      if (bytes === null || bytes === undefined || bytes.byteLength === 0) {
        throw new DecodeError(
          `Cannot decode ${label}: the value is ${bytes ? "empty" : String(bytes)}`,
          "EMPTY_VALUE",
        );
      }
      const buf = avroBytes(bytes);
      let result: { value: T; offset: number };
      try {
        result = type.decode(buf, 0, resolver);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new DecodeError(
          `Cannot decode ${label}: ${buf.length} bytes are not valid Avro (${reason})`,
          "DECODE_FAILED",
          { cause: err },
        );
      }
      if (result.offset < 0) {
        throw new DecodeError(
          `Cannot decode ${label}: ${buf.length} bytes end before the record does (truncated)`,
        );
      }
      if (result.offset !== buf.length) {
        throw new DecodeError(
          `Cannot decode ${label}: the record ends at byte ${result.offset} of ${buf.length} (trailing bytes)`,
        );
      }
      assertStrictUtf8(writer, label, buf, result.value);
      return result.value;
    },
  };
}

function encodeError(type: avro.Type, label: string, value: unknown): EncodeError {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook(path, found, fieldType) {
      const where = path.length > 0 ? `field '${path.join(".")}' ` : "";
      problems.push(`${where}expected ${describeType(fieldType)}, got ${describeValue(found)}`);
    },
  });
  return new EncodeError(`Cannot encode ${label}: ${problems.join("; ")}`);
}

/** `com.orders.DeadLetter` reads as "dead letter" in messages. */
function labelOf(type: avro.Type): string {
  if (!type.name) return type.typeName;
  const short = type.name.slice(type.name.lastIndexOf(".") + 1);
  return short.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

function describeType(type: avro.Type): string {
  const types = (type as { types?: avro.Type[] }).types;
  if (Array.isArray(types)) return types.map(describeType).join(" or ");
  return type.name ? `${type.typeName} ${type.name}` : type.typeName;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.byteLength})`;
  if (value === null || typeof value !== "object") return String(value);
  return JSON.stringify(value) ?? String(value);
}
