import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { readCompressedBatches } from "./compression_codecs.ts";
import { fixtureInput, fromBase64, JAVA_COMPRESSED } from "./_test_compressed.ts";

const TYPES = {
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

Deno.test("readCompressedBatches() gives kafkajs codecs that read what Java's client compressed", async () => {
  readCompressedBatches();
  readCompressedBatches(); // a second call changes nothing
  for (const [name, type] of Object.entries(TYPES)) {
    const fixtures = JAVA_COMPRESSED[name as keyof typeof TYPES];
    for (const [kind, base64] of Object.entries(fixtures)) {
      const out = await CompressionCodecs[type]().decompress(Buffer.from(fromBase64(base64)));
      assert.ok(Buffer.isBuffer(out), `${name} ${kind} gives kafkajs a Buffer`);
      assert.deepEqual(
        new Uint8Array(out),
        fixtureInput(kind as Parameters<typeof fixtureInput>[0]),
        `${name} ${kind}`,
      );
    }
  }
});

Deno.test("readCompressedBatches() codecs refuse to compress, saying the pipeline writes uncompressed", async () => {
  readCompressedBatches();
  for (const [name, type] of Object.entries(TYPES)) {
    await assert.rejects(
      CompressionCodecs[type]().compress({ buffer: Buffer.from("x") }),
      new RegExp(`Cannot compress with ${name}: the pipeline writes uncompressed records`),
    );
  }
});

Deno.test("readCompressedBatches() codecs reject a damaged batch instead of making up records", async () => {
  readCompressedBatches();
  for (const [name, type] of Object.entries(TYPES)) {
    const whole = fromBase64(JAVA_COMPRESSED[name as keyof typeof TYPES].small);
    const cut = Buffer.from(whole.subarray(0, whole.length - 5));
    await assert.rejects(CompressionCodecs[type]().decompress(cut), Error, name);
  }
});
