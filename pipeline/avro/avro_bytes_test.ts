import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { avroBytes } from "./avro_bytes.ts";

Deno.test("avroBytes() wraps a view of a larger array over the same bytes, without a copy", () => {
  const memory = new Uint8Array([9, 1, 2, 9]);
  const wrapped = avroBytes(memory.subarray(1, 3));
  assert.ok(Buffer.isBuffer(wrapped));
  assert.deepEqual([...wrapped], [1, 2]);
  memory[1] = 7;
  assert.deepEqual([...wrapped], [7, 2]);
});

Deno.test("avroBytes() returns a Buffer as the same object", () => {
  const buffer = Buffer.from([1]);
  assert.equal(avroBytes(buffer), buffer);
});

Deno.test("avroBytes() passes on a value that is no Uint8Array, for the encoder to name", () => {
  assert.equal(avroBytes("text" as unknown as Uint8Array), "text");
});
