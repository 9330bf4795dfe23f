import assert from "node:assert/strict";
import { PRODUCTS } from "./order.ts";

Deno.test("PRODUCTS lists distinct, non-blank product names", () => {
  assert.ok(PRODUCTS.length > 1);
  assert.equal(new Set(PRODUCTS).size, PRODUCTS.length);
  for (const product of PRODUCTS) assert.notEqual(product.trim(), "");
});

Deno.test("PRODUCTS cannot be changed by a caller", () => {
  assert.ok(Object.isFrozen(PRODUCTS));
});
