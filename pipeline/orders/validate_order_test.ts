import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import type { Order } from "./order.ts";
import {
  MAX_ORDER_ID_LENGTH,
  MAX_PRICE,
  MAX_PRODUCT_LENGTH,
  validateOrder,
} from "./validate_order.ts";

const order: Order = { orderId: "ORD-0007", product: "Laptop", price: 12.5 };

function assertInvalid(bad: Order, field: string, message: string) {
  assert.throws(() => validateOrder(bad), (err) => {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.code, "INVALID_ORDER");
    assert.equal(err.errorClass, "permanent");
    assert.equal(err.field, field);
    assert.equal(err.message, message);
    return true;
  });
}

Deno.test("validateOrder() returns a valid order unchanged", () => {
  assert.equal(validateOrder(order), order);
});

Deno.test("validateOrder() accepts the bounds 0 and MAX_PRICE", () => {
  validateOrder({ ...order, price: 0 });
  validateOrder({ ...order, price: MAX_PRICE });
});

Deno.test("validateOrder() rejects an empty orderId", () => {
  assertInvalid(
    { ...order, orderId: "" },
    "orderId",
    `Order has an invalid orderId: "" is blank, and every order needs an id`,
  );
});

Deno.test("validateOrder() rejects a blank orderId", () => {
  assertInvalid(
    { ...order, orderId: " \t" },
    "orderId",
    `Order has an invalid orderId: " \\t" is blank, and every order needs an id`,
  );
});

Deno.test("validateOrder() rejects an empty product", () => {
  assertInvalid(
    { ...order, product: "" },
    "product",
    `Order ORD-0007 has an invalid product: "" is blank`,
  );
});

Deno.test("validateOrder() rejects a negative price", () => {
  assertInvalid(
    { ...order, price: -5 },
    "price",
    "Order ORD-0007 has an invalid price: -5 is negative",
  );
});

Deno.test("validateOrder() rejects a NaN price", () => {
  assertInvalid(
    { ...order, price: Number.NaN },
    "price",
    "Order ORD-0007 has an invalid price: NaN is not a number",
  );
});

Deno.test("validateOrder() rejects an infinite price", () => {
  assertInvalid(
    { ...order, price: -Infinity },
    "price",
    "Order ORD-0007 has an invalid price: -Infinity is not finite",
  );
});

Deno.test("validateOrder() rejects a price over MAX_PRICE", () => {
  assertInvalid(
    { ...order, price: 100_000.01 },
    "price",
    "Order ORD-0007 has an invalid price: 100000.01 is over the maximum of 100000",
  );
});

Deno.test("validateOrder() accepts an id and a product at their length limits", () => {
  const atLimit = {
    orderId: "I".repeat(MAX_ORDER_ID_LENGTH),
    product: "P".repeat(MAX_PRODUCT_LENGTH),
    price: 1,
  };
  assert.equal(validateOrder(atLimit), atLimit);
});

Deno.test("validateOrder() rejects an orderId one character over its limit as permanent", () => {
  const id = "I".repeat(MAX_ORDER_ID_LENGTH + 1);
  assertInvalid(
    { ...order, orderId: id },
    "orderId",
    `Order "IIIIIIIIIIIIIIII"… has an invalid orderId: it is 65 characters long, over the limit of 64`,
  );
});

Deno.test("validateOrder() rejects a 900 KB product as permanent", () => {
  const product = "x".repeat(900_000);
  assertInvalid(
    { ...order, product },
    "product",
    "Order ORD-0007 has an invalid product: it is 900000 characters long, over the limit of 256",
  );
});
