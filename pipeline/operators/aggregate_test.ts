import assert from "node:assert/strict";
import {
  addToAggregate,
  aggregateOfCents,
  emptyAggregate,
  mergeAggregates,
  toCents,
} from "./aggregate.ts";

const aggregateOf = (prices: number[]) => prices.reduce(addToAggregate, emptyAggregate());

Deno.test("emptyAggregate() has no average, min or max yet", () => {
  assert.deepEqual(emptyAggregate(), {
    count: 0,
    sumCents: 0,
    sum: 0,
    average: null,
    min: null,
    max: null,
  });
  assert.notEqual(emptyAggregate(), emptyAggregate());
});

Deno.test("addToAggregate() returns a new aggregate and leaves the old one alone", () => {
  const before = aggregateOf([10]);
  const after = addToAggregate(before, 4);
  assert.deepEqual(before, { count: 1, sumCents: 1000, sum: 10, average: 10, min: 10, max: 10 });
  assert.deepEqual(after, { count: 2, sumCents: 1400, sum: 14, average: 7, min: 4, max: 10 });
});

Deno.test("addToAggregate() rejects a price that is not a finite number", () => {
  for (const price of [NaN, Infinity, -Infinity, "5" as unknown as number]) {
    assert.throws(() => addToAggregate(emptyAggregate(), price), {
      name: "RangeError",
      message: /^Cannot add to aggregate: 'price' must be a finite number/,
    });
  }
});

Deno.test("mergeAggregates() of partition aggregates equals the aggregate of all prices", () => {
  const partitions = [[12.5, 3.25, 40], [], [7, 0.5], [99.75]];
  const merged = mergeAggregates(...partitions.map(aggregateOf));
  assert.deepEqual(merged, aggregateOf(partitions.flat()));
  assert.deepEqual(merged, {
    count: 6,
    sumCents: 16300,
    sum: 163,
    average: 16300 / 6 / 100,
    min: 0.5,
    max: 99.75,
  });
});

Deno.test("mergeAggregates() does not depend on the order of its arguments", () => {
  const [a, b, c] = [[1, 2], [30], [0.04, 8]].map(aggregateOf);
  assert.deepEqual(mergeAggregates(a, b, c), mergeAggregates(c, a, b));
  assert.deepEqual(mergeAggregates(mergeAggregates(a, b), c), mergeAggregates(a, b, c));
});

Deno.test("mergeAggregates() of nothing or only empties is empty", () => {
  assert.deepEqual(mergeAggregates(), emptyAggregate());
  assert.deepEqual(mergeAggregates(emptyAggregate(), emptyAggregate()), emptyAggregate());
});

Deno.test("addToAggregate() sums cents exactly where doubles drift", () => {
  const prices = Array.from({ length: 1_000 }, () => 0.1);
  assert.notEqual(prices.reduce((a, b) => a + b, 0), 100);
  const agg = aggregateOf(prices);
  assert.deepEqual([agg.sumCents, agg.sum, agg.average], [10_000, 100, 0.1]);
});

Deno.test("addToAggregate() counts a float32 price as the whole cents it was made from", () => {
  for (let cents = 0; cents <= 10_000_000; cents += 9_973) {
    assert.equal(toCents(Math.fround(cents / 100)), cents, `${cents} cents`);
  }
  const agg = aggregateOf([Math.fround(19.99), Math.fround(688.65)]);
  assert.deepEqual([agg.sumCents, agg.min, agg.max], [70_864, 19.99, 688.65]);
});

Deno.test("mergeAggregates() gives the same cents in any order of merging", () => {
  const random = (() => {
    let x = 7;
    return () => (x = (x * 48271) % 2147483647) / 2147483647;
  })();
  const parts = Array.from(
    { length: 8 },
    () => aggregateOf(Array.from({ length: 50 }, () => Math.floor(random() * 100_001) / 100)),
  );
  const forward = mergeAggregates(...parts);
  const backward = mergeAggregates(...[...parts].reverse());
  assert.deepEqual(forward, backward);
  assert.equal(forward.sumCents, parts.reduce((n, p) => n + p.sumCents, 0));
});

Deno.test("aggregateOfCents() refuses a sum past 2^53 cents", () => {
  assert.throws(() => aggregateOfCents(2, 2 ** 53, 0, 1), /past 2\^53 cents/);
});
