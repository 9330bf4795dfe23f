// Reads the LZ4 frame format (lz4's `lz4_Frame_format.md`), which Kafka's
// producers write for `compression.type=lz4`. kafkajs has no LZ4 codec of its
// own; this one only reads. Checksums are not verified: the record batch
// around the frame carries a CRC of its own.
import { GrowingBytes } from "./_growing_bytes.ts";

const FRAME_MAGIC = 0x184d2204;
// Skippable frames: 0x184D2A50 to 0x184D2A5F.
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const UNCOMPRESSED_BLOCK = 0x80000000;
const MIN_MATCH = 4;

/**
 * The bytes an LZ4 frame (or several, one after another) holds.
 *
 * @throws {RangeError} when `frame` is not a whole, well-formed LZ4 frame.
 */
export function decompressLz4(frame: Uint8Array): Uint8Array {
  const out = new GrowingBytes(frame.length * 4);
  let at = 0;
  do {
    const magic = u32(frame, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + u32(frame, at + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) fail(`no frame magic at byte ${at}`);
    at = readFrame(frame, at + 4, out);
  } while (at < frame.length);
  if (at > frame.length) fail("a frame runs past its end");
  return out.bytes();
}

// One frame's descriptor and blocks; returns where the frame ends.
function readFrame(frame: Uint8Array, start: number, out: GrowingBytes): number {
  let at = start;
  const flags = byteAt(frame, at++);
  if (flags >> 6 !== 1) fail(`frame version ${flags >> 6} is not 1`);
  const blockChecksums = (flags & 0x10) !== 0;
  const contentSize = (flags & 0x08) !== 0;
  const contentChecksum = (flags & 0x04) !== 0;
  const dictionary = (flags & 0x01) !== 0;
  if (dictionary) fail("frames that need a dictionary are not supported");
  at++; // the block descriptor: the largest block size, not needed to read
  if (contentSize) at += 8;
  at++; // the descriptor's checksum
  for (;;) {
    const word = u32(frame, at);
    at += 4;
    if (word === 0) break;
    const size = word & ~UNCOMPRESSED_BLOCK;
    const end = at + size;
    if (end > frame.length) fail(`a block of ${size} bytes runs past the frame`);
    if ((word & UNCOMPRESSED_BLOCK) !== 0) out.append(frame, at, end);
    else readBlock(frame, at, end, out);
    at = end + (blockChecksums ? 4 : 0);
  }
  return at + (contentChecksum ? 4 : 0);
}

// One compressed block: sequences of literals, each but the last followed by
// a match that copies earlier output (earlier blocks of the frame included).
function readBlock(frame: Uint8Array, start: number, end: number, out: GrowingBytes): void {
  let at = start;
  for (;;) {
    const token = byteAt(frame, at++);
    let literals = token >> 4;
    if (literals === 15) {
      let more;
      do literals += more = byteAt(frame, at++); while (more === 255);
    }
    if (at + literals > end) fail("literals run past their block");
    out.append(frame, at, at + literals);
    at += literals;
    if (at === end) return;
    const offset = byteAt(frame, at) | (byteAt(frame, at + 1) << 8);
    at += 2;
    let length = token & 15;
    if (length === 15) {
      let more;
      do length += more = byteAt(frame, at++); while (more === 255);
    }
    if (at > end) fail("a match runs past its block");
    if (offset === 0 || offset > out.length) fail(`a match reaches ${offset} bytes back`);
    out.copyBack(offset, length + MIN_MATCH);
  }
}

function byteAt(bytes: Uint8Array, at: number): number {
  if (at >= bytes.length) fail("the frame ends too soon");
  return bytes[at];
}

function u32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) fail("the frame ends too soon");
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function fail(why: string): never {
  throw new RangeError(`Cannot read LZ4 data: ${why}`);
}
