import assert from "node:assert/strict";
import { decompressSnappy } from "./_snappy.ts";
import { fixtureInput, fromBase64, JAVA_COMPRESSED } from "./_test_compressed.ts";

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

// A raw block of 11 bytes: "ab", a copy 2 back of 8 bytes (it overlaps what it writes), "c".
const REPEATING = [11, 0x04, ...ascii("ab"), 0x11, 2, 0x00, ...ascii("c")];

Deno.test("decompressSnappy() reads Java's snappy-java framing: one chunk, two, and a stored one", () => {
  for (const kind of ["small", "medium", "random"] as const) {
    const out = decompressSnappy(fromBase64(JAVA_COMPRESSED.snappy[kind]));
    assert.deepEqual(out, fixtureInput(kind), kind);
  }
});

Deno.test("decompressSnappy() reads a raw block, as clients other than Java's write it", () => {
  assert.equal(text(decompressSnappy(new Uint8Array(REPEATING))), "ababababab" + "c");
});

Deno.test("decompressSnappy() reads long literals and copies with two- and four-byte offsets", () => {
  const long = "L".repeat(99) + "!"; // 100 bytes: its length - 1 in the byte after the tag
  const block = [
    ...[0xba, 0x01], // 186 bytes in all (a two-byte varint)
    0xf0, // a literal whose length - 1 is in one byte
    99,
    ...ascii(long),
    (43 << 2) | 2, // a copy of 44 bytes, 100 back, two-byte offset
    100,
    0,
    (41 << 2) | 3, // a copy of 42 bytes, 144 back, four-byte offset
    144,
    0,
    0,
    0,
  ];
  const out = text(decompressSnappy(new Uint8Array(block)));
  assert.equal(out, long + long.slice(0, 44) + (long + long.slice(0, 44)).slice(0, 42));
});

Deno.test("decompressSnappy() refuses cut or impossible data with one clear error", () => {
  for (
    const bad of [
      REPEATING.slice(0, 5), // cut inside a copy
      [12, ...REPEATING.slice(1)], // one byte fewer than its header says
      [10, ...REPEATING.slice(1)], // one byte more
      [3, 0x04, 0x61], // a literal of 2 with 1 there
      [8, 0x00, 0x61, 0x11, 5], // a copy 5 back after 1 byte
      [8, 0x00, 0x61, 0x11, 0], // a copy 0 back
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // a length over 32 bits
    ]
  ) {
    assert.throws(() => decompressSnappy(new Uint8Array(bad)), (err: Error) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /^Cannot read Snappy data: /, JSON.stringify(bad));
      return true;
    });
  }
  const framed = fromBase64(JAVA_COMPRESSED.snappy.small);
  assert.throws(
    () => decompressSnappy(framed.subarray(0, framed.length - 1)),
    /Cannot read Snappy/,
  );
});
