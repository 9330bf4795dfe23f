import assert from "node:assert/strict";
import { defer, lastValueFrom, of, throwError } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { KafkaWriteError, WriteTimeoutError } from "../errors.ts";
import { retryWrites } from "./retry_writes.ts";

// Errors are compared by name and code: a timeout's message holds the wait.
const testScheduler = () =>
  new TestScheduler((actual, expected) => assert.deepEqual(codes(actual), codes(expected)));

function codes(frames: unknown): unknown {
  return JSON.parse(
    JSON.stringify(
      frames,
      (_key, value) =>
        value instanceof Error
          ? { name: value.name, code: (value as { code?: string }).code }
          : value,
    ),
  );
}
const unreachable = new KafkaWriteError("BROKER_UNREACHABLE", "connect ECONNREFUSED");
const exact = { jitter: "none", baseDelay: 1000, maxDelay: 4000 } as const;

/** A write that fails with `errors` in turn on its first calls, then succeeds. */
function failingFirst(...errors: unknown[]) {
  const calls = { count: 0 };
  const write$ = defer(() => {
    const err = errors[calls.count++];
    return err === undefined ? of("written") : throwError(() => err);
  });
  return { write$, calls };
}

Deno.test("retryWrites() retries an unreachable broker after 1 s, 2 s, 4 s, 4 s: written at 11 s", () => {
  const scheduler = testScheduler();
  const { write$, calls } = failingFirst(unreachable, unreachable, unreachable, unreachable);
  scheduler.run(({ expectObservable }) => {
    const out$ = write$.pipe(retryWrites({ backoff: exact, scheduler }));
    expectObservable(out$).toBe(`11s (a|)`, { a: "written" });
  });
  assert.equal(calls.count, 5);
});

Deno.test("retryWrites() tells when the wait began and once when it is over", () => {
  const scheduler = testScheduler();
  const { write$, calls } = failingFirst(unreachable, unreachable);
  const waits: number[] = [];
  let over = 0;
  scheduler.run(({ expectObservable }) => {
    const out$ = write$.pipe(
      retryWrites({
        backoff: exact,
        scheduler,
        onWaiting: (since) => waits.push(since),
        onWaitOver: () => over++,
      }),
    );
    expectObservable(out$).toBe(`3s (a|)`, { a: "written" });
  });
  assert.equal(calls.count, 3);
  assert.deepEqual(waits, [0]);
  assert.equal(over, 1);
});

Deno.test("retryWrites() stops at the bound with WriteTimeoutError, the last wait cut to fit", () => {
  const scheduler = testScheduler();
  const { write$, calls } = failingFirst(...Array(100).fill(unreachable));
  scheduler.run(({ expectObservable }) => {
    // Waits of 1, 2, 4, 4 s reach 11 s; the next is cut to 1 s, so the last
    // try is at 12 s, when the bound of 12 s has passed.
    const out$ = write$.pipe(retryWrites({ backoff: exact, timeoutMs: 12_000, scheduler }));
    expectObservable(out$).toBe(`12s #`, undefined, timeoutError());
  });
  assert.equal(calls.count, 6);
});

Deno.test("retryWrites() passes a non-retriable error at once, without waiting", () => {
  const scheduler = testScheduler();
  const tooLarge = new KafkaWriteError("RECORD_TOO_LARGE", "record too large");
  const { write$, calls } = failingFirst(tooLarge);
  let waited = false;
  scheduler.run(({ expectObservable }) => {
    const out$ = write$.pipe(
      retryWrites({ backoff: exact, scheduler, onWaiting: () => waited = true }),
    );
    expectObservable(out$).toBe("#", undefined, tooLarge);
  });
  assert.equal(calls.count, 1);
  assert.equal(waited, false);
});

Deno.test("retryWrites() stops waiting for an error that turns non-retriable", () => {
  const scheduler = testScheduler();
  const refused = new KafkaWriteError("WRITE_NOT_AUTHORIZED", "not authorized");
  const { write$, calls } = failingFirst(unreachable, refused);
  scheduler.run(({ expectObservable }) => {
    const out$ = write$.pipe(retryWrites({ backoff: exact, scheduler }));
    expectObservable(out$).toBe(`1s #`, undefined, refused);
  });
  assert.equal(calls.count, 2);
});

Deno.test("retryWrites() with a bound of 0 gives up at the first retriable failure", () => {
  const scheduler = testScheduler();
  const { write$ } = failingFirst(unreachable);
  scheduler.run(({ expectObservable }) => {
    const out$ = write$.pipe(retryWrites({ timeoutMs: 0, scheduler }));
    expectObservable(out$).toBe("#", undefined, timeoutError());
  });
});

Deno.test("retryWrites() rejects a bound that is not a finite number >= 0", () => {
  assert.throws(() => retryWrites({ timeoutMs: -1 }), /'timeoutMs' must be a finite number >= 0/);
  assert.throws(() => retryWrites({ timeoutMs: Infinity }), /'timeoutMs'/);
  assert.throws(() => retryWrites({ backoff: { factor: 0.5 } }), /'factor' must be a number >= 1/);
});

// The marble's error stands for any WriteTimeoutError (compared by name and code).
function timeoutError(): WriteTimeoutError {
  return new WriteTimeoutError("any");
}

Deno.test("retryWrites() names the wait and the last error when it gives up", async () => {
  const { write$ } = failingFirst(unreachable);
  await assert.rejects(
    lastValueFrom(write$.pipe(retryWrites({ timeoutMs: 0 }))),
    (err) => {
      assert.ok(err instanceof WriteTimeoutError);
      assert.equal(err.code, "WRITE_TIMEOUT");
      assert.equal(err.cause, unreachable);
      assert.match(err.message, /waiting 0 s for the broker .*: connect ECONNREFUSED/);
      return true;
    },
  );
});
