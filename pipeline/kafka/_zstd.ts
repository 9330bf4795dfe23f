// Reads Zstandard data, as Kafka's producers write it for
// `compression.type=zstd`, with node:zlib. zlib gives back what it could
// read of a cut frame without a word, and stops after the first frame, so
// the frames' structure (RFC 8878) is walked first: damaged data is refused,
// never read as fewer records.
import zlib from "node:zlib";
import { promisify } from "node:util";

const FRAME_MAGIC = 0xfd2fb528;
// Skippable frames: 0x184D2A50 to 0x184D2A5F.
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const RESERVED_BLOCK = 3;
const RLE_BLOCK = 1;

// node:zlib's Zstandard, which Deno has and older Node type definitions lack.
const zstdDecompress = promisify(
  (zlib as unknown as {
    zstdDecompress(data: Uint8Array, done: (err: Error | null, out: Uint8Array) => void): void;
  }).zstdDecompress,
);

/**
 * The bytes that Zstandard data (one frame or several) holds.
 *
 * @throws {RangeError} when `data` is not whole, well-formed Zstandard frames.
 */
export async function decompressZstd(data: Uint8Array): Promise<Uint8Array> {
  // zlib reads only the first frame, and no skippable one, so each goes alone.
  const frames: Uint8Array[] = [];
  let at = 0;
  do {
    const magic = u32(data, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + u32(data, at + 4);
    } else if (magic === FRAME_MAGIC) {
      const end = frameEnd(data, at + 4);
      frames.push(data.subarray(at, end));
      at = end;
    } else {
      fail(`no frame magic at byte ${at}`);
    }
  } while (at < data.length);
  if (at > data.length) fail("a frame runs past its end");
  const parts = await Promise.all(frames.map((frame) => zstdDecompress(frame)));
  if (parts.length === 1) {
    return new Uint8Array(parts[0].buffer, parts[0].byteOffset, parts[0].byteLength);
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let filled = 0;
  for (const part of parts) {
    out.set(part, filled);
    filled += part.byteLength;
  }
  return out;
}

// Where the frame whose header starts at `start` ends.
function frameEnd(data: Uint8Array, start: number): number {
  const descriptor = byteAt(data, start);
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const checksum = (descriptor & 0x04) !== 0;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3];
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag];
  let at = start + 1 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  for (;;) {
    const header = byteAt(data, at) | (byteAt(data, at + 1) << 8) | (byteAt(data, at + 2) << 16);
    at += 3;
    const type = (header >> 1) & 3;
    if (type === RESERVED_BLOCK) fail(`a block of the reserved type at byte ${at - 3}`);
    at += type === RLE_BLOCK ? 1 : header >>> 3;
    if (at > data.length) fail("a block runs past the data");
    if ((header & 1) !== 0) break;
  }
  return at + (checksum ? 4 : 0);
}

function byteAt(data: Uint8Array, at: number): number {
  if (at >= data.length) fail("the data ends too soon");
  return data[at];
}

function u32(data: Uint8Array, at: number): number {
  if (at + 4 > data.length) fail("the data ends too soon");
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

function fail(why: string): never {
  throw new RangeError(`Cannot read Zstandard data: ${why}`);
}
