/**
 * The offset ledger of one partition: which fetched records are settled, the
 * committable offset (every record below it is settled), and the settled
 * offsets beyond it. Records may settle in any order; the committable offset
 * never passes an unsettled record. Pure bookkeeping: no Kafka, no timers.
 *
 * Offsets are Numbers: exact below 2^53, which a partition does not reach.
 *
 * @module
 */
import {
  decodeOffsetMap,
  DEFAULT_METADATA_MAX_BYTES,
  encodeOffsetMap,
  mapCouldHold,
} from "./offset_map.ts";

/** What a reader of a partition's position may ask: the offset to commit and what is settled beyond. */
export interface LedgerPosition {
  /** Every record below this offset is settled. */
  readonly nextOffset: number;
  /** The settled offsets above `nextOffset`, ascending. */
  settledBeyond(): number[];
  /**
   * The same offsets as runs `[distance past nextOffset, length]`,
   * ascending: short while orders wait, where the list is long.
   */
  settledRuns(): Array<[number, number]>;
  /** The commit metadata of this position (see `encodeOffsetMap`), at most `maxBytes`. */
  metadata(maxBytes?: number): string;
  /**
   * The partition was taken from this member by a rebalance: its records
   * still unsettled are the next owner's, who reads them again.
   */
  readonly revoked: boolean;
}

// A word of the bitset whose 32 offsets are all settled.
const ALL_SET = 0xffffffff;

/**
 * One partition's ledger. Records are shown to it in offset order with
 * {@link OffsetLedger.admit}, and settled with {@link OffsetLedger.settle}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OffsetLedger } from "./offset_ledger.ts";
 *
 * const ledger = new OffsetLedger(10);
 * for (const offset of [10, 11, 12]) assert.ok(ledger.admit(offset));
 * ledger.settle(11);
 * assert.equal(ledger.nextOffset, 10); // 10 is still unsettled
 * ledger.settle(10);
 * assert.equal(ledger.nextOffset, 12);
 * ```
 */
export class OffsetLedger implements LedgerPosition {
  #next: number;
  // The highest offset admitted or skipped so far.
  #seen: number;
  // Bit i: offset #base + i is settled. Only offsets >= #next are looked up.
  #bits = new Uint32Array(32);
  #base: number;
  #settledBeyond = 0;
  #revoked = false;

  /**
   * @param nextOffset the committed offset: the first record not known settled.
   * @param settledBeyond offsets above `nextOffset` known settled (restored from metadata).
   */
  constructor(nextOffset: number, settledBeyond: Iterable<number> = []) {
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
      throw new RangeError(
        `Cannot keep an offset ledger: 'nextOffset' must be a whole number >= 0, got ${nextOffset}`,
      );
    }
    this.#next = nextOffset;
    this.#base = nextOffset;
    this.#seen = nextOffset - 1;
    for (const offset of settledBeyond) if (offset > nextOffset) this.#mark(offset);
  }

  /** A ledger from a committed offset and its commit metadata (see `encodeOffsetMap`). */
  static restore(committed: number, metadata: string | null | undefined): OffsetLedger {
    return new OffsetLedger(committed, decodeOffsetMap(committed, metadata));
  }

  /** Every record below this offset is settled: the offset to commit. */
  get nextOffset(): number {
    return this.#next;
  }

  /** Whether {@link OffsetLedger.revoke} was called. */
  get revoked(): boolean {
    return this.#revoked;
  }

  /**
   * Says the partition was taken from this member: records still in flight
   * end without an outcome here, and the ledger is not committed from again.
   */
  revoke(): void {
    this.#revoked = true;
  }

  /** How many offsets above `nextOffset` are settled. */
  get settledBeyondCount(): number {
    return this.#settledBeyond;
  }

  /**
   * Shown each fetched record, in offset order (a fetch may start again
   * below offsets already shown). True when the record is to be delivered:
   * false when it is settled (restored, or below `nextOffset`) or was shown
   * before (so it is in flight). Offsets skipped between two records (a
   * transaction marker, a compacted record) are settled: there is nothing to
   * wait for.
   */
  admit(offset: number): boolean {
    if (offset <= this.#seen) return false;
    if (this.#seen < this.#next && this.#settledBeyond === 0 && offset > this.#next) {
      // Nothing in flight or recorded: jump over the missing offsets at once.
      this.#next = offset;
      this.#base = offset;
      this.#bits.fill(0);
    }
    for (let missing = this.#seen + 1; missing < offset; missing++) {
      if (missing >= this.#next) this.#mark(missing);
    }
    this.#seen = offset;
    this.#advance();
    return offset >= this.#next && !this.isSettled(offset);
  }

  /**
   * Takes back the record just admitted: it was not handed out (no room, or
   * not yet due) and will be fetched again.
   */
  unadmit(offset: number): void {
    if (offset === this.#seen) this.#seen = offset - 1;
  }

  /** Whether `offset` is known settled. */
  isSettled(offset: number): boolean {
    if (offset < this.#next) return true;
    const bit = offset - this.#base;
    return bit < this.#bits.length * 32 && (this.#bits[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  /** Records that `offset` reached its outcome; settling twice is harmless. */
  settle(offset: number): void {
    if (this.isSettled(offset)) return;
    this.#mark(offset);
    this.#advance();
  }

  /** The settled offsets above `nextOffset`, ascending. */
  settledBeyond(): number[] {
    return this.#listSettled(() => true);
  }

  /** The settled offsets above `nextOffset` as runs `[distance past nextOffset, length]`. */
  settledRuns(): Array<[number, number]> {
    const runs: Array<[number, number]> = [];
    if (this.#settledBeyond === 0) return runs;
    const bits = this.#bits;
    const end = this.#base + bits.length * 32;
    let start = -1;
    for (let offset = this.#next + 1; offset < end;) {
      const bit = offset - this.#base;
      // A whole word that neither ends nor starts a run is passed at once.
      if ((bit & 31) === 0) {
        const word = bits[bit >>> 5];
        if (start < 0 ? word === 0 : word === ALL_SET) {
          offset += 32;
          continue;
        }
      }
      if ((bits[bit >>> 5] & (1 << (bit & 31))) !== 0) {
        if (start < 0) start = offset;
      } else if (start >= 0) {
        runs.push([start - this.#next, offset - start]);
        start = -1;
      }
      offset++;
    }
    if (start >= 0) runs.push([start - this.#next, end - start]);
    return runs;
  }

  /** The commit metadata: the settled offsets beyond `nextOffset` that fit `maxBytes`. */
  metadata(maxBytes: number = DEFAULT_METADATA_MAX_BYTES): string {
    // While orders wait, hundreds of thousands of offsets may be settled
    // beyond; only those a map of this size could hold are listed.
    const listed = this.#listSettled((span, runs) => mapCouldHold(maxBytes, span, runs));
    return encodeOffsetMap(this.#next, listed, maxBytes);
  }

  // The settled offsets beyond `nextOffset`, ascending, up to the first that
  // `more` refuses (told its distance past `nextOffset` and its run's number).
  #listSettled(more: (span: number, runs: number) => boolean): number[] {
    const offsets: number[] = [];
    if (this.#settledBeyond === 0) return offsets;
    const end = this.#base + this.#bits.length * 32;
    let runs = 0;
    let last = -1;
    for (let offset = this.#next + 1; offset < end; offset++) {
      if (!this.isSettled(offset)) continue;
      if (offset !== last + 1) runs++;
      if (!more(offset - this.#next, runs)) break;
      offsets.push(offset);
      last = offset;
    }
    return offsets;
  }

  #mark(offset: number): void {
    let bit = offset - this.#base;
    if (bit >= this.#bits.length * 32) {
      this.#compact();
      bit = offset - this.#base;
      if (bit >= this.#bits.length * 32) {
        const grown = new Uint32Array(Math.max(this.#bits.length * 2, (bit >>> 5) + 1));
        grown.set(this.#bits);
        this.#bits = grown;
      }
    }
    this.#bits[bit >>> 5] |= 1 << (bit & 31);
    if (offset > this.#next) this.#settledBeyond++;
  }

  #advance(): void {
    if (!this.isSettled(this.#next)) return;
    // #next itself was counted as settled beyond when it was marked above the old #next.
    while (this.isSettled(this.#next)) {
      this.#next++;
      if (this.isSettled(this.#next)) this.#settledBeyond--;
    }
  }

  // Drops the words wholly below #next, so the bitset spans only the window.
  #compact(): void {
    const word = (this.#next - this.#base) >>> 5;
    if (word === 0) return;
    this.#bits.copyWithin(0, word);
    this.#bits.fill(0, this.#bits.length - word);
    this.#base += word * 32;
  }
}
