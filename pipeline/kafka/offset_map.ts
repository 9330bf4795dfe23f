/**
 * The settled offsets beyond a partition's committed offset, as a short
 * ASCII string for the offset commit's metadata. Two encodings, the smaller
 * kept, behind a leading format character so the format can change later:
 *
 * - `r`: run lengths, alternating unsettled and settled, from the committed
 *   offset on (which is unsettled by definition), as unsigned LEB128 varints;
 * - `b`: a bitset, bit `i` set when `committed + 1 + i` is settled.
 *
 * Both are base64 after the format character. A map that does not fit the
 * size bound keeps its lowest settled offsets that do: the ones left out are
 * processed again after a restart, which at-least-once allows, and the commit
 * itself never fails because of its metadata.
 *
 * @module
 */

/** Kafka's default `offset.metadata.max.bytes`. */
export const DEFAULT_METADATA_MAX_BYTES = 4096;

const RUNS = "r";
const BITSET = "b";

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
  if (settled.length === 0) return "";
  const full = smallest(committed, settled, settled.length);
  if (full.length <= maxBytes) return full;
  // The largest prefix of `settled` whose encoding fits; both encodings grow
  // with the prefix, so a binary search finds it.
  let fits = 0;
  let tooBig = settled.length;
  while (tooBig - fits > 1) {
    const middle = (fits + tooBig) >>> 1;
    if (smallest(committed, settled, middle).length <= maxBytes) fits = middle;
    else tooBig = middle;
  }
  return fits === 0 ? "" : smallest(committed, settled, fits);
}

/**
 * The settled offsets that `metadata` records beyond `committed`, ascending.
 * Metadata that is not ours (another tool's, or empty) records none.
 */
export function decodeOffsetMap(committed: number, metadata: string | null | undefined): number[] {
  if (!metadata) return [];
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(metadata.slice(1));
  } catch {
    return [];
  }
  const format = metadata[0];
  const offsets: number[] = [];
  if (format === BITSET) {
    for (let i = 0; i < bytes.length * 8; i++) {
      if (bytes[i >> 3] & (1 << (i & 7))) offsets.push(committed + 1 + i);
    }
    return offsets;
  }
  if (format !== RUNS) return [];
  let position = committed;
  let settledRun = false;
  let value = 0;
  let shift = 0;
  for (const byte of bytes) {
    value += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) {
      shift += 7;
      continue;
    }
    if (settledRun) { for (let i = 0; i < value; i++) offsets.push(position + i); }
    position += value;
    settledRun = !settledRun;
    value = 0;
    shift = 0;
  }
  return offsets;
}

function smallest(committed: number, settled: readonly number[], count: number): string {
  const runs = RUNS + toBase64(runLengths(committed, settled, count));
  const span = settled[count - 1] - committed;
  // A bitset is one bit per offset of the span: skip building it when the
  // run lengths are already shorter than its size.
  if (Math.ceil(Math.ceil(span / 8) / 3) * 4 + 1 >= runs.length) return runs;
  const bits = BITSET + toBase64(bitset(committed, settled, count));
  return bits.length < runs.length ? bits : runs;
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
