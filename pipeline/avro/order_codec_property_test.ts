// Round-trip property tests of the order encoding: random orders of both
// versions, raw and single-object, through the one decoder.
import assert from "node:assert/strict";
import avro from "avsc";
import { DecodeError, UnknownSchemaError } from "../errors.ts";
import type { Order } from "../orders/order.ts";
import { createRandom } from "../orders/random.ts";
import { createCodec } from "./avro_codec.ts";
import { createOrderDecoder } from "./order_decoder.ts";
import { createOrderEncoder } from "./order_encoder.ts";
import { loadOrderSchemas } from "./order_schemas.ts";
import { frameSingleObject } from "./single_object.ts";

const RUNS = 2_000;
const schemas = loadOrderSchemas();
const decoder = createOrderDecoder();
const v1Reader = createOrderDecoder({ readerVersion: 1 });
const [v1, v2] = [1, 2].map((version) => createOrderEncoder({ version }));
const rawV1 = createCodec<Order>(schemas[0].type);

function text(random: () => number): string {
  const alphabet = ["A", "z", "0", "-", " ", "é", "€", "漢", "😀"];
  const length = 1 + Math.floor(random() * 12);
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
}

/** A random order with v2's optional fields present, absent or null at random. */
function randomOrder(random: () => number): Order {
  const order: Order = {
    orderId: text(random),
    product: text(random),
    price: Math.floor(random() * 10_000_001) / 100,
  };
  const pick = () => Math.floor(random() * 3);
  if (pick() === 1) order.customerId = text(random);
  if (pick() === 2) order.customerId = null;
  if (pick() > 0) order.quantity = 1 + Math.floor(random() * 1_000);
  if (pick() === 1) order.createdAt = Math.floor(random() * 4_102_444_800_000);
  if (pick() === 2) order.createdAt = null;
  return order;
}

const asV2 = (order: Order) => ({
  customerId: null,
  quantity: 1,
  createdAt: null,
  ...order,
});
const asV1 = ({ orderId, product, price }: Order) => ({ orderId, product, price });

Deno.test("random v2 orders survive single-object encoding exactly, price included", () => {
  const random = createRandom(16);
  for (let i = 0; i < RUNS; i++) {
    const order = randomOrder(random);
    assert.deepEqual({ ...decoder.decode(v2.encode(order)) }, asV2(order));
  }
});

Deno.test("random v1 orders, raw or single-object, resolve to v2 with the float32 price and defaults", () => {
  const random = createRandom(17);
  for (let i = 0; i < RUNS; i++) {
    const order = randomOrder(random);
    const expected = { ...asV2(asV1(order)), price: Math.fround(order.price) };
    assert.deepEqual({ ...decoder.decode(v1.encode(order)) }, expected);
    assert.deepEqual({ ...decoder.decode(rawV1.encode(order)) }, expected);
  }
});

Deno.test("a v1 reader reads random v1 orders, and refuses v2 because double does not narrow", () => {
  const random = createRandom(18);
  for (let i = 0; i < RUNS; i++) {
    const order = randomOrder(random);
    const expected = { ...asV1(order), price: Math.fround(order.price) };
    assert.deepEqual({ ...v1Reader.decode(v1.encode(order)) }, expected);
    assert.throws(() => v1Reader.decode(v2.encode(order)), (err) => {
      assert.ok(err instanceof DecodeError);
      assert.equal(err.code, "DECODE_FAILED");
      assert.match(err.message, /order schema v2, which a v1 reader cannot read .*double.*float/);
      return true;
    });
  }
});

Deno.test("a v1 reader reads random v2 orders by Avro's rules once the price is written as v1's float", () => {
  // What the schemas check verifies for v2's declared promotion: the price is the only barrier.
  const v2AsFloat = avro.Type.forSchema({
    ...schemas[1].json,
    fields: (schemas[1].json.fields as Array<{ name: string }>).map((f) =>
      f.name === "price" ? { ...f, type: "float" } : f
    ),
  } as avro.Schema);
  const resolver = schemas[0].type.createResolver(v2AsFloat);
  const random = createRandom(21);
  for (let i = 0; i < RUNS; i++) {
    const order = randomOrder(random);
    const bytes = v2AsFloat.toBuffer(asV2(order));
    const { value, offset } = schemas[0].type.decode(bytes, 0, resolver);
    assert.equal(offset, bytes.length);
    assert.deepEqual({ ...value }, { ...asV1(order), price: Math.fround(order.price) });
  }
});

Deno.test("a single object of an unknown schema is UNKNOWN_SCHEMA with its fingerprint", () => {
  const random = createRandom(19);
  for (let i = 0; i < 200; i++) {
    const fingerprint = BigInt(Math.floor(random() * 2 ** 32)) << 32n |
      BigInt(Math.floor(random() * 2 ** 32));
    if (schemas.some((s) => s.fingerprint === fingerprint)) continue;
    const bytes = frameSingleObject(fingerprint, rawV1.encode(randomOrder(random)));
    assert.throws(() => decoder.decode(bytes), (err) => {
      assert.ok(err instanceof UnknownSchemaError);
      assert.equal(err.code, "UNKNOWN_SCHEMA");
      assert.equal(err.errorClass, "poison");
      assert.equal(err.fingerprint, fingerprint.toString(16).padStart(16, "0"));
      assert.ok(err.message.includes(err.fingerprint));
      return true;
    });
  }
});

Deno.test("every truncation of a single-object order is DECODE_FAILED, never a wrong order", () => {
  const random = createRandom(20);
  for (let i = 0; i < 50; i++) {
    const bytes = v2.encode(randomOrder(random));
    for (let length = 1; length < bytes.length; length++) {
      assert.throws(() => decoder.decode(bytes.subarray(0, length)), (err) => {
        assert.ok(err instanceof DecodeError, String(err));
        assert.equal(err.code, "DECODE_FAILED");
        return true;
      });
    }
  }
});
