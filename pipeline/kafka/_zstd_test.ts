import assert from "node:assert/strict";
import { decompressZstd } from "./_zstd.ts";
import { fixtureInput, fromBase64, JAVA_COMPRESSED } from "./_test_compressed.ts";

Deno.test("decompressZstd() reads Java's Kafka Zstandard frames", async () => {
  for (const kind of ["small", "large", "random"] as const) {
    const out = await decompressZstd(fromBase64(JAVA_COMPRESSED.zstd[kind]));
    assert.deepEqual(out, fixtureInput(kind), kind);
  }
});

Deno.test("decompressZstd() reads frames one after another and passes over skippable ones", async () => {
  const frame = fromBase64(JAVA_COMPRESSED.zstd.small);
  const skippable = [0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7];
  const out = await decompressZstd(new Uint8Array([...frame, ...skippable, ...frame]));
  const once = fixtureInput("small");
  assert.deepEqual(out, new Uint8Array([...once, ...once]));
});

Deno.test("decompressZstd() refuses a cut or foreign frame, which zlib would read as less", async () => {
  const whole = fromBase64(JAVA_COMPRESSED.zstd.large);
  for (
    const bad of [
      whole.subarray(0, whole.length - 5),
      whole.subarray(0, 7),
      new Uint8Array([...whole, 1, 2]),
      new TextEncoder().encode("not zstd at all"),
    ]
  ) {
    await assert.rejects(decompressZstd(bad), (err: Error) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, /^Cannot read Zstandard data: /);
      return true;
    });
  }
});
