import assert from "node:assert/strict";
import { concatMap, type Observable, of, throwError } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { concatMapSync } from "./concat_map_sync.ts";

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));

Deno.test("concatMapSync() emits plain results at once, in the frame their value arrived", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("a-b-c|", { a: 1, b: 2, c: 3 });
    expectObservable(source.pipe(concatMapSync((n) => n * 10))).toBe("a-b-c|", {
      a: 10,
      b: 20,
      c: 30,
    });
  });
});

Deno.test("concatMapSync() holds later values back until an Observable result completes", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("ab-c|", { a: 1, b: 2, c: 3 });
    const project = (n: number): number | Observable<number> =>
      n === 1 ? cold("---x|", { x: 100 }) : n;
    // 2 arrives at frame 1 but waits for 1's Observable, which completes at frame 4.
    expectObservable(source.pipe(concatMapSync(project))).toBe("---x(bc|)", {
      x: 100,
      b: 2,
      c: 3,
    });
  });
});

Deno.test("concatMapSync() emits what concatMap emits, on the same frames", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const values = { a: 1, b: 2, c: 3, d: 4 };
    const source = cold("a-bc---d|", values);
    const slow = (n: number) => n % 2 === 0 ? cold("--(y|)", { y: n * 100 }) : of(n);
    const expected = source.pipe(concatMap(slow));
    const actual = source.pipe(concatMapSync((n) => n % 2 === 0 ? slow(n) : n));
    expectObservable(actual).toEqual(expected);
  });
});

Deno.test("concatMapSync() passes on an error thrown by the projection or its Observable", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const boom = new Error("boom");
    const source = cold("a-b-c|", { a: 1, b: 2, c: 3 });
    const throwing = (n: number) => {
      if (n === 2) throw boom;
      return n;
    };
    expectObservable(source.pipe(concatMapSync(throwing))).toBe("a-#", { a: 1 }, boom);
    const failing = (n: number) => (n === 2 ? throwError(() => boom) : n);
    expectObservable(source.pipe(concatMapSync(failing))).toBe("a-#", { a: 1 }, boom);
  });
});

Deno.test("concatMapSync() completes only after the last Observable result completes", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("a|", { a: 1 });
    expectObservable(source.pipe(concatMapSync(() => cold("---x|", { x: 9 })))).toBe("---x|", {
      x: 9,
    });
  });
});

Deno.test("concatMapSync() unsubscribes from a running Observable result when unsubscribed", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const inner = cold("-----x|", { x: 1 });
    const source = cold("a|", { a: 0 });
    expectObservable(source.pipe(concatMapSync(() => inner)), "---!").toBe("---");
    expectSubscriptions(inner.subscriptions).toBe("^--!");
  });
});

Deno.test("concatMapSync() refuses a projection that is not a function", () => {
  assert.throws(
    () => concatMapSync(42 as unknown as (n: number) => number),
    /'project' must be a function, got number/,
  );
});
