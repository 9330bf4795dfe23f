/**
 * The order, the pipeline's one domain record (`schemas/order.avsc`).
 *
 * @module
 */

/**
 * One customer order, as encoded on the `orders` topic.
 *
 * `price` travels as an Avro 32-bit float, so a decoded price is the float32
 * value nearest to what was produced (19.99 reads back as 19.989999771118164).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Order, PRODUCTS } from "./order.ts";
 *
 * const order: Order = { orderId: "ORD-0001", product: PRODUCTS[0], price: 999.99 };
 * assert.equal(order.product, "Laptop");
 * ```
 */
export interface Order {
  /** The order's id, such as `ORD-0001`; never blank. */
  orderId: string;
  /** The product ordered; never blank. */
  product: string;
  /** The price, from 0 to `MAX_PRICE` (validate_order.ts). */
  price: number;
}

/**
 * The products the generator picks from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Order, PRODUCTS } from "./order.ts";
 *
 * const laptop: Order = { orderId: "ORD-0002", product: "Laptop", price: 10 };
 * assert.ok(PRODUCTS.includes(laptop.product));
 * ```
 */
export const PRODUCTS: readonly string[] = Object.freeze([
  "Laptop",
  "Phone",
  "Tablet",
  "Monitor",
  "Keyboard",
  "Mouse",
  "Headphones",
  "Webcam",
  "Printer",
  "Router",
]);
