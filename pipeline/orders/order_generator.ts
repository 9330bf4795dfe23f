/**
 * Makes the orders the producer sends: good ones, and bad ones for `--bad-rate`.
 *
 * @module
 */
import { type Order, PRODUCTS } from "./order.ts";

/** What of an order does not come from its number or the random source. */
export interface MakeOrderOptions {
  /** A prefix naming the producer run, letters and digits; none when omitted. */
  run?: string;
  /** When the order was placed, in ms since the epoch; `Date.now()` when omitted. */
  createdAt?: number;
}

/**
 * Makes the `n`th order: id `ORD-0001` for `n = 1` (zero-padded to 4 digits,
 * wider past 9999; `ORD-<run>-0001` with a `run` prefix, which keeps ids
 * unique across runs on one topic), a product from {@link PRODUCTS}, a price
 * from 10.00 to 1010.00 in whole cents, and v2's fields: a customer
 * `CUST-0001` to `CUST-0500`, a quantity from 1 to 3 and `createdAt`.
 *
 * The price is a 2-decimal number: v2 carries it exactly, v1 as the float32
 * nearest to it (19.99 becomes 19.989999771118164), which the aggregate rounds
 * back to whole cents. Customer and quantity are derived from `n`, not drawn
 * from `random`, so a seed gives the same prices and bad messages as before
 * v2 existed.
 *
 * @param n The order's sequence number, from 1.
 * @param random A source of numbers in [0, 1), such as `createRandom(seed)`.
 * @param options `run`: a prefix naming the producer run, letters and digits
 * (none when omitted); `createdAt`: when the order was placed, in ms since
 * the epoch (default `Date.now()`).
 * @throws {RangeError} When `n` is not a whole number >= 1, or `run` is not letters and digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeBadMessage, makeOrder } from "./order_generator.ts";
 * import { createRandom } from "./random.ts";
 *
 * const random = createRandom(1);
 * const order = makeOrder(7, random);
 * assert.equal(order.orderId, "ORD-0007");
 * assert.equal(makeOrder(7, random, { run: "K3X9" }).orderId, "ORD-K3X9-0007");
 * assert.ok(order.price >= 10 && order.price <= 1010);
 * assert.ok(["poison", "invalid"].includes(makeBadMessage(8, random).kind));
 * ```
 */
export function makeOrder(
  n: number,
  random: () => number,
  { run, createdAt = Date.now() }: MakeOrderOptions = {},
): Order {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`Cannot make order: 'n' must be a whole number >= 1, got ${n}`);
  }
  if (run !== undefined && !/^[A-Za-z0-9]{1,16}$/.test(run)) {
    throw new RangeError(
      `Cannot make order: 'run' must be 1 to 16 letters and digits, got ${JSON.stringify(run)}`,
    );
  }
  const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)];
  const cents = 1_000 + Math.floor(random() * 100_001);
  // Knuth's multiplicative hash spreads consecutive n over customers and quantities.
  const mixed = Math.imul(n, 0x9e3779b1) >>> 0;
  return {
    orderId: `ORD-${run === undefined ? "" : `${run}-`}${String(n).padStart(4, "0")}`,
    product,
    price: cents / 100,
    customerId: `CUST-${String(1 + mixed % 500).padStart(4, "0")}`,
    quantity: 1 + (mixed >>> 16) % 3,
    createdAt,
  };
}

/**
 * A run prefix for {@link makeOrder}: the current time in milliseconds, base
 * 36, upper case, such as `MIDQ7D2S`; it grows with time, so later runs sort later.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runPrefix } from "./order_generator.ts";
 * assert.equal(runPrefix(0), "0");
 * assert.match(runPrefix(), /^[0-9A-Z]{8}$/);
 * ```
 */
export function runPrefix(now: number = Date.now()): string {
  return now.toString(36).toUpperCase();
}

/**
 * Makes the `n`th message as a bad one: `poison` bytes that do not decode, or
 * an `invalid` order that decodes but fails validation (3 in 7 poison).
 *
 * Poison is one of: an empty value; a record cut off inside its `orderId`; or
 * random bytes whose first byte is odd, which Avro reads as a negative string
 * length, so they can never decode (fully random bytes sometimes form a valid
 * order by chance, which would make them invalid rather than poison).
 * Invalid is an order with a negative, NaN or absurd price, or an empty id.
 *
 * @param n The message's sequence number, from 1.
 * @param random A source of numbers in [0, 1).
 * @param options `run` and `createdAt` of the order it starts from, as for {@link makeOrder}.
 * @throws {RangeError} When `n` is not a whole number >= 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { makeBadMessage, makeOrder } from "./order_generator.ts";
 * import { createRandom } from "./random.ts";
 *
 * const random = createRandom(1);
 * const good = makeOrder(2, random);
 * const bad = makeBadMessage(3, random);
 * assert.ok(bad.kind === "poison" || bad.value.orderId !== good.orderId);
 * ```
 */
export function makeBadMessage(
  n: number,
  random: () => number,
  options: MakeOrderOptions = {},
): { kind: "poison"; value: Uint8Array } | { kind: "invalid"; value: Order } {
  const order = makeOrder(n, random, options);
  const pick = Math.floor(random() * 7);
  switch (pick) {
    case 0:
      return { kind: "poison", value: new Uint8Array(0) };
    case 1:
      return { kind: "poison", value: truncatedOrder(order.orderId, random) };
    case 2:
      return { kind: "poison", value: undecodableBytes(random) };
    case 3:
      return { kind: "invalid", value: { ...order, price: -order.price } };
    case 4:
      return { kind: "invalid", value: { ...order, price: Number.NaN } };
    case 5:
      return { kind: "invalid", value: { ...order, price: 1e9 } };
    default:
      return { kind: "invalid", value: { ...order, orderId: "" } };
  }
}

/** The start of a real encoding: the id's length, then only part of the id. */
function truncatedOrder(orderId: string, random: () => number): Uint8Array {
  const id = new TextEncoder().encode(orderId);
  const head: number[] = [];
  let zigzag = id.length * 2;
  while (zigzag >= 0x80) {
    head.push((zigzag & 0x7f) | 0x80);
    zigzag >>>= 7;
  }
  head.push(zigzag);
  const kept = id.subarray(0, Math.floor(random() * id.length));
  const bytes = new Uint8Array(head.length + kept.length);
  bytes.set(head);
  bytes.set(kept, head.length);
  return bytes;
}

function undecodableBytes(random: () => number): Uint8Array {
  const bytes = new Uint8Array(1 + Math.floor(random() * 32));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  bytes[0] |= 1;
  return bytes;
}
