import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
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

Deno.test("decodeDeadLetter() reads a letter written with version 1 of the envelope", () => {
  const { value } = buildDeadLetter({
    record: {
      topic: "orders",
      partition: 2,
      offset: "11",
      timestamp: "1700000000000",
      key: null,
      value: new Uint8Array([5, 6, 7]),
      headers: {},
    },
    error: new Error("boom"),
    stage: "process",
    attempts: 2,
    firstFailureTime: 1,
    lastFailureTime: 2,
    consumerGroup: "g",
  });
  const current = decodeDeadLetter(value);
  // A version 1 letter is the current one without the three fields at its end.
  const { payloadOmitted: _o, payloadSize: _s, payloadSha256: _h, ...rest } = current;
  const v1 = createCodec<typeof rest>(loadSchema("dead-letter-v1")).encode(rest);
  assert.deepEqual(decodeDeadLetter(v1), {
    ...current,
    payloadOmitted: false,
    payloadSize: 3,
    payloadSha256: null,
  });
});

Deno.test("decodeDeadLetter() still refuses bytes that are no envelope of any version", () => {
  assert.throws(() => decodeDeadLetter(new Uint8Array([1, 2, 3])), /Cannot decode dead letter/);
});
