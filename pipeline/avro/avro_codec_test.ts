import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DecodeError, EncodeError } from "../errors.ts";
import { createCodec } from "./avro_codec.ts";
import { loadSchema } from "./load_schema.ts";

interface Order {
  orderId: string;
  product: string;
  price: number;
}

const codec = createCodec<Order>(loadSchema("order"));
const order: Order = { orderId: "ORD-0007", product: "Laptop", price: 12.5 };

/** What a schemaless writer (fastavro, avsc) emits, built by hand from the Avro spec. */
function schemalessOrder(orderId: string, product: string, price: number): Uint8Array {
  const parts: number[] = [];
  for (const text of [orderId, product]) {
    const utf8 = new TextEncoder().encode(text);
    let zigzag = utf8.length * 2;
    while (zigzag >= 0x80) {
      parts.push((zigzag & 0x7f) | 0x80);
      zigzag >>>= 7;
    }
    parts.push(zigzag, ...utf8);
  }
  const float = new DataView(new ArrayBuffer(4));
  float.setFloat32(0, price, true);
  parts.push(...new Uint8Array(float.buffer));
  return new Uint8Array(parts);
}

function assertDecodeError(bytes: Uint8Array | null | undefined, code: string, pattern: RegExp) {
  assert.throws(() => codec.decode(bytes), (err) => {
    assert.ok(err instanceof DecodeError);
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

Deno.test("createCodec() round-trips an order", () => {
  assert.deepEqual({ ...codec.decode(codec.encode(order)) }, order);
});

Deno.test("createCodec() decodes the float32 value of a price", () => {
  const decoded = codec.decode(codec.encode({ ...order, price: 19.99 }));
  assert.equal(decoded.price, Math.fround(19.99));
  assert.notEqual(decoded.price, 19.99);
});

Deno.test("createCodec() encodes to a Buffer, the only raw-bytes type kafkajs accepts", () => {
  assert.ok(Buffer.isBuffer(codec.encode(order)));
});

Deno.test("createCodec() encodes the exact bytes a schemaless writer produces", () => {
  assert.deepEqual(
    new Uint8Array(codec.encode(order)),
    schemalessOrder(order.orderId, order.product, order.price),
  );
});

Deno.test("createCodec() decodes bytes written by a schemaless writer", () => {
  const bytes = schemalessOrder("ORD-0042", "Café crème", 1010);
  assert.deepEqual({ ...codec.decode(bytes) }, {
    orderId: "ORD-0042",
    product: "Café crème",
    price: 1010,
  });
});

Deno.test("createCodec() decodes a view into a larger buffer without reading outside it", () => {
  const bytes = schemalessOrder("ORD-0001", "Mouse", 25);
  const padded = new Uint8Array(bytes.length + 6).fill(0xff);
  padded.set(bytes, 3);
  const view = padded.subarray(3, 3 + bytes.length);
  assert.deepEqual({ ...codec.decode(view) }, { orderId: "ORD-0001", product: "Mouse", price: 25 });
});

Deno.test("createCodec() rejects a null value as EMPTY_VALUE", () => {
  assertDecodeError(null, "EMPTY_VALUE", /the value is null/);
});

Deno.test("createCodec() rejects an undefined value as EMPTY_VALUE", () => {
  assertDecodeError(undefined, "EMPTY_VALUE", /the value is undefined/);
});

Deno.test("createCodec() rejects empty bytes as EMPTY_VALUE", () => {
  assertDecodeError(new Uint8Array(0), "EMPTY_VALUE", /the value is empty/);
});

Deno.test("createCodec() rejects every truncation of a valid record as DECODE_FAILED", () => {
  const bytes = codec.encode(order);
  for (let length = 1; length < bytes.length; length++) {
    assertDecodeError(bytes.subarray(0, length), "DECODE_FAILED", /truncated/);
  }
});

Deno.test("createCodec() rejects a record followed by trailing bytes as DECODE_FAILED", () => {
  const bytes = schemalessOrder(order.orderId, order.product, order.price);
  const longer = new Uint8Array([...bytes, 0]);
  assertDecodeError(longer, "DECODE_FAILED", new RegExp(`ends at byte ${bytes.length} of`));
});

Deno.test("createCodec() rejects a negative string length as DECODE_FAILED", () => {
  assertDecodeError(new Uint8Array([0x01, 0x41, 0x42]), "DECODE_FAILED", /Cannot decode order/);
});

Deno.test("createCodec() rejects garbage with a failing read as DECODE_FAILED", () => {
  const envelope = createCodec<unknown>(loadSchema("dead-letter"));
  // Payload of length 0, then union index 9: the key union has two branches.
  assert.throws(
    () => envelope.decode(new Uint8Array([0x00, 0x12, 0x00])),
    (err) => err instanceof DecodeError && err.code === "DECODE_FAILED",
  );
});

Deno.test("createCodec() names the field that cannot be encoded", () => {
  assert.throws(
    () => codec.encode({ ...order, price: "abc" } as unknown as Order),
    (err) => {
      assert.ok(err instanceof EncodeError);
      assert.equal(err.code, "ENCODE_FAILED");
      assert.equal(err.message, `Cannot encode order: field 'price' expected float, got "abc"`);
      return true;
    },
  );
});

Deno.test("createCodec() names every field that cannot be encoded", () => {
  const broken = { product: 7, price: 1 } as unknown as Order;
  assert.throws(
    () => codec.encode(broken),
    new EncodeError(
      "Cannot encode order: field 'orderId' expected string, got undefined; " +
        "field 'product' expected string, got 7",
    ),
  );
});

Deno.test("createCodec() describes a value that is not a record at all", () => {
  assert.throws(
    () => codec.encode(42 as unknown as Order),
    /Cannot encode order: expected record com\.orders\.Order, got 42/,
  );
});
