import assert from "node:assert/strict";
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import { DecodeError, ValidationError } from "../errors.ts";
import { type Order, PRODUCTS } from "./order.ts";
import { makeBadMessage, makeOrder, runPrefix } from "./order_generator.ts";
import { createRandom } from "./random.ts";
import { validateOrder } from "./validate_order.ts";

const codec = createCodec<Order>(loadSchema("order"));

Deno.test("makeOrder() zero-pads ids to 4 digits and widens past 9999", () => {
  const random = createRandom(1);
  assert.equal(makeOrder(1, random).orderId, "ORD-0001");
  assert.equal(makeOrder(42, random).orderId, "ORD-0042");
  assert.equal(makeOrder(9999, random).orderId, "ORD-9999");
  assert.equal(makeOrder(12345, random).orderId, "ORD-12345");
});

Deno.test("makeOrder() with a run prefix keeps the ORD-0001 style and ids differ across runs", () => {
  const first = runPrefix(Date.UTC(2026, 10, 24, 6, 0, 0));
  const second = runPrefix(Date.UTC(2026, 10, 24, 6, 0, 1));
  assert.notEqual(first, second);
  assert.equal(makeOrder(1, createRandom(1), { run: first }).orderId, `ORD-${first}-0001`);
  assert.notEqual(
    makeOrder(1, createRandom(1), { run: first }).orderId,
    makeOrder(1, createRandom(1), { run: second }).orderId,
  );
  const random = createRandom(2);
  const ids = Array.from({ length: 50 }, (_, i) => makeBadMessage(i + 1, random, { run: first }))
    .flatMap((bad) => bad.kind === "invalid" && bad.value.orderId ? [bad.value.orderId] : []);
  assert.ok(ids.length > 0);
  for (const id of ids) assert.match(id, new RegExp(`^ORD-${first}-\\d{4}$`));
  assert.throws(
    () => makeOrder(1, createRandom(1), { run: "no spaces" }),
    /'run' must be 1 to 16 letters/,
  );
});

Deno.test("makeOrder() makes valid orders priced 10.00 to 1010.00 in whole cents", () => {
  const random = createRandom(5);
  for (let n = 1; n <= 5_000; n++) {
    const order = validateOrder(makeOrder(n, random));
    assert.ok(PRODUCTS.includes(order.product));
    assert.ok(order.price >= 10 && order.price <= 1010, `price ${order.price}`);
    assert.equal(Math.round(order.price * 100) / 100, order.price);
  }
});

Deno.test("makeOrder() repeats its orders for the same seed", () => {
  const a = createRandom(9);
  const b = createRandom(9);
  for (let n = 1; n <= 50; n++) {
    assert.deepEqual(makeOrder(n, a, { createdAt: 0 }), makeOrder(n, b, { createdAt: 0 }));
  }
});

Deno.test("makeOrder() fills v2's fields without changing what a seed draws", () => {
  const random = createRandom(4);
  const customers = new Set<string>();
  for (let n = 1; n <= 1_000; n++) {
    const order = makeOrder(n, random, { createdAt: 1_700_000_000_000 });
    assert.match(order.customerId ?? "", /^CUST-0\d{3}$/);
    customers.add(order.customerId as string);
    assert.ok([1, 2, 3].includes(order.quantity as number), `quantity ${order.quantity}`);
    assert.equal(order.createdAt, 1_700_000_000_000);
  }
  assert.ok(customers.size > 300, `only ${customers.size} customers`);
  // Two draws per order, as before v2: the 3rd order is made of the 5th and 6th draws.
  const orders = createRandom(4);
  makeOrder(1, orders);
  makeOrder(2, orders);
  const third = makeOrder(3, orders);
  const draws = createRandom(4);
  for (let i = 0; i < 4; i++) draws();
  const product = PRODUCTS[Math.floor(draws() * PRODUCTS.length)];
  assert.deepEqual([third.product, third.price], [
    product,
    (1_000 + Math.floor(draws() * 100_001)) / 100,
  ]);
});

Deno.test("makeOrder() gives the price decoded as float32 after a round trip", () => {
  const order = makeOrder(1, createRandom(3));
  assert.equal(codec.decode(codec.encode(order)).price, Math.fround(order.price));
});

Deno.test("makeOrder() rejects a sequence number below 1", () => {
  assert.throws(
    () => makeOrder(0, createRandom(1)),
    new RangeError("Cannot make order: 'n' must be a whole number >= 1, got 0"),
  );
});

Deno.test("makeBadMessage() makes poison that never decodes", () => {
  const random = createRandom(11);
  let poison = 0;
  for (let n = 1; n <= 2_000; n++) {
    const bad = makeBadMessage(n, random);
    if (bad.kind !== "poison") continue;
    poison++;
    assert.throws(() => codec.decode(bad.value), DecodeError);
  }
  assert.ok(poison > 500, `only ${poison} poison messages`);
});

Deno.test("makeBadMessage() makes invalid orders that encode but fail validation", () => {
  const random = createRandom(12);
  let invalid = 0;
  for (let n = 1; n <= 2_000; n++) {
    const bad = makeBadMessage(n, random);
    if (bad.kind !== "invalid") continue;
    invalid++;
    const decoded = codec.decode(codec.encode(bad.value));
    assert.throws(() => validateOrder(decoded), ValidationError);
  }
  assert.ok(invalid > 500, `only ${invalid} invalid messages`);
});

Deno.test("makeBadMessage() covers every kind of bad message", () => {
  const random = createRandom(13);
  const seen = new Set<string>();
  for (let n = 1; n <= 500; n++) {
    const bad = makeBadMessage(n, random);
    if (bad.kind === "poison") {
      seen.add(bad.value.length === 0 ? "empty" : bad.value[0] % 2 ? "garbage" : "truncated");
      continue;
    }
    try {
      validateOrder(bad.value);
    } catch (err) {
      if (err instanceof ValidationError) seen.add(err.message);
    }
  }
  assert.ok(seen.has("empty") && seen.has("garbage") && seen.has("truncated"), [...seen].join());
  const reasons = [...seen].join("\n");
  for (const reason of ["orderId", "is negative", "is not a number", "over the maximum"]) {
    assert.match(reasons, new RegExp(reason));
  }
});

Deno.test("makeBadMessage() repeats its messages for the same seed", () => {
  const a = createRandom(21);
  const b = createRandom(21);
  // The clock is not the seed's: as for makeOrder, both sides get one createdAt.
  for (let n = 1; n <= 50; n++) {
    assert.deepEqual(
      makeBadMessage(n, a, { createdAt: 0 }),
      makeBadMessage(n, b, { createdAt: 0 }),
    );
  }
});
