import assert from "node:assert/strict";
import { decompressLz4 } from "./_lz4.ts";
import { fixtureInput, fromBase64, JAVA_COMPRESSED } from "./_test_compressed.ts";

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** A frame around `blocks`; a block given as a number array is compressed, as a string stored. */
function frame(blocks: Array<number[] | string>, independent = true): Uint8Array {
  const bytes = [0x04, 0x22, 0x4d, 0x18, independent ? 0x60 : 0x40, 0x40, 0x00];
  for (const block of blocks) {
    const body = typeof block === "string" ? ascii(block) : block;
    const size = body.length | (typeof block === "string" ? 0x80000000 : 0);
    bytes.push(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24, ...body);
  }
  bytes.push(0, 0, 0, 0);
  return new Uint8Array(bytes);
}

// "ab", then a match 2 back of 8 bytes (it overlaps what it writes), then "c".
const REPEATING = [0x24, ...ascii("ab"), 2, 0, 0x10, ...ascii("c")];

Deno.test("decompressLz4() reads Java's Kafka LZ4 frames: one block, several, and a stored one", () => {
  for (const kind of ["small", "large", "random"] as const) {
    const out = decompressLz4(fromBase64(JAVA_COMPRESSED.lz4[kind]));
    assert.deepEqual(out, fixtureInput(kind), kind);
  }
});

Deno.test("decompressLz4() copies a match that overlaps the bytes it writes", () => {
  assert.equal(new TextDecoder().decode(decompressLz4(frame([REPEATING]))), "ababababab" + "c");
});

Deno.test("decompressLz4() lets a block of a linked frame copy from the block before", () => {
  // The second block is one match 3 back of 6 bytes, then "!": it copies "xyz" twice.
  const linked = frame(["xyz", [0x02, 3, 0, 0x10, ...ascii("!")]], false);
  assert.equal(new TextDecoder().decode(decompressLz4(linked)), "xyzxyzxyz!");
});

Deno.test("decompressLz4() reads frames one after another and passes over skippable ones", () => {
  const skippable = [0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9];
  const bytes = new Uint8Array([...frame(["one "]), ...skippable, ...frame(["two"])]);
  assert.equal(new TextDecoder().decode(decompressLz4(bytes)), "one two");
});

Deno.test("decompressLz4() refuses a cut, foreign or impossible frame with one clear error", () => {
  const whole = frame([REPEATING]);
  for (
    const bad of [
      whole.subarray(0, whole.length - 3), // no end mark
      whole.subarray(0, 9), // a block size cut off
      new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), // not LZ4
      frame([[0x04, 0x61, 5, 0, 0x10, 0x63]]), // a match 5 back after 1 byte
      frame([[0x04, 0x61, 0, 0, 0x10, 0x63]]), // a match 0 back
      frame([[0x50, 0x61]]), // 5 literals announced, 1 there
    ]
  ) {
    assert.throws(() => decompressLz4(bad), (err: Error) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /^Cannot read LZ4 data: /);
      return true;
    });
  }
});
