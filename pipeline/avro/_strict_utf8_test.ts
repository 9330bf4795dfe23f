import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DecodeError } from "../errors.ts";
import { createCodec } from "./avro_codec.ts";
import { loadSchema } from "./load_schema.ts";

const codec = createCodec<{ orderId: string; product: string; price: number }>(
  loadSchema("order"),
);

/** An order whose `field` holds `raw` bytes as its string. */
function orderWithBytes(field: "orderId" | "product", raw: number[]): Uint8Array {
  const text = (s: string) => [...Buffer.from(s)];
  const str = (bytes: number[]) => [bytes.length * 2, ...bytes]; // zigzag length, bytes
  const id = field === "orderId" ? raw : text("ORD-1");
  const product = field === "product" ? raw : text("Laptop");
  const price = Buffer.alloc(4);
  price.writeFloatLE(9.5);
  return new Uint8Array([...str(id), ...str(product), ...price]);
}

for (const field of ["orderId", "product"] as const) {
  for (
    const [what, raw] of [
      ["a lone continuation byte", [0x41, 0x80, 0x42]],
      ["a truncated sequence", [0x41, 0xe2, 0x82]],
      ["an overlong encoding", [0xc0, 0xaf]],
      ["an encoded surrogate", [0xed, 0xa0, 0x80]],
      ["a byte never valid in UTF-8", [0xff]],
    ] as const
  ) {
    Deno.test(`decode() takes ${what} in ${field} for poison with code INVALID_UTF8`, () => {
      assert.throws(() => codec.decode(orderWithBytes(field, [...raw])), (err) => {
        assert.ok(err instanceof DecodeError);
        assert.equal(err.code, "INVALID_UTF8");
        assert.equal(err.errorClass, "poison");
        assert.equal(err.message, `Cannot decode order: field '${field}' is not valid UTF-8`);
        return true;
      });
    });
  }
}

Deno.test("decode() keeps a U+FFFD that was sent as valid UTF-8", () => {
  const order = { orderId: "ORD-\ufffd", product: "Läptop ✓ 😀", price: 1 };
  assert.deepEqual({ ...codec.decode(codec.encode(order)) }, order);
});

Deno.test("decode() through a resolver: a v1 order read as v2 keeps a U+FFFD sent as valid UTF-8, and bad bytes are poison", () => {
  const v1 = loadSchema("order");
  const v2 = createCodec<{ orderId: string }>(loadSchema("order.v2"), { writer: v1 });
  const sent = createCodec<{ orderId: string; product: string; price: number }>(v1).encode({
    orderId: "ORD-\ufffd",
    product: "Laptop",
    price: 1,
  });
  assert.equal(v2.decode(sent).orderId, "ORD-\ufffd");
  assert.throws(
    () => v2.decode(orderWithBytes("orderId", [0x41, 0x80])),
    (err) => err instanceof DecodeError && err.code === "INVALID_UTF8",
  );
});
