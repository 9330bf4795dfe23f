/**
 * What a record keeps while it waits for its retries: its own bytes, not
 * views of the fetch response it came in (often a megabyte), so that what the
 * waiting records hold follows the in-flight bound.
 *
 * Thousands of records wait at once, each a second or more, so every object a
 * waiting record holds is copied by the young-generation collector and then
 * marked in the old one. A held record is therefore itself and a layout
 * array beyond its strings: its bytes are a stretch of a shared chunk, not an
 * ArrayBuffer and a view of its own, and its key, value and headers are views
 * made when read (the route reads them, for a record that failed for good).
 *
 * @module
 */
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";

/**
 * Bytes of the chunks held records are copied into. A chunk stays alive while
 * any record in it waits, so this bounds what one long wait can keep: at most
 * a chunk per waiting record, 2 KiB, in the worst pattern (one record in each
 * chunk waiting long, the rest settled). A record over a quarter of it gets
 * its own buffer.
 */
export const HELD_CHUNK_BYTES = 2048;

/**
 * The delivery with a record that owns its bytes; its ledger and its settle
 * are passed on as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { held } from "./held_record.ts";
 * import { OffsetLedger } from "../kafka/offset_ledger.ts";
 *
 * const response = new Uint8Array([1, 2, 3, 4]);
 * const record = {
 *   topic: "orders", partition: 0, offset: "7", timestamp: "0",
 *   key: response.subarray(0, 1), value: response.subarray(1), headers: {},
 * };
 * const ledger = new OffsetLedger(7);
 * const copy = held({ record, ledger, settle() {} }).record;
 * response.fill(0);
 * assert.deepEqual([...copy.key!], [1]);
 * assert.deepEqual([...copy.value!], [2, 3, 4]);
 * ```
 */
export function held({ record, ledger, settle }: Delivery): Delivery {
  return { record: new HeldRecord(record), ledger, settle };
}

// A record's bytes in one run: key, value, then each header's value; `layout`
// gives their lengths (-1 for a missing key or value) and the header names.
class HeldRecord implements KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  // Its bytes: `#chunk` from `#at` on.
  readonly #chunk: Uint8Array;
  readonly #at: number;
  // [key length, value length, name, length, name, length, …]
  readonly #layout: (string | number)[];
  #headers: Record<string, Uint8Array> | undefined;

  constructor(record: KafkaRecord) {
    const { key, value, headers } = record;
    const layout: (string | number)[] = [key ? key.byteLength : -1, value ? value.byteLength : -1];
    let size = (key?.byteLength ?? 0) + (value?.byteLength ?? 0);
    for (const name in headers) {
      const length = headers[name].byteLength;
      layout.push(name, length);
      size += length;
    }
    const [chunk, from] = room(size);
    let at = from;
    const put = (bytes: Uint8Array) => {
      chunk.set(bytes, at);
      at += bytes.byteLength;
    };
    if (key) put(key);
    if (value) put(value);
    for (const name in headers) put(headers[name]);
    this.topic = record.topic;
    this.partition = record.partition;
    this.offset = record.offset;
    this.timestamp = record.timestamp;
    this.#chunk = chunk;
    this.#at = from;
    this.#layout = layout;
  }

  get key(): Uint8Array | null {
    const length = this.#layout[0] as number;
    return length < 0 ? null : this.#chunk.subarray(this.#at, this.#at + length);
  }

  get value(): Uint8Array | null {
    const length = this.#layout[1] as number;
    if (length < 0) return null;
    const from = this.#at + Math.max(this.#layout[0] as number, 0);
    return this.#chunk.subarray(from, from + length);
  }

  get headers(): Readonly<Record<string, Uint8Array>> {
    if (this.#headers) return this.#headers;
    const layout = this.#layout;
    let at = this.#at + Math.max(layout[0] as number, 0) + Math.max(layout[1] as number, 0);
    const headers: Record<string, Uint8Array> = {};
    for (let i = 2; i < layout.length; i += 2) {
      const length = layout[i + 1] as number;
      headers[layout[i] as string] = this.#chunk.subarray(at, at += length);
    }
    return this.#headers = headers;
  }
}

// Room for `size` bytes: a chunk and where in it they start.
let chunk = new Uint8Array(0);
let chunkAt = 0;
function room(size: number): [Uint8Array, number] {
  if (size > HELD_CHUNK_BYTES >>> 2) return [new Uint8Array(size), 0];
  if (chunkAt + size > chunk.byteLength) {
    chunk = new Uint8Array(HELD_CHUNK_BYTES);
    chunkAt = 0;
  }
  const from = chunkAt;
  chunkAt += size;
  return [chunk, from];
}
