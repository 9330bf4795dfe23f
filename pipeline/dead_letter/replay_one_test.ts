import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { buildDeadLetter } from "./dead_letter.ts";
import { replayOne } from "./replay_one.ts";

const encoder = new TextEncoder();

function letterOf(headers: Record<string, Uint8Array>) {
  return buildDeadLetter({
    record: {
      topic: "orders-a",
      partition: 1,
      offset: "9",
      timestamp: "1700000000000",
      key: encoder.encode("ORD-1"),
      value: new Uint8Array([0, 0xff, 7]),
      headers,
    },
    error: new DecodeError("bad"),
    stage: "decode",
    attempts: 1,
    firstFailureTime: 1,
    lastFailureTime: 1,
    consumerGroup: "g",
  });
}

Deno.test("replayOne() restores key, value and headers byte for byte, with the replay count", () => {
  const replay = replayOne(letterOf({ "x-correlation-id": encoder.encode("c-1") }).value);
  assert.equal(replay.topic, "orders-a");
  assert.deepEqual([...replay.key!], [...encoder.encode("ORD-1")]);
  assert.deepEqual([...replay.value!], [0, 0xff, 7]);
  assert.deepEqual(Object.keys(replay.headers).sort(), ["x-correlation-id", "x-replay-count"]);
  assert.equal(new TextDecoder().decode(replay.headers["x-correlation-id"]), "c-1");
  assert.equal(new TextDecoder().decode(replay.headers["x-replay-count"]), "1");
});

Deno.test("replayOne() counts up from the replay count the original carried", () => {
  const twice = replayOne(letterOf({ ["x-replay-count"]: encoder.encode("2") }).value);
  assert.equal(twice.replayCount, 3);
  const garbled = replayOne(letterOf({ ["x-replay-count"]: encoder.encode("x") }).value);
  assert.equal(garbled.replayCount, 1);
});

Deno.test("replayOne() refuses bytes that are not a dead letter", () => {
  assert.throws(() => replayOne(new Uint8Array([1, 2, 3])), DecodeError);
  assert.throws(() => replayOne(null), DecodeError);
});
