import assert from "node:assert/strict";
import { concatMap, mergeMap, type Observable, of, throwError, timer } from "rxjs";
import { map } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { concatMapByKey } from "./concat_map_by_key.ts";
import { processWithRetry } from "./process_with_retry.ts";
import { TransientError } from "../errors.ts";

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const same = () => "one key";
const none = () => undefined;

Deno.test("concatMapByKey() emits plain results at once, in the frame their value arrived", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("a-b-c|", { a: 1, b: 2, c: 3 });
    expectObservable(source.pipe(concatMapByKey(same, (n) => n * 10))).toBe("a-b-c|", {
      a: 10,
      b: 20,
      c: 30,
    });
  });
});

Deno.test("concatMapByKey() with one key holds later values back until an Observable result completes", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("ab-c|", { a: 1, b: 2, c: 3 });
    const project = (n: number): number | Observable<number> =>
      n === 1 ? cold("---x|", { x: 100 }) : n;
    expectObservable(source.pipe(concatMapByKey(same, project))).toBe("---x(bc|)", {
      x: 100,
      b: 2,
      c: 3,
    });
  });
});

Deno.test("concatMapByKey() with one key emits what concatMap emits, on the same frames (partition mode)", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("abcdef|", { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
    const slow = (n: number) => cold("--x|", { x: n * 100 });
    const actual = source.pipe(concatMapByKey(same, (n) => n % 2 === 0 ? slow(n) : n));
    const expected = source.pipe(concatMap((n) => n % 2 === 0 ? slow(n) : of(n)));
    expectObservable(actual).toEqual(expected);
  });
});

Deno.test("concatMapByKey() lets other keys' later records pass a key in backoff", () => {
  scheduler().run(({ cold, expectObservable }) => {
    // a1 fails once and is retried after a 10 ms backoff; a2 waits for it, b's records pass.
    let failed = false;
    const process = (id: string) => {
      if (id === "a1" && !failed) {
        failed = true;
        throw new TransientError("timed out");
      }
      return id;
    };
    const retrying = processWithRetry(process, {
      count: 3,
      backoff: { baseDelay: 10, jitter: "none" },
    });
    const source = cold("abcd|", { a: "a1", b: "b1", c: "a2", d: "b2" });
    const handled = source.pipe(
      concatMapByKey(
        (id) => id[0],
        (id) => of(id).pipe(retrying, map((done) => done.result)),
      ),
    );
    expectObservable(handled).toBe("-b-d------(ac|)", { a: "a1", b: "b1", c: "a2", d: "b2" });
  });
});

Deno.test("concatMapByKey() keeps one key in offset order whatever each record's delay", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const delays = [5, 1, 3, 4, 2];
    const source = cold("(abcde)|", { a: 0, b: 1, c: 2, d: 3, e: 4 });
    const handled = source.pipe(
      concatMapByKey(same, (i: number) => timer(delays[i]).pipe(map(() => i))),
    );
    expectObservable(handled).toBe("-----ab--c---d-(e|)", { a: 0, b: 1, c: 2, d: 3, e: 4 });
  });
});

Deno.test("concatMapByKey() with no key emits what mergeMap emits (unordered mode)", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("abc|", { a: 3, b: 1, c: 2 });
    const slow = (n: number) => cold("-".repeat(n) + "x|", { x: n });
    const actual = source.pipe(concatMapByKey(none, slow));
    const expected = source.pipe(mergeMap(slow));
    expectObservable(actual).toEqual(expected);
  });
});

Deno.test("concatMapByKey() passes on an error thrown by the projection or its Observable", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const boom = new Error("boom");
    const source = cold("a-b|", { a: 1, b: 2 });
    const throwing = (n: number) => {
      if (n === 2) throw boom;
      return n;
    };
    expectObservable(source.pipe(concatMapByKey(same, throwing))).toBe("a-#", { a: 1 }, boom);
    const failing = (n: number) => (n === 2 ? throwError(() => boom) : n);
    expectObservable(source.pipe(concatMapByKey(same, failing))).toBe("a-#", { a: 1 }, boom);
  });
});

Deno.test("concatMapByKey() completes only after the last Observable result completes", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("a|", { a: 1 });
    const project = () => cold("---x|", { x: 9 });
    expectObservable(source.pipe(concatMapByKey(same, project))).toBe("---x|", { x: 9 });
    expectObservable(source.pipe(concatMapByKey(none, project))).toBe("---x|", { x: 9 });
  });
});

Deno.test("concatMapByKey() unsubscribes from running Observable results when unsubscribed", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const inner = cold("-----x|", { x: 1 });
    const source = cold("ab|", { a: 1, b: 2 });
    expectObservable(source.pipe(concatMapByKey((n) => n, () => inner)), "---!").toBe("---");
    expectSubscriptions(inner.subscriptions).toBe(["^--!", "-^-!"]);
  });
});

Deno.test("concatMapByKey() refuses a key function or projection that is not a function", () => {
  assert.throws(
    () => concatMapByKey(42 as unknown as () => string, (n: number) => n),
    /'keyOf' must be a function, got number/,
  );
  assert.throws(
    () => concatMapByKey(same, 42 as unknown as (n: number) => number),
    /'project' must be a function, got number/,
  );
});

Deno.test("concatMapByKey() asks for no key while no lane exists, and for each value once one does", () => {
  const asked: number[] = [];
  const keyOf = (n: number) => {
    asked.push(n);
    return n % 2;
  };
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold("ab-c-d|", { a: 1, b: 2, c: 3, d: 4 });
    // b needs a lane; c and d arrive while it runs, so their keys are asked for.
    const project = (n: number): number | Observable<number> =>
      n === 2 ? cold("----x|", { x: 20 }) : n * 10;
    // d has b's key, so it waits for b to complete.
    expectObservable(source.pipe(concatMapByKey(keyOf, project))).toBe("a--c-x(d|)", {
      a: 10,
      c: 30,
      x: 20,
      d: 40,
    });
  });
  assert.deepEqual(asked, [2, 3, 4]);
});

Deno.test("concatMapByKey() errors with what keyOf throws for a value that needs a lane", () => {
  const broken = new Error("no key");
  scheduler().run(({ cold, expectObservable }) => {
    const keyOf = () => {
      throw broken;
    };
    const project = () => cold("-x|", { x: 1 });
    expectObservable(cold("a|").pipe(concatMapByKey(keyOf, project))).toBe("#", undefined, broken);
  });
});
