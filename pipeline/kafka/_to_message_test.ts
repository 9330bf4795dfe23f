import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { toMessage } from "./_to_message.ts";

Deno.test("toMessage() passes a Buffer on as the same object", () => {
  const value = Buffer.from([1, 2, 3]);
  const key = Buffer.from("ORD-1");
  const header = Buffer.from("corr-1");
  const message = toMessage({ key, value, headers: { "x-correlation-id": header } });
  assert.equal(message.value, value);
  assert.equal(message.key, key);
  assert.equal(message.headers?.["x-correlation-id"], header);
});

Deno.test("toMessage() wraps any other Uint8Array as a Buffer over the same bytes", () => {
  const memory = new Uint8Array([9, 1, 2, 3, 9]);
  const value = memory.subarray(1, 4);
  const message = toMessage({ value, headers: { h: memory.subarray(0, 1) } });
  assert.ok(Buffer.isBuffer(message.value));
  assert.deepEqual([...(message.value as Buffer)], [1, 2, 3]);
  // No copy: a change to the record's bytes shows in the message.
  memory[2] = 7;
  assert.deepEqual([...(message.value as Buffer)], [1, 7, 3]);
  assert.ok(Buffer.isBuffer(message.headers?.h));
  assert.deepEqual([...(message.headers?.h as Buffer)], [9]);
});

Deno.test("toMessage() keeps strings, a null value and the partition, and leaves out missing parts", () => {
  const message = toMessage({ key: "ORD-2", value: null, headers: { a: "1" }, partition: 2 });
  assert.deepEqual(message, { key: "ORD-2", value: null, headers: { a: "1" }, partition: 2 });
  assert.deepEqual(toMessage({ value: null }), {
    key: null,
    value: null,
    headers: undefined,
    partition: undefined,
  });
});
