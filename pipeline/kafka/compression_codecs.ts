/**
 * Teaches kafkajs to read record batches compressed with Snappy, LZ4 or
 * Zstandard. kafkajs reads only gzip by itself and fails a whole fetch on
 * any other codec, while producers of other languages commonly compress with
 * these (`compression.type=zstd|lz4|snappy` in Java). The pipeline writes
 * uncompressed records, so these codecs only read.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { decompressLz4 } from "./_lz4.ts";
import { decompressSnappy } from "./_snappy.ts";
import { decompressZstd } from "./_zstd.ts";

// A codec as kafkajs calls it: decompress a batch's records; never compress.
function readOnly(name: string, decompress: (data: Buffer) => Uint8Array | Promise<Uint8Array>) {
  return {
    compress(): Promise<Buffer> {
      return Promise.reject(
        new Error(`Cannot compress with ${name}: the pipeline writes uncompressed records`),
      );
    },
    async decompress(data: Buffer): Promise<Buffer> {
      const out = await decompress(data);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}

const CODECS = {
  [CompressionTypes.Snappy]: readOnly("snappy", decompressSnappy),
  [CompressionTypes.LZ4]: readOnly("lz4", decompressLz4),
  [CompressionTypes.ZSTD]: readOnly("zstd", decompressZstd),
};

/**
 * Registers the Snappy, LZ4 and Zstandard readers with kafkajs, for every
 * client of this process; calling it again changes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressionCodecs, CompressionTypes } from "kafkajs";
 * import { readCompressedBatches } from "./compression_codecs.ts";
 *
 * readCompressedBatches();
 * assert.equal(typeof CompressionCodecs[CompressionTypes.ZSTD]().decompress, "function");
 * ```
 */
export function readCompressedBatches(): void {
  for (const [type, codec] of Object.entries(CODECS)) {
    CompressionCodecs[Number(type) as keyof typeof CODECS] = () => codec;
  }
}
