/**
 * A small seedable random number generator, so generated orders and simulated
 * failures can be replayed exactly in tests.
 *
 * @module
 */

/**
 * Creates a mulberry32 generator: fast, 32 bits of state, good enough for
 * test data (not for anything secret).
 *
 * @param seed Any whole number; the same seed gives the same sequence.
 * Without one, a random seed is drawn.
 * @returns A function giving numbers in [0, 1).
 * @throws {RangeError} When `seed` is not a whole number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom } from "./random.ts";
 *
 * const a = createRandom(42);
 * const b = createRandom(42);
 * assert.equal(a(), b());
 * ```
 */
export function createRandom(seed?: number): () => number {
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RangeError(`Cannot create random: 'seed' must be a whole number, got ${seed}`);
  }
  let state = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
