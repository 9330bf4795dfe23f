import assert from "node:assert/strict";
import { pause, retryAsync, type RetryAsyncOptions } from "./retry_async.ts";

/** A clock that moves only when the retry sleeps; it records every sleep. */
function fakeTime(): Required<Pick<RetryAsyncOptions, "now" | "sleep">> & { slept: number[] } {
  let time = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => time,
    sleep: (ms) => {
      slept.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

/** A call that fails `failures` times with `error`, then resolves with the number of calls. */
function failing(failures: number, error: unknown = new Error("not yet")) {
  const call = () => {
    call.calls += 1;
    return call.calls <= failures ? Promise.reject(error) : Promise.resolve(call.calls);
  };
  call.calls = 0;
  return call;
}

Deno.test("retryAsync() resolves with the first success after waits of the backoff shape", async () => {
  const time = fakeTime();
  const call = failing(4);
  const result = await retryAsync(call, {
    ...time,
    backoff: { baseDelay: 250, maxDelay: 1000, jitter: "none" },
  });
  assert.equal(result, 5);
  assert.deepEqual(time.slept, [250, 500, 1000, 1000]);
});

Deno.test("retryAsync() takes the waits from a function of the retry number", async () => {
  const time = fakeTime();
  await retryAsync(failing(3), { ...time, backoff: (n) => n * 10 });
  assert.deepEqual(time.slept, [10, 20, 30]);
});

Deno.test("retryAsync() waits the same time before every retry when 'backoff' is a number", async () => {
  const time = fakeTime();
  await retryAsync(failing(3), { ...time, backoff: 250 });
  assert.deepEqual(time.slept, [250, 250, 250]);
});

Deno.test("retryAsync() throws a failure that is not retriable at once", async () => {
  const time = fakeTime();
  const fatal = new Error("refused for good");
  const call = failing(1, fatal);
  await assert.rejects(
    retryAsync(call, { ...time, isRetriable: (err) => err !== fatal }),
    (err) => err === fatal,
  );
  assert.equal(call.calls, 1);
  assert.deepEqual(time.slept, []);
});

Deno.test("retryAsync() throws the last failure once 'attempts' calls were made", async () => {
  const time = fakeTime();
  const call = failing(Infinity);
  await assert.rejects(
    retryAsync(call, { ...time, attempts: 3, backoff: { baseDelay: 5, jitter: "none" } }),
    /not yet/,
  );
  assert.equal(call.calls, 3);
  assert.deepEqual(time.slept, [5, 10]);
});

Deno.test("retryAsync() cuts the last wait to 'timeoutMs' and starts no retry after it", async () => {
  const time = fakeTime();
  const call = failing(Infinity);
  await assert.rejects(
    retryAsync(call, {
      ...time,
      timeoutMs: 1000,
      backoff: { baseDelay: 300, factor: 1, jitter: "none" },
    }),
    /not yet/,
  );
  assert.deepEqual(time.slept, [300, 300, 300, 100]);
  assert.equal(call.calls, 5);
});

Deno.test("retryAsync() tells each retriable failure with its number and wait", async () => {
  const time = fakeTime();
  const told: Array<[string, number, number]> = [];
  await retryAsync(failing(2), {
    ...time,
    backoff: { baseDelay: 100, jitter: "none" },
    onRetry: (err, n, waitMs) => told.push([(err as Error).message, n, waitMs]),
  });
  assert.deepEqual(told, [["not yet", 1, 100], ["not yet", 2, 200]]);
});

Deno.test("retryAsync() applies full jitter from the injected randomness", async () => {
  const time = fakeTime();
  await retryAsync(failing(2), { ...time, backoff: { baseDelay: 1000, random: () => 0.5 } });
  assert.deepEqual(time.slept, [500, 1000]);
});

Deno.test("retryAsync() stops waiting when the signal aborts and throws the last failure", async () => {
  const controller = new AbortController();
  const call = failing(Infinity);
  const started = Date.now();
  const retrying = retryAsync(call, {
    signal: controller.signal,
    backoff: { baseDelay: 60_000, jitter: "none" },
  });
  await pause(5);
  controller.abort();
  await assert.rejects(retrying, /not yet/);
  assert.equal(call.calls, 1);
  assert.ok(Date.now() - started < 30_000, "the 60 s wait was cut short");
});

Deno.test("retryAsync() makes one call when the signal has already aborted", async () => {
  const call = failing(Infinity);
  await assert.rejects(retryAsync(call, { signal: AbortSignal.abort() }), /not yet/);
  assert.equal(call.calls, 1);
});

Deno.test("retryAsync() rejects options out of range, naming them", async () => {
  const call = () => Promise.resolve(1);
  await assert.rejects(retryAsync(call, { attempts: 0 }), /'attempts' must be a whole number/);
  await assert.rejects(retryAsync(call, { attempts: 1.5 }), /'attempts'/);
  await assert.rejects(retryAsync(call, { timeoutMs: -1 }), /'timeoutMs' must be a number >= 0/);
  await assert.rejects(retryAsync(call, { backoff: { factor: 0.5 } }), /'factor'/);
  await assert.rejects(retryAsync(call, { backoff: -1 }), /'baseDelay'/);
});

Deno.test("pause() resolves after the time, or at once when the signal aborts", async () => {
  await pause(1);
  const controller = new AbortController();
  const waiting = pause(60_000, controller.signal);
  controller.abort();
  await waiting;
  await pause(60_000, AbortSignal.abort());
});
