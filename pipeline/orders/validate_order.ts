/**
 * The business rules a decoded order must meet before it is processed.
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import type { Order } from "./order.ts";

/**
 * The highest price an order may have; anything above is taken for a bug
 * upstream, not a sale.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_PRICE, validateOrder } from "./validate_order.ts";
 *
 * const order = { orderId: "ORD-0001", product: "Laptop", price: MAX_PRICE };
 * assert.equal(validateOrder(order), order);
 * ```
 */
export const MAX_PRICE = 100_000;

/**
 * The longest order id, in UTF-16 code units (a character outside the Basic
 * Multilingual Plane, such as an emoji, counts 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_ORDER_ID_LENGTH, validateOrder } from "./validate_order.ts";
 *
 * const order = { orderId: "O".repeat(MAX_ORDER_ID_LENGTH + 1), product: "Laptop", price: 1 };
 * assert.throws(() => validateOrder(order), /65 characters long, over the limit of 64/);
 * ```
 */
export const MAX_ORDER_ID_LENGTH = 64;

/**
 * The longest product name, in UTF-16 code units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_PRODUCT_LENGTH, validateOrder } from "./validate_order.ts";
 *
 * const order = { orderId: "ORD-1", product: "L".repeat(MAX_PRODUCT_LENGTH), price: 1 };
 * assert.equal(validateOrder(order), order);
 * ```
 */
export const MAX_PRODUCT_LENGTH = 256;

/**
 * Checks an order against the business rules: a non-blank id of at most
 * {@link MAX_ORDER_ID_LENGTH} characters, a non-blank product of at most
 * {@link MAX_PRODUCT_LENGTH}, and a finite price from 0 to {@link MAX_PRICE}.
 *
 * @param order The decoded order.
 * @returns The same order, so the check can sit in a `map`.
 * @throws {ValidationError} Naming the field and saying why it is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_PRICE, validateOrder } from "./validate_order.ts";
 *
 * const order = { orderId: "ORD-0007", product: "Laptop", price: 12.5 };
 * assert.equal(validateOrder(order), order);
 * assert.throws(() => validateOrder({ ...order, price: MAX_PRICE + 1 }), /over the maximum/);
 * assert.throws(
 *   () => validateOrder({ ...order, price: -5 }),
 *   /Order ORD-0007 has an invalid price: -5 is negative/,
 * );
 * ```
 */
export function validateOrder(order: Order): Order {
  const { orderId, product, price } = order;
  if (typeof orderId !== "string" || orderId.trim() === "") {
    throw new ValidationError(
      "orderId",
      `Order has an invalid orderId: ${describe(orderId)} is blank, and every order needs an id`,
    );
  }
  if (orderId.length > MAX_ORDER_ID_LENGTH) {
    throw new ValidationError(
      "orderId",
      `Order ${
        describe(orderId.slice(0, 16))
      }… has an invalid orderId: it is ${orderId.length} characters long, over the limit of ${MAX_ORDER_ID_LENGTH}`,
    );
  }
  if (typeof product !== "string" || product.trim() === "") {
    throw new ValidationError(
      "product",
      `Order ${orderId} has an invalid product: ${describe(product)} is blank`,
    );
  }
  if (product.length > MAX_PRODUCT_LENGTH) {
    throw new ValidationError(
      "product",
      `Order ${orderId} has an invalid product: it is ${product.length} characters long, over the limit of ${MAX_PRODUCT_LENGTH}`,
    );
  }
  const problem = priceProblem(price);
  if (problem) {
    throw new ValidationError("price", `Order ${orderId} has an invalid price: ${problem}`);
  }
  return order;
}

function priceProblem(price: number): string | undefined {
  if (typeof price !== "number" || Number.isNaN(price)) return `${describe(price)} is not a number`;
  if (!Number.isFinite(price)) return `${price} is not finite`;
  if (price < 0) return `${price} is negative`;
  if (price > MAX_PRICE) return `${price} is over the maximum of ${MAX_PRICE}`;
  return undefined;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
