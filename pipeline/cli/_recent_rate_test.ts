import assert from "node:assert/strict";
import { RecentRate } from "./_recent_rate.ts";

Deno.test("RecentRate gives the rate over its window, not since the start", () => {
  const rate = new RecentRate(10_000);
  assert.equal(rate.sample(0, 0), 0);
  // A backlog: 1,000 orders a second for 20 s.
  for (let s = 1; s <= 20; s++) assert.equal(rate.sample(s * 1000, s * 1000), 1000);
  // Then one order a second: within 10 s the rate says so.
  let last = 0;
  for (let s = 21; s <= 31; s++) last = rate.sample(20_000 + (s - 20), s * 1000);
  assert.equal(last, 1);
});

Deno.test("RecentRate measures from the start until its window has passed", () => {
  const rate = new RecentRate(10_000);
  rate.sample(0, 0);
  assert.equal(rate.sample(50, 500), 100);
  assert.equal(rate.sample(50, 500), 100, "two samples at one time");
});
