// The output of an LZ77-style decompressor (LZ4, Snappy): bytes appended,
// and matches that copy bytes already written, possibly overlapping
// themselves (offset 1, length 10 repeats one byte ten times).

/** A byte buffer that doubles as it fills. */
export class GrowingBytes {
  #bytes: Uint8Array;
  #length = 0;

  constructor(capacity: number) {
    this.#bytes = new Uint8Array(Math.max(64, capacity));
  }

  get length(): number {
    return this.#length;
  }

  /** Appends `source[from, to)`. */
  append(source: Uint8Array, from: number, to: number): void {
    this.#room(to - from);
    this.#bytes.set(source.subarray(from, to), this.#length);
    this.#length += to - from;
  }

  /**
   * Appends `length` bytes copied from `offset` bytes back.
   *
   * @throws {RangeError} when `offset` is 0 or reaches before the first byte.
   */
  copyBack(offset: number, length: number): void {
    if (offset === 0 || offset > this.#length) {
      throw new RangeError(
        `Cannot decompress: a match reaches ${offset} bytes back, after ${this.#length} bytes`,
      );
    }
    this.#room(length);
    const bytes = this.#bytes;
    let from = this.#length - offset;
    let to = this.#length;
    if (offset >= length) {
      bytes.copyWithin(to, from, from + length);
    } else {
      for (const end = to + length; to < end;) bytes[to++] = bytes[from++];
    }
    this.#length += length;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #room(more: number): void {
    const needed = this.#length + more;
    if (needed <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}
