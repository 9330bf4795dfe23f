/**
 * Encodes orders as self-describing messages: Avro single-object encoding
 * of one order schema version.
 *
 * @module
 */
import type { Order } from "../orders/order.ts";
import { createCodec } from "./avro_codec.ts";
import {
  LATEST_ORDER_VERSION,
  loadOrderSchemas,
  type OrderSchema,
  orderSchemaOf,
} from "./order_schemas.ts";
import { frameSingleObject } from "./single_object.ts";

/**
 * The header that names a message's encoding, so a person reading the topic
 * with kcat (`-f '%h'`) can tell; readers go by the bytes, not the header.
 */
export const ENCODING_HEADER = "x-avro-encoding";

/** Options for {@link createOrderEncoder}. */
export interface OrderEncoderOptions {
  /** The schema version to write. @default LATEST_ORDER_VERSION */
  version?: number;
  /** The known versions. @default loadOrderSchemas() */
  schemas?: readonly OrderSchema[];
}

/** Encodes orders in one schema version. */
export interface OrderEncoder {
  /** The version written. */
  readonly version: number;
  /** The headers every message of this encoder carries: {@link ENCODING_HEADER}. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The single-object message of `order`: `C3 01`, the fingerprint, the body.
   * Fields the version does not have are left out; optional ones it has and
   * `order` lacks take their defaults.
   *
   * @throws {EncodeError} Naming every field that does not fit the schema.
   */
  encode(order: Order): Uint8Array;
}

/**
 * Creates an encoder of single-object order messages.
 *
 * @throws {RangeError} When `version` is not a known version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOrderDecoder } from "./order_decoder.ts";
 * import { createOrderEncoder, ENCODING_HEADER } from "./order_encoder.ts";
 *
 * const encoder = createOrderEncoder({ version: 2 });
 * const bytes = encoder.encode({ orderId: "ORD-1", product: "Mouse", price: 688.65, quantity: 2 });
 * assert.deepEqual([...bytes.subarray(0, 2)], [0xc3, 0x01]);
 * assert.equal(encoder.headers[ENCODING_HEADER], "avro-single-object; schema=com.orders.Order; version=2");
 * const order = createOrderDecoder().decode(bytes);
 * assert.equal(order.price, 688.65);
 * assert.equal(order.quantity, 2);
 * ```
 */
export function createOrderEncoder(options: OrderEncoderOptions = {}): OrderEncoder {
  const { version = LATEST_ORDER_VERSION, schemas = loadOrderSchemas() } = options;
  const schema = orderSchemaOf(schemas, version, "Cannot encode orders: 'version'");
  const codec = createCodec<Order>(schema.type);
  return {
    version,
    headers: Object.freeze({
      [ENCODING_HEADER]: `avro-single-object; schema=${schema.type.name}; version=${version}`,
    }),
    encode: (order) => frameSingleObject(schema.fingerprint, codec.encode(order)),
  };
}
