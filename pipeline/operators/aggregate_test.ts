import assert from "node:assert/strict";
import { addToAggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";

const aggregateOf = (prices: number[]) => prices.reduce(addToAggregate, emptyAggregate());

Deno.test("emptyAggregate() has no average, min or max yet", () => {
  assert.deepEqual(emptyAggregate(), { count: 0, sum: 0, average: null, min: null, max: null });
  assert.notEqual(emptyAggregate(), emptyAggregate());
});

Deno.test("addToAggregate() returns a new aggregate and leaves the old one alone", () => {
  const before = aggregateOf([10]);
  const after = addToAggregate(before, 4);
  assert.deepEqual(before, { count: 1, sum: 10, average: 10, min: 10, max: 10 });
  assert.deepEqual(after, { count: 2, sum: 14, average: 7, min: 4, max: 10 });
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
  assert.deepEqual(merged, { count: 6, sum: 163, average: 163 / 6, min: 0.5, max: 99.75 });
});

Deno.test("mergeAggregates() does not depend on the order of its arguments", () => {
  const [a, b, c] = [[1, 2], [30], [-4, 8]].map(aggregateOf);
  assert.deepEqual(mergeAggregates(a, b, c), mergeAggregates(c, a, b));
  assert.deepEqual(mergeAggregates(mergeAggregates(a, b), c), mergeAggregates(a, b, c));
});

Deno.test("mergeAggregates() of nothing or only empties is empty", () => {
  assert.deepEqual(mergeAggregates(), emptyAggregate());
  assert.deepEqual(mergeAggregates(emptyAggregate(), emptyAggregate()), emptyAggregate());
});
