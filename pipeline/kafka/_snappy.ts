// Reads Snappy data as Kafka's producers write it for
// `compression.type=snappy`: Java's in snappy-java's framing (a header, then
// chunks each with its length), others as one raw Snappy block. kafkajs has
// no Snappy codec of its own; this one only reads.
import { GrowingBytes } from "./_growing_bytes.ts";

// snappy-java's stream header: 0x82 "SNAPPY" 0, then two 32-bit versions.
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_LENGTH = XERIAL_MAGIC.length + 8;

/**
 * The bytes that Snappy data holds, framed by snappy-java or a raw block.
 *
 * @throws {RangeError} when `data` is not whole, well-formed Snappy data.
 */
export function decompressSnappy(data: Uint8Array): Uint8Array {
  if (!isXerial(data)) return readRawBlock(data, 0, data.length, new GrowingBytes(data.length * 4));
  const out = new GrowingBytes(data.length * 4);
  let at = XERIAL_HEADER_LENGTH;
  while (at < data.length) {
    if (at + 4 > data.length) fail("a chunk's length is cut off");
    const size = ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>>
      0;
    at += 4;
    if (at + size > data.length) fail(`a chunk of ${size} bytes runs past the data`);
    readRawBlock(data, at, at + size, out);
    at += size;
  }
  return out.bytes();
}

function isXerial(data: Uint8Array): boolean {
  return data.length >= XERIAL_HEADER_LENGTH && XERIAL_MAGIC.every((b, i) => data[i] === b);
}

// One raw block: its uncompressed length, then literals and copies.
function readRawBlock(
  data: Uint8Array,
  start: number,
  end: number,
  out: GrowingBytes,
): Uint8Array {
  let at = start;
  let expected = 0;
  for (let shift = 0;; shift += 7) {
    if (shift > 28) fail("the block's length is not a 32-bit varint");
    const b = byteAt(data, at++, end);
    expected += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const first = out.length;
  while (at < end) {
    const tag = data[at++];
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >> 2;
      if (length >= 60) {
        const bytes = length - 59;
        length = 0;
        for (let i = 0; i < bytes; i++) length += byteAt(data, at++, end) * 2 ** (8 * i);
      }
      length += 1;
      if (at + length > end) fail("a literal runs past its block");
      out.append(data, at, at + length);
      at += length;
    } else {
      let offset = 0;
      let length;
      if (kind === 1) {
        length = 4 + ((tag >> 2) & 7);
        offset = ((tag >> 5) << 8) | byteAt(data, at++, end);
      } else {
        length = 1 + (tag >> 2);
        const width = kind === 2 ? 2 : 4;
        for (let i = 0; i < width; i++) offset += byteAt(data, at++, end) * 2 ** (8 * i);
      }
      if (offset === 0 || out.length - offset < first) fail("a copy reaches before its block");
      out.copyBack(offset, length);
    }
    if (out.length - first > expected) {
      fail(`a block holds more than its header's ${expected} bytes`);
    }
  }
  if (out.length - first !== expected) {
    fail(`a block holds ${out.length - first} bytes, its header says ${expected}`);
  }
  return out.bytes();
}

function byteAt(data: Uint8Array, at: number, end: number): number {
  if (at >= end) fail("a block ends too soon");
  return data[at];
}

function fail(why: string): never {
  throw new RangeError(`Cannot read Snappy data: ${why}`);
}
