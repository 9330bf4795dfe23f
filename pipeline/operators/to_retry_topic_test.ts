import assert from "node:assert/strict";
import { concatMap, from, lastValueFrom, map, of, toArray } from "rxjs";
import { DeadLetterWriteError, KafkaWriteError, TransientError } from "../errors.ts";
import { processed } from "./processed.ts";
import { toDeadLetter } from "./to_dead_letter.ts";
import { toRetryTopic } from "./to_retry_topic.ts";

const fail = (n: number) => {
  if (n < 0) throw new TransientError(`busy ${n}`);
  return n;
};

Deno.test("toRetryTopic() schedules what route accepts and passes the rest to toDeadLetter", async () => {
  const later: number[] = [];
  const dead: number[] = [];
  const outcomes = await lastValueFrom(
    from([1, -1, -2, 2]).pipe(
      concatMap((n) =>
        of(n).pipe(
          map(fail),
          map(processed),
          toRetryTopic({ write: (l: number) => (later.push(l), Promise.resolve()) }, () =>
            n === -1 ? n : undefined),
          toDeadLetter({ write: (l: number) => (dead.push(l), Promise.resolve()) }, () =>
            n),
        )
      ),
      toArray(),
    ),
  );
  assert.deepEqual(outcomes.map((o) => o.kind), [
    "processed",
    "retry-scheduled",
    "dead-lettered",
    "processed",
  ]);
  assert.deepEqual([later, dead], [[-1], [-2]]);
});

Deno.test("toRetryTopic() stops the stream with DeadLetterWriteError when the write fails", async () => {
  const written: number[] = [];
  const run = lastValueFrom(
    from([-1, 3]).pipe(
      concatMap((n) =>
        of(n).pipe(
          map(fail),
          map(processed),
          toRetryTopic({ write: () => Promise.reject(new Error("broker down")) }, () => n),
          toDeadLetter({ write: (l: number) => (written.push(l), Promise.resolve()) }, () => n),
        )
      ),
      toArray(),
    ),
  );
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof DeadLetterWriteError);
    assert.match(err.message, /retry topic \(busy -1\): broker down/);
    return true;
  });
  assert.deepEqual(written, [], "a failed retry write must not fall back to the dead-letter topic");
});

Deno.test("toRetryTopic() sends a letter the sink refuses as too large on to toDeadLetter, and tells why", async () => {
  const refusals: unknown[] = [];
  const dead: Array<[number, string]> = [];
  const tooLarge = new KafkaWriteError("RECORD_TOO_LARGE", "the record is too large");
  const outcomes = await lastValueFrom(
    from([-1, 3]).pipe(
      concatMap((n) =>
        of(n).pipe(
          map(fail),
          map(processed),
          toRetryTopic(
            { write: () => Promise.reject(tooLarge) },
            () => n,
            (refusal) => refusals.push(refusal),
          ),
          toDeadLetter(
            { write: (l: [number, string]) => (dead.push(l), Promise.resolve()) },
            (err) => [n, String(err)],
          ),
        )
      ),
      toArray(),
    ),
  );
  assert.deepEqual(outcomes.map((o) => o.kind), ["dead-lettered", "processed"]);
  assert.deepEqual(dead, [[-1, "TransientError: busy -1"]], "the letter names the first error");
  assert.deepEqual(refusals, [tooLarge]);
});

Deno.test("toRetryTopic() treats a throwing route as a failed write", async () => {
  const run = lastValueFrom(
    of(-1).pipe(
      map(fail),
      toRetryTopic({ write: () => Promise.resolve() }, () => {
        throw new Error("no headers");
      }),
    ),
  );
  await assert.rejects(run, DeadLetterWriteError);
});

Deno.test("toRetryTopic() rejects a sink without write", () => {
  assert.throws(() => toRetryTopic({} as never, () => undefined), TypeError);
});
