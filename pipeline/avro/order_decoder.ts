/**
 * The one decoder of orders: raw v1 Avro and single-object messages of any
 * known order schema version, resolved to one reader version.
 *
 * @module
 */
import { DecodeError, UnknownSchemaError } from "../errors.ts";
import type { Order } from "../orders/order.ts";
import { type AvroCodec, createCodec } from "./avro_codec.ts";
import {
  LATEST_ORDER_VERSION,
  loadOrderSchemas,
  type OrderSchema,
  orderSchemaOf,
} from "./order_schemas.ts";
import { fingerprintHex } from "./schema_fingerprint.ts";
import { bodyAfterHeader, parseSingleObject, singleObjectHeader } from "./single_object.ts";

/** Options for {@link createOrderDecoder}. */
export interface OrderDecoderOptions {
  /** The version every order is resolved to. @default LATEST_ORDER_VERSION */
  readerVersion?: number;
  /** The known versions. @default loadOrderSchemas() */
  schemas?: readonly OrderSchema[];
}

/** Decodes the value bytes of an order record. */
export interface OrderDecoder {
  /**
   * Decodes one order; bytes without the single-object marker are raw v1.
   *
   * @throws {DecodeError} `EMPTY_VALUE` for no bytes; `UNKNOWN_SCHEMA` (an
   * {@link UnknownSchemaError}, with the fingerprint) for a single object of a
   * schema we do not know; `DECODE_FAILED` for anything else that is not an order.
   */
  decode(bytes: Uint8Array | null | undefined): Order;
}

/**
 * Creates the order decoder every reader of the orders topic uses (consumer,
 * dashboard, benchmarks). A single-object message is decoded with the writer
 * schema its fingerprint names and resolved to the reader version with
 * avsc's `createResolver`, so a v2 reader gets v1's defaults (`quantity` 1,
 * `customerId` and `createdAt` null) and v1's float price as a double.
 *
 * @throws {RangeError} When `readerVersion` is not a known version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCodec } from "./avro_codec.ts";
 * import { loadSchema } from "./load_schema.ts";
 * import { createOrderDecoder } from "./order_decoder.ts";
 *
 * const rawV1 = createCodec(loadSchema("order")).encode({ orderId: "ORD-1", product: "Mouse", price: 25 });
 * const order = createOrderDecoder().decode(rawV1);
 * assert.deepEqual({ ...order }, {
 *   orderId: "ORD-1", product: "Mouse", price: 25, customerId: null, quantity: 1, createdAt: null,
 * });
 * ```
 */
export function createOrderDecoder(options: OrderDecoderOptions = {}): OrderDecoder {
  const { readerVersion = LATEST_ORDER_VERSION, schemas = loadOrderSchemas() } = options;
  const reader = orderSchemaOf(schemas, readerVersion, "Cannot decode orders: 'readerVersion'");
  // A writer the reader cannot resolve (a newer version with a promoted
  // field) is known but unreadable: its messages fail with the reason.
  const byFingerprint = new Map<bigint, AvroCodec<Order> | string>();
  for (const writer of schemas) {
    try {
      byFingerprint.set(
        writer.fingerprint,
        createCodec<Order>(reader.type, { writer: writer.type }),
      );
    } catch (err) {
      byFingerprint.set(
        writer.fingerprint,
        `it was written with order schema v${writer.version}, which a v${reader.version} reader cannot read (${
          err instanceof Error ? err.message : String(err)
        })`,
      );
    }
  }
  const raw = byFingerprint.get(schemas[0].fingerprint) as AvroCodec<Order>;
  // The readable writers by the header their messages open with: the check
  // each message takes; anything else goes the long way, to its error.
  const readable = schemas.flatMap((writer) => {
    const codec = byFingerprint.get(writer.fingerprint)!;
    return typeof codec === "string"
      ? []
      : [{ header: singleObjectHeader(writer.fingerprint), codec }];
  });

  return {
    decode(bytes: Uint8Array | null | undefined): Order {
      if (bytes) {
        for (const { header, codec } of readable) {
          const body = bodyAfterHeader(bytes, header);
          if (body !== undefined && body.byteLength > 0) return codec.decode(body);
        }
      }
      const framed = bytes ? parseSingleObject(bytes) : undefined;
      if (!framed) return raw.decode(bytes);
      const codec = byFingerprint.get(framed.fingerprint);
      if (codec === undefined) {
        const hex = fingerprintHex(framed.fingerprint);
        throw new UnknownSchemaError(
          `Cannot decode order: single-object message of an unknown writer schema, fingerprint ${hex} ` +
            `(known: ${schemas.map((s) => `v${s.version} ${s.hex}`).join(", ")})`,
          hex,
        );
      }
      if (typeof codec === "string") throw new DecodeError(`Cannot decode order: ${codec}`);
      if (framed.body.byteLength === 0) {
        throw new DecodeError(
          "Cannot decode order: a single-object header with no body (truncated)",
        );
      }
      return codec.decode(framed.body);
    },
  };
}
