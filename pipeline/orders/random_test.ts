import assert from "node:assert/strict";
import { createRandom } from "./random.ts";

function take(random: () => number, count: number): number[] {
  return Array.from({ length: count }, random);
}

Deno.test("createRandom() repeats its sequence for the same seed", () => {
  assert.deepEqual(take(createRandom(7), 20), take(createRandom(7), 20));
});

Deno.test("createRandom() gives different sequences for different seeds", () => {
  assert.notDeepEqual(take(createRandom(1), 5), take(createRandom(2), 5));
});

Deno.test("createRandom() gives the known mulberry32 values for seed 0", () => {
  const first = take(createRandom(0), 3).map((x) => Math.round(x * 2 ** 32));
  assert.deepEqual(first, [1144304738, 1416247, 958946056]);
});

Deno.test("createRandom() stays in [0, 1) and spreads evenly", () => {
  const values = take(createRandom(123), 10_000);
  for (const x of values) assert.ok(x >= 0 && x < 1);
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

Deno.test("createRandom() without a seed still gives numbers in [0, 1)", () => {
  const x = createRandom()();
  assert.ok(x >= 0 && x < 1);
});

Deno.test("createRandom() rejects a seed that is not a whole number", () => {
  assert.throws(
    () => createRandom(1.5),
    new RangeError("Cannot create random: 'seed' must be a whole number, got 1.5"),
  );
});
