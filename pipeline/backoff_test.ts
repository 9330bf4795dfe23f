import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

Deno.test("backoffDelay() without jitter doubles from 1 s: 1000, 2000, 4000 ms", () => {
  const waits = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { jitter: "none" }));
  assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
});

Deno.test("backoffDelay() without jitter stops growing at maxDelay", () => {
  const options = { jitter: "none", maxDelay: 5000 } as const;
  assert.deepEqual([3, 4, 5, 60].map((n) => backoffDelay(n, options)), [4000, 5000, 5000, 5000]);
  // Growth that overflows to Infinity still lands on the cap.
  assert.equal(backoffDelay(5000, options), 5000);
  assert.equal(backoffDelay(5000, { jitter: "none", baseDelay: 0 }), 0);
});

Deno.test("backoffDelay() honours baseDelay and factor", () => {
  const options = { jitter: "none", baseDelay: 100, factor: 3 } as const;
  assert.deepEqual([1, 2, 3].map((n) => backoffDelay(n, options)), [100, 300, 900]);
});

Deno.test("backoffDelay() with full jitter reaches both ends of [0, ceiling]", () => {
  assert.equal(backoffDelay(3, { random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { random: () => 1 - Number.EPSILON }), 4000);
  assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
});

Deno.test("backoffDelay() with full jitter stays a whole number in [0, ceiling]", () => {
  for (let attempt = 1; attempt <= 8; attempt++) {
    const ceiling = Math.min(30_000, 1000 * 2 ** (attempt - 1));
    for (let i = 0; i < 2000; i++) {
      const wait = backoffDelay(attempt);
      assert.ok(Number.isInteger(wait) && wait >= 0 && wait <= ceiling, `${wait} > ${ceiling}`);
    }
  }
});

Deno.test("backoffDelay() rejects out-of-range options, saying what and why", () => {
  const cases: [number, Parameters<typeof backoffDelay>[1], RegExp][] = [
    [1, { baseDelay: -1 }, /^Cannot compute backoff: 'baseDelay' must be a number >= 0, got -1$/],
    [1, { baseDelay: NaN }, /'baseDelay' must be a number >= 0, got NaN/],
    [1, { factor: 0.5 }, /'factor' must be a number >= 1 so that waits never shrink, got 0.5/],
    [1, { maxDelay: -5 }, /'maxDelay' must be a number from 0 to 2147483647 .*got -5/],
    [1, { maxDelay: Infinity }, /'maxDelay' .*got Infinity/],
    [0, {}, /'attempt' must be a whole number >= 1 .*got 0/],
    [1.5, {}, /'attempt' must be a whole number >= 1 .*got 1.5/],
    [1, { random: () => 1 }, /'random' must return a number in \[0, 1\), got 1/],
    [1, { jitter: "half" as "full" }, /'jitter' must be "full" or "none", got "half"/],
  ];
  for (const [attempt, options, message] of cases) {
    assert.throws(() => backoffDelay(attempt, options), { name: "RangeError", message });
  }
  assert.throws(
    () => backoffDelay(1, { random: 0.5 as unknown as () => number }),
    { name: "TypeError", message: /'random' must be a function/ },
  );
});
