/**
 * The order, the pipeline's one domain record (`schemas/order.avsc` is v1,
 * `schemas/order.v2.avsc` v2).
 *
 * @module
 */

/**
 * One customer order, as encoded on the `orders` topic.
 *
 * In v2 `price` travels as a double and reads back as produced; in v1 it is a
 * 32-bit float, so a v1 price is the float32 value nearest to what was
 * produced (19.99 reads back as 19.989999771118164). The fields after `price`
 * are v2's: a v1 writer leaves them out, and a v2 reader gives them their
 * defaults.
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
  /** The customer, such as `CUST-0042`; null or absent when unknown. @default null */
  customerId?: string | null;
  /** How many of the product; the price is per order. @default 1 */
  quantity?: number;
  /** When the order was placed, in ms since the epoch; null or absent when unknown. @default null */
  createdAt?: number | null;
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
