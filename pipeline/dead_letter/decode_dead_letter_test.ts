import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { buildDeadLetter } from "./dead_letter.ts";
import { decodeDeadLetter } from "./decode_dead_letter.ts";

const built = buildDeadLetter({
  record: {
    topic: "orders",
    partition: 0,
    offset: "7",
    timestamp: "1700000000000",
    key: new Uint8Array([1]),
    value: new Uint8Array([2, 3]),
    headers: { h: new Uint8Array([4]) },
  },
  error: new Error("boom"),
  stage: "process",
  attempts: 4,
  firstFailureTime: 1700000001000,
  lastFailureTime: 1700000009000,
  consumerGroup: "order-stats",
});

Deno.test("decodeDeadLetter() reads back the envelope buildDeadLetter wrote", () => {
  const letter = decodeDeadLetter(built.value);
  assert.deepEqual([...letter.payload], [2, 3]);
  assert.deepEqual([...(letter.originalKey ?? [])], [1]);
  assert.deepEqual([...letter.originalHeaders.h], [4]);
  assert.equal(letter.stage, "process");
  assert.equal(letter.attempts, 4);
});

Deno.test("decodeDeadLetter() rejects an empty value", () => {
  assert.throws(
    () => decodeDeadLetter(new Uint8Array(0)),
    (err) => err instanceof DecodeError && err.code === "EMPTY_VALUE",
  );
});

Deno.test("decodeDeadLetter() rejects a truncated envelope", () => {
  assert.throws(
    () => decodeDeadLetter(built.value.subarray(0, built.value.length - 1)),
    (err) =>
      err instanceof DecodeError && err.code === "DECODE_FAILED" &&
      err.message.startsWith("Cannot decode dead letter:"),
  );
});
