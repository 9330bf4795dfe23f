import assert from "node:assert/strict";
import { catchError, map, type Observable, of, timer } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { BrokerError, TransientError, ValidationError } from "../errors.ts";
import { processWithRetry, type RetryOptions } from "./process_with_retry.ts";
import { ProcessingFailure } from "./processing_failure.ts";

const testScheduler = () =>
  new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const exact: RetryOptions = { backoff: { jitter: "none" } };

/** A process that throws `errors` in turn on its first calls, then doubles. */
function failingFirst(...errors: unknown[]) {
  const calls = { count: 0 };
  const process = (n: number) => {
    const err = errors[calls.count++];
    if (err !== undefined) throw err;
    return n * 2;
  };
  return { process, calls };
}

/** The fields of a ProcessingFailure, as a value a marble can compare. */
const failureOf = (err: unknown) => {
  assert.ok(err instanceof ProcessingFailure, `not a ProcessingFailure: ${err}`);
  return {
    cause: err.cause,
    attempts: err.attempts,
    first: err.firstFailureTime,
    last: err.lastFailureTime,
    stage: err.stage,
  };
};
const failures = <T>(source: Observable<T>) =>
  source.pipe(catchError((err: unknown) => of(failureOf(err))));

Deno.test("processWithRetry() emits a synchronous success at once, attempts 1", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const source = cold("a-b|", { a: 1, b: 2 });
    expectObservable(source.pipe(processWithRetry((n: number) => n * 2, exact))).toBe("a-b|", {
      a: { input: 1, result: 2, attempts: 1 },
      b: { input: 2, result: 4, attempts: 1 },
    });
  });
});

Deno.test("processWithRetry() retries transient errors after 1 s, 2 s, 4 s: success at 7000 ms", () => {
  const timeout = new TransientError("timed out");
  const { process, calls } = failingFirst(timeout, timeout, timeout);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("(a|)", { a: 21 }).pipe(processWithRetry(process, exact))).toBe(
      "7000ms (a|)",
      { a: { input: 21, result: 42, attempts: 4 } },
    );
  });
  assert.equal(calls.count, 4);
});

Deno.test("processWithRetry() with full jitter succeeds within [0, 7000] ms", () => {
  const timeout = new TransientError("timed out");
  const times = new Set<number>();
  for (let run = 0; run < 200; run++) {
    const { process } = failingFirst(timeout, timeout, timeout);
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      cold("(a|)", { a: 1 }).pipe(processWithRetry(process)).subscribe(() =>
        times.add(scheduler.now())
      );
    });
  }
  for (const t of times) assert.ok(t >= 0 && t <= 7000, `emitted at ${t} ms`);
  assert.ok(times.size > 100, "the waits should vary from run to run");
});

Deno.test("processWithRetry() uses the injected random for jitter", () => {
  const timeout = new TransientError("timed out");
  const { process } = failingFirst(timeout, timeout);
  testScheduler().run(({ cold, expectObservable }) => {
    const options = { backoff: { random: () => 0.5 } };
    // floor(0.5 * 1001) + floor(0.5 * 2001) = 500 + 1000
    expectObservable(cold("(a|)", { a: 1 }).pipe(processWithRetry(process, options))).toBe(
      "1500ms (a|)",
      { a: { input: 1, result: 2, attempts: 3 } },
    );
  });
});

Deno.test("processWithRetry() does not retry a permanent error: fails at frame 0 after 1 attempt", () => {
  const invalid = new ValidationError("price", "price is negative");
  const { process, calls } = failingFirst(invalid, invalid);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(failures(cold("(a|)", { a: -1 }).pipe(processWithRetry(process, exact))))
      .toBe("(f|)", { f: { cause: invalid, attempts: 1, first: 0, last: 0, stage: "process" } });
  });
  assert.equal(calls.count, 1);
});

Deno.test("processWithRetry() does not retry a fatal error", () => {
  const down = new BrokerError("broker gone", "BROKER_UNAVAILABLE");
  const { process, calls } = failingFirst(down);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(failures(cold("(a|)", { a: 1 }).pipe(processWithRetry(process, exact))))
      .toBe("(f|)", { f: { cause: down, attempts: 1, first: 0, last: 0, stage: "process" } });
  });
  assert.equal(calls.count, 1);
});

Deno.test("processWithRetry() stops retrying a transient error that turns permanent", () => {
  const invalid = new ValidationError("price", "price is negative");
  const { process, calls } = failingFirst(new TransientError("timed out"), invalid);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(failures(cold("(a|)", { a: 1 }).pipe(processWithRetry(process, exact))))
      .toBe("1000ms (f|)", {
        f: { cause: invalid, attempts: 2, first: 0, last: 1000, stage: "process" },
      });
  });
  assert.equal(calls.count, 2);
});

Deno.test("processWithRetry() fails with ProcessingFailure after count + 1 attempts", () => {
  const timeouts = Array.from({ length: 5 }, (_, i) => new TransientError(`timeout ${i + 1}`));
  const { process, calls } = failingFirst(...timeouts);
  testScheduler().run(({ cold, expectObservable }) => {
    const step = processWithRetry(process, { ...exact, count: 2, stage: "enrich" });
    expectObservable(failures(cold("(a|)", { a: 1 }).pipe(step))).toBe("3000ms (f|)", {
      f: { cause: timeouts[2], attempts: 3, first: 0, last: 3000, stage: "enrich" },
    });
  });
  assert.equal(calls.count, 3);
});

Deno.test("processWithRetry() retries foreign errors, which classify as transient", () => {
  const { process, calls } = failingFirst(new Error("socket hang up"));
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(cold("(a|)", { a: 1 }).pipe(processWithRetry(process, exact))).toBe(
      "1000ms (a|)",
      { a: { input: 1, result: 2, attempts: 2 } },
    );
  });
  assert.equal(calls.count, 2);
});

Deno.test("processWithRetry() with count 0 never retries", () => {
  const timeout = new TransientError("timed out");
  const { process } = failingFirst(timeout);
  testScheduler().run(({ cold, expectObservable }) => {
    expectObservable(
      failures(cold("(a|)", { a: 1 }).pipe(processWithRetry(process, { ...exact, count: 0 }))),
    ).toBe("(f|)", { f: { cause: timeout, attempts: 1, first: 0, last: 0, stage: "process" } });
  });
});

Deno.test("processWithRetry() calls onRetry with each retry's number and wait", () => {
  const timeout = new TransientError("timed out");
  const { process } = failingFirst(timeout, timeout, timeout, timeout);
  const retries: [unknown, number, number][] = [];
  testScheduler().run(({ cold, expectObservable }) => {
    const onRetry = (err: unknown, attempt: number, delayMs: number) =>
      retries.push([err, attempt, delayMs]);
    const step = processWithRetry(process, { ...exact, onRetry });
    expectObservable(failures(cold("(a|)", { a: 1 }).pipe(step))).toBe("7000ms (f|)", {
      f: { cause: timeout, attempts: 4, first: 0, last: 7000, stage: "process" },
    });
  });
  assert.deepEqual(retries, [[timeout, 1, 1000], [timeout, 2, 2000], [timeout, 3, 4000]]);
});

Deno.test("processWithRetry() retries an Observable result by calling process again", () => {
  const timeout = new TransientError("timed out");
  testScheduler().run(({ cold, expectObservable }) => {
    const results = [cold<number>("--#", undefined, timeout), cold("--r-s|", { r: 7, s: 8 })];
    let call = 0;
    const step = processWithRetry((_: string) => results[call++], exact);
    // Fails at 2, waits 1000, the second call emits its first value 2 frames later.
    expectObservable(cold("(a|)", { a: "x" }).pipe(step)).toBe("1004ms (a|)", {
      a: { input: "x", result: 7, attempts: 2 },
    });
  });
});

Deno.test("processWithRetry() fails an Observable result that completes empty, without retry", () => {
  let calls = 0;
  testScheduler().run(({ cold, expectObservable }) => {
    const step = processWithRetry((_: number) => (calls++, cold<number>("--|")), exact);
    expectObservable(
      cold("(a|)", { a: 1 }).pipe(
        step,
        catchError((err: ProcessingFailure) => of(`${err.attempts} ${err.code} ${err.errorClass}`)),
      ),
    ).toBe("--(f|)", { f: "1 UNEXPECTED permanent" });
  });
  assert.equal(calls, 1);
});

Deno.test("processWithRetry() keeps input order when results arrive at different times", () => {
  testScheduler().run(({ cold, expectObservable }) => {
    const wait: Record<number, number> = { 1: 30, 2: 5, 3: 10 };
    const step = processWithRetry((n: number) => timer(wait[n]).pipe(map(() => n * 10)), exact);
    expectObservable(cold("(abc|)", { a: 1, b: 2, c: 3 }).pipe(step, map((p) => p.result)))
      .toBe("30ms a 4ms b 9ms (c|)", { a: 10, b: 20, c: 30 });
  });
});

Deno.test("processWithRetry() retries a rejected Promise on real timers", async () => {
  let calls = 0;
  const process = (n: number) =>
    ++calls < 3 ? Promise.reject(new TransientError("timed out")) : Promise.resolve(n + 1);
  const results: unknown[] = [];
  await new Promise<void>((resolve, reject) =>
    of(1).pipe(processWithRetry(process, { backoff: { baseDelay: 1, jitter: "none" } }))
      .subscribe({ next: (p) => results.push(p), error: reject, complete: resolve })
  );
  assert.deepEqual(results, [{ input: 1, result: 2, attempts: 3 }]);
});

Deno.test("processWithRetry() validates its options once, when built", () => {
  const cases: [RetryOptions, string, RegExp][] = [
    [{ count: -1 }, "RangeError", /^Cannot retry: 'count' must be a whole number >= 0 .*got -1$/],
    [{ count: Infinity }, "RangeError", /'count' must be a whole number >= 0 .*got Infinity/],
    [{ count: 1.5 }, "RangeError", /'count' .*got 1.5/],
    [{ stage: "" }, "TypeError", /'stage' must be a non-empty string/],
    [{ onRetry: 1 as unknown as () => void }, "TypeError", /'onRetry' must be a function/],
    [{ backoff: { baseDelay: -1 } }, "RangeError", /'baseDelay' must be a number >= 0, got -1/],
  ];
  for (const [options, name, message] of cases) {
    assert.throws(() => processWithRetry((n: number) => n, options), { name, message });
  }
  assert.throws(
    () => processWithRetry(undefined as unknown as (n: number) => number),
    { name: "TypeError", message: /'process' must be a function/ },
  );
});

Deno.test("processWithRetry() stops a backoff on unsubscribe: process is not called again", () => {
  const timeout = new TransientError("timed out");
  const { process, calls } = failingFirst(timeout, timeout);
  testScheduler().run(({ cold, expectObservable }) => {
    const step = processWithRetry(process, exact);
    expectObservable(cold("(a|)", { a: 1 }).pipe(step), "^ 1500ms !").toBe("");
  });
  // The first call, then the retry at 1000 ms; the one due at 3000 ms never runs.
  assert.equal(calls.count, 2);
});

Deno.test("processWithRetry() fails with what onRetry throws, counted as that attempt", () => {
  const timeout = new TransientError("timed out");
  const broken = new Error("metrics are down");
  const { process, calls } = failingFirst(timeout);
  testScheduler().run(({ cold, expectObservable }) => {
    const onRetry = () => {
      throw broken;
    };
    expectObservable(failures(
      cold("(a|)", { a: 1 }).pipe(
        processWithRetry(process, { ...exact, onRetry }),
      ),
    )).toBe("(f|)", { f: { cause: broken, attempts: 1, first: 0, last: 0, stage: "process" } });
  });
  assert.equal(calls.count, 1);
});
