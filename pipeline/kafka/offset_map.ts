/**
 * The settled offsets beyond a partition's committed offset, as a short
 * ASCII string for the offset commit's metadata:
 *
 *     om1 <format> <check> <base64 of the map>     (written without spaces)
 *
 * - `om1`: this map, version 1. Metadata without it (another tool's, or
 *   empty) records nothing.
 * - the format, the smaller of two kept:
 *   - `r`: run lengths, alternating unsettled and settled, from the
 *     committed offset on (which is unsettled by definition), as unsigned
 *     LEB128 varints;
 *   - `b`: a bitset, bit `i` set when `committed + 1 + i` is settled.
 * - the check: six characters of a 32-bit FNV-1a hash of the committed
 *   offset, the format and the map. A map read back with another offset
 *   (the group was reset or moved by another tool) or with bytes that are
 *   not ours (a tool that also starts with `om1`) records nothing.
 *
 * A map that records nothing costs a repeat, never a loss: those records are
 * processed again, which at-least-once allows. Skipping a record that was
 * never processed would lose it, so anything doubtful reads as nothing.
 *
 * A map that does not fit the size bound keeps its lowest settled offsets
 * that do, and so does one that reaches past {@link MAX_MAP_SPAN}: the ones
 * left out are processed again after a restart, and the commit itself never
 * fails because of its metadata.
 *
 * @module
 */

/** Kafka's default `offset.metadata.max.bytes`. */
export const DEFAULT_METADATA_MAX_BYTES = 4096;

/**
 * How far beyond the committed offset a map reaches, at most: reading one
 * back never takes more than this many offsets, whatever the metadata says.
 */
export const MAX_MAP_SPAN = 1 << 20;

const MARK = "om1";
const RUNS = "r";
const BITSET = "b";
const CHECK_LENGTH = 6;
// The mark, the format and the check: what every map adds to its bytes.
const HEAD_LENGTH = MARK.length + 1 + CHECK_LENGTH;

/**
 * Encodes `settled` (ascending offsets, each above `committed`) to at most
 * `maxBytes` ASCII characters; `""` when there is nothing to record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeOffsetMap, encodeOffsetMap } from "./offset_map.ts";
 *
 * const metadata = encodeOffsetMap(100, [102, 103, 107]);
 * assert.deepEqual(decodeOffsetMap(100, metadata), [102, 103, 107]);
 * assert.deepEqual(decodeOffsetMap(101, metadata), []); // read back with another offset
 * assert.equal(encodeOffsetMap(100, []), "");
 * ```
 */
export function encodeOffsetMap(
  committed: number,
  settled: readonly number[],
  maxBytes: number = DEFAULT_METADATA_MAX_BYTES,
): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(
      `Cannot encode the offset map: 'maxBytes' must be a whole number >= 0, got ${maxBytes}`,
    );
  }
  // Offsets past the span are left out, as reading the map back would drop them.
  let inSpan = settled.length;
  while (inSpan > 0 && settled[inSpan - 1] - committed > MAX_MAP_SPAN) inSpan--;
  const room = maxBytes - HEAD_LENGTH;
  if (inSpan === 0 || room <= 0) return "";
  const fits = largestFitting(committed, settled, inSpan, room);
  if (fits === 0) return "";
  const map = smallest(committed, settled, fits);
  return MARK + map.format + check(committed, map.format, map.body) + map.body;
}

/**
 * Whether a map of at most `maxBytes` could record a settled offset `span`
 * past the committed offset, in the `runs`-th run of settled offsets: a
 * lister of settled offsets may stop at the first it could not, and
 * {@link encodeOffsetMap} gives the same map as with the whole list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapCouldHold } from "./offset_map.ts";
 *
 * assert.ok(mapCouldHold(4096, 20_000, 1)); // one run: a few bytes
 * assert.ok(mapCouldHold(4096, 20_000, 5_000)); // a bitset of 2,500 bytes
 * assert.ok(!mapCouldHold(4096, 40_000, 5_000)); // neither fits
 * ```
 */
export function mapCouldHold(maxBytes: number, span: number, runs: number): boolean {
  const bytes = Math.floor((maxBytes - HEAD_LENGTH) / 4) * 3;
  // A run takes at least two bytes (its gap and its length).
  return span <= MAX_MAP_SPAN && (Math.ceil(span / 8) <= bytes || 2 * runs <= bytes);
}

/**
 * The settled offsets that `metadata` records beyond `committed`, ascending,
 * none beyond `committed + MAX_MAP_SPAN`. Metadata that is not a map of
 * this offset (another tool's, empty, or written at another offset) records
 * none.
 */
export function decodeOffsetMap(committed: number, metadata: string | null | undefined): number[] {
  if (!metadata?.startsWith(MARK) || metadata.length <= HEAD_LENGTH) return [];
  const format = metadata[MARK.length];
  const body = metadata.slice(HEAD_LENGTH);
  if (metadata.slice(MARK.length + 1, HEAD_LENGTH) !== check(committed, format, body)) return [];
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(body);
  } catch {
    return [];
  }
  if (format === BITSET) return fromBitset(committed, bytes);
  if (format === RUNS) return fromRuns(committed, bytes);
  return [];
}

function fromBitset(committed: number, bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const bits = Math.min(bytes.length * 8, MAX_MAP_SPAN);
  for (let i = 0; i < bits; i++) {
    if (bytes[i >> 3] & (1 << (i & 7))) offsets.push(committed + 1 + i);
  }
  return offsets;
}

function fromRuns(committed: number, bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const end = committed + MAX_MAP_SPAN;
  let position = committed;
  let settledRun = false;
  let value = 0;
  let shift = 0;
  for (const byte of bytes) {
    value += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) {
      shift += 7;
      // Longer than any offset's varint: not a map this code wrote.
      if (shift > 49) return [];
      continue;
    }
    if (settledRun) {
      for (let i = 0; i < value && position + i <= end; i++) offsets.push(position + i);
    }
    position += value;
    if (position > end) break;
    settledRun = !settledRun;
    value = 0;
    shift = 0;
  }
  return offsets;
}

// A 32-bit FNV-1a hash of the committed offset, the format and the body, as
// six base64 characters: it ties a map to the offset it was written for.
function check(committed: number, format: string, body: string): string {
  let hash = 0x811c9dc5;
  const text = `${committed}${format}${body}`;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return toBase64(Uint8Array.of(hash >>> 24, hash >>> 16, hash >>> 8, hash)).slice(0, CHECK_LENGTH);
}

// The smaller encoding of the first `count` settled offsets, in base64.
function smallest(
  committed: number,
  settled: readonly number[],
  count: number,
): { format: string; body: string } {
  const runs = toBase64(runLengths(committed, settled, count));
  const span = settled[count - 1] - committed;
  // A bitset is one bit per offset of the span: skip building it when the
  // run lengths are already shorter than its size.
  if (Math.ceil(Math.ceil(span / 8) / 3) * 4 >= runs.length) return { format: RUNS, body: runs };
  const bits = toBase64(bitset(committed, settled, count));
  return bits.length < runs.length ? { format: BITSET, body: bits } : { format: RUNS, body: runs };
}

// How many of the first `count` settled offsets fit `room` base64
// characters in the smaller encoding. Both encodings only grow with the
// offsets they take, so that is the larger of each one's own count, found in
// one pass: a commit's map may stand for hundreds of thousands of offsets
// while an order waits in backoff, once a second.
function largestFitting(
  committed: number,
  settled: readonly number[],
  count: number,
  room: number,
): number {
  // Base64 makes 4 characters of every 3 bytes, the last group padded.
  const maxBytes = Math.floor(room / 4) * 3;
  let byRuns = 0;
  let byBits = 0;
  // The run lengths so far: the finished runs' bytes, then the open run's gap and length.
  let finished = 0;
  let position = committed;
  let runStart = -1;
  let runEnd = -1;
  for (let i = 0; i < count; i++) {
    const offset = settled[i];
    if (offset === runEnd) {
      runEnd++;
    } else {
      if (runStart >= 0) {
        finished += varintSize(runStart - position) + varintSize(runEnd - runStart);
        position = runEnd;
      }
      runStart = offset;
      runEnd = offset + 1;
    }
    const runsSize = finished + varintSize(runStart - position) + varintSize(runEnd - runStart);
    if (runsSize <= maxBytes) byRuns = i + 1;
    if (Math.ceil((offset - committed) / 8) <= maxBytes) byBits = i + 1;
    else if (runsSize > maxBytes) break;
  }
  return Math.max(byRuns, byBits);
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

function runLengths(committed: number, settled: readonly number[], count: number): Uint8Array {
  const out: number[] = [];
  let position = committed;
  let i = 0;
  while (i < count) {
    const start = settled[i];
    let end = start + 1;
    while (i + 1 < count && settled[i + 1] === end) {
      i++;
      end++;
    }
    i++;
    writeVarint(out, start - position);
    writeVarint(out, end - start);
    position = end;
  }
  return Uint8Array.from(out);
}

function bitset(committed: number, settled: readonly number[], count: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil((settled[count - 1] - committed) / 8));
  for (let i = 0; i < count; i++) {
    const bit = settled[i] - committed - 1;
    bytes[bit >> 3] |= 1 << (bit & 7);
  }
  return bytes;
}

function writeVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
