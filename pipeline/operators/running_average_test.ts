import assert from "node:assert/strict";
import { TestScheduler } from "rxjs/testing";
import { addToAggregate, emptyAggregate, mergeAggregates } from "./aggregate.ts";
import { runningAverage } from "./running_average.ts";

const testScheduler = () =>
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));

Deno.test("runningAverage() emits the aggregate after each order", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const prices = cold("-a-b-c|", { a: 10, b: 20, c: 60 });
    expectObservable(prices.pipe(runningAverage())).toBe("-x-y-z|", {
      x: { count: 1, sumCents: 1000, sum: 10, average: 10, min: 10, max: 10 },
      y: { count: 2, sumCents: 3000, sum: 30, average: 15, min: 10, max: 20 },
      z: { count: 3, sumCents: 9000, sum: 90, average: 30, min: 10, max: 60 },
    });
  });
});

Deno.test("runningAverage() emits nothing before the first order", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold<number>("---|").pipe(runningAverage())).toBe("---|");
  });
});

Deno.test("runningAverage() continues from a seed, such as a committed snapshot", () => {
  const seed = addToAggregate(addToAggregate(emptyAggregate(), 10), 20);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("-a|", { a: 60 }).pipe(runningAverage(seed))).toBe("-x|", {
      x: { count: 3, sumCents: 9000, sum: 90, average: 30, min: 10, max: 60 },
    });
  });
});

Deno.test("runningAverage() per partition, merged, equals runningAverage() of all orders", () => {
  const partitions = [[10, 20.5], [3.25], [100, 0.75, 8]];
  const last = (prices: number[]) => {
    let latest = emptyAggregate();
    testScheduler().run(({ cold }) => {
      const marble = prices.map((_, i) => String.fromCharCode(97 + i)).join("") + "|";
      const values = Object.fromEntries(prices.map((p, i) => [String.fromCharCode(97 + i), p]));
      cold(marble, values).pipe(runningAverage()).subscribe((agg) => latest = agg);
    });
    return latest;
  };
  assert.deepEqual(mergeAggregates(...partitions.map(last)), last(partitions.flat()));
});

Deno.test("runningAverage() errors on a price that is not a number, keeping the aggregate sound", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const prices = cold("ab|", { a: 1, b: NaN });
    expectObservable(prices.pipe(runningAverage())).toBe(
      "x#",
      { x: { count: 1, sumCents: 100, sum: 1, average: 1, min: 1, max: 1 } },
      new RangeError(
        "Cannot add to aggregate: 'price' must be a finite number (validate orders first), got NaN",
      ),
    );
  });
});

Deno.test("runningAverage() rejects a seed that is not an aggregate", () => {
  assert.throws(() => runningAverage({ ...emptyAggregate(), count: -1 }), {
    name: "RangeError",
    message: /^Cannot average: 'seed' must be an Aggregate/,
  });
});
