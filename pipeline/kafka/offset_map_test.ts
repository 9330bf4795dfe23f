import assert from "node:assert/strict";
import { decodeOffsetMap, encodeOffsetMap, MAX_MAP_SPAN } from "./offset_map.ts";

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
  assert.ok(encodeOffsetMap(0, long).startsWith("om1r"), "one long run");
  const scattered = Array.from({ length: 4000 }, (_, i) => 1 + i * 2);
  assert.ok(encodeOffsetMap(0, scattered).startsWith("om1b"), "every other offset");
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

Deno.test("encodeOffsetMap() keeps as many of the lowest offsets as fit: one more would not", () => {
  // A seeded mix of runs and gaps of every length, in both encodings' favour by turns.
  let seed = 7;
  const random = () => (seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) >>> 0) / 2 ** 32;
  let cut = 0;
  for (let round = 0; round < 60; round++) {
    const committed = Math.floor(random() * 1e9);
    const settled: number[] = [];
    let offset = committed;
    while (settled.length < 3000) {
      offset += 1 + Math.floor(random() ** 3 * (round % 2 ? 300 : 4));
      const run = 1 + Math.floor(random() ** 2 * 40);
      for (let i = 0; i < run; i++) settled.push(offset++);
    }
    const bound = 10 + Math.floor(random() * 600);
    const recorded = decodeOffsetMap(committed, encodeOffsetMap(committed, settled, bound));
    assert.deepEqual(recorded, settled.slice(0, recorded.length));
    if (recorded.length === settled.length) continue;
    cut++;
    const oneMore = encodeOffsetMap(committed, settled.slice(0, recorded.length + 1), 1 << 20);
    assert.ok(
      oneMore.length > bound,
      `round ${round}: ${recorded.length + 1} offsets fit ${bound}`,
    );
  }
  assert.ok(cut > 30, `only ${cut} of 60 maps were cut to the bound`);
});

Deno.test("decodeOffsetMap() records nothing for metadata that is not ours", () => {
  const others = [
    ...["", null, undefined, "hello", "r!!", "x" + btoa("abc"), "om1", "om1r"],
    // Words another tool may write, which read as a bitset behind a letter
    // did mark offsets settled before maps carried a mark and a check.
    ...["bloop", "blue", "rollout-7", "bAAAACj/8A8z"],
    // Confluent Parallel Consumer's bitset and run-length maps (magic bytes
    // 'l', 'n' and 'o', then the payload, all in base64) start with a "b".
    ...[0x6c, 0x6e, 0x6f].map((magic) => btoa(String.fromCharCode(magic, 0, 0, 0, 40, 0xff, 0xf0))),
    // Maps of the version before the mark.
    ...["r" + btoa(String.fromCharCode(1, 3)), "b" + btoa(String.fromCharCode(0xff))],
  ];
  for (const metadata of others) {
    assert.deepEqual(decodeOffsetMap(0, metadata), [], String(metadata));
  }
});

Deno.test("decodeOffsetMap() records nothing when read back with another offset or changed", () => {
  const metadata = encodeOffsetMap(1000, [1002, 1003, 1010]);
  assert.deepEqual(decodeOffsetMap(1000, metadata), [1002, 1003, 1010]);
  // The group's offset was moved (a reset, another tool) and the map kept.
  for (const committed of [0, 999, 1001, 10_000]) {
    assert.deepEqual(decodeOffsetMap(committed, metadata), [], `read at ${committed}`);
  }
  // Any one character changed.
  for (let i = 0; i < metadata.length; i++) {
    const changed = metadata.slice(0, i) + (metadata[i] === "A" ? "B" : "A") +
      metadata.slice(i + 1);
    assert.deepEqual(decodeOffsetMap(1000, changed), [], changed);
  }
});

Deno.test("a map reaches at most MAX_MAP_SPAN beyond the committed offset", () => {
  // One unsettled record, then a run far longer than the span.
  const long = Array.from({ length: MAX_MAP_SPAN + 5000 }, (_, i) => 2 + i);
  const recorded = decodeOffsetMap(0, encodeOffsetMap(0, long));
  assert.equal(recorded.length, MAX_MAP_SPAN - 1);
  assert.deepEqual(recorded, long.slice(0, MAX_MAP_SPAN - 1));
  // Nothing in the span: nothing to record.
  assert.equal(encodeOffsetMap(0, [MAX_MAP_SPAN + 1]), "");
  // Every other offset as far as the bitset goes: the span still holds.
  const scattered = Array.from({ length: MAX_MAP_SPAN }, (_, i) => 1 + i * 2);
  const wide = encodeOffsetMap(0, scattered, 1 << 20);
  assert.ok(wide.startsWith("om1b"));
  const kept = decodeOffsetMap(0, wide);
  assert.deepEqual(kept, scattered.slice(0, kept.length));
  assert.ok(kept[kept.length - 1] <= MAX_MAP_SPAN);
});

Deno.test("encodeOffsetMap() refuses a negative bound", () => {
  assert.throws(() => encodeOffsetMap(0, [1], -1), /'maxBytes' must be a whole number >= 0/);
});
