import assert from "node:assert/strict";
import { decodeOffsetMap, encodeOffsetMap } from "./offset_map.ts";

Deno.test("encodeOffsetMap() round-trips runs and scattered offsets", () => {
  const cases: Array<[number, number[]]> = [
    [0, [1]],
    [5, [6, 7, 8, 9, 200, 201, 70_000]],
    [1_000_000_000_000, [1_000_000_000_002, 1_000_000_000_003]],
    [0, Array.from({ length: 500 }, (_, i) => 1 + i * 3)],
  ];
  for (const [committed, settled] of cases) {
    assert.deepEqual(decodeOffsetMap(committed, encodeOffsetMap(committed, settled)), settled);
  }
});

Deno.test("encodeOffsetMap() keeps the smaller of run lengths and a bitset", () => {
  const long = Array.from({ length: 10_000 }, (_, i) => 1 + i);
  assert.equal(encodeOffsetMap(0, long)[0], "r", "one long run");
  const scattered = Array.from({ length: 4000 }, (_, i) => 1 + i * 2);
  assert.equal(encodeOffsetMap(0, scattered)[0], "b", "every other offset");
});

Deno.test("encodeOffsetMap() keeps the lowest offsets that fit the bound", () => {
  const settled = Array.from({ length: 50_000 }, (_, i) => 2 + i * 2);
  for (const bound of [0, 5, 64, 4096]) {
    const metadata = encodeOffsetMap(0, settled, bound);
    assert.ok(metadata.length <= bound, `${metadata.length} > ${bound}`);
    const recorded = decodeOffsetMap(0, metadata);
    assert.deepEqual(recorded, settled.slice(0, recorded.length));
  }
});

Deno.test("decodeOffsetMap() records nothing for metadata that is not ours", () => {
  for (const metadata of ["", null, undefined, "hello", "r!!", "x" + btoa("abc")]) {
    assert.deepEqual(decodeOffsetMap(0, metadata), []);
  }
});

Deno.test("encodeOffsetMap() refuses a negative bound", () => {
  assert.throws(() => encodeOffsetMap(0, [1], -1), /'maxBytes' must be a whole number >= 0/);
});
