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
 * Checks an order against the business rules: a non-blank id and product, and
 * a finite price from 0 to {@link MAX_PRICE}.
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
  if (typeof product !== "string" || product.trim() === "") {
    throw new ValidationError(
      "product",
      `Order ${orderId} has an invalid product: ${describe(product)} is blank`,
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
