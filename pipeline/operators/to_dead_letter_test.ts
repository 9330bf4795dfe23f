import assert from "node:assert/strict";
import { concatMap, from, lastValueFrom, map, of, throwError, toArray } from "rxjs";
import {
  DeadLetterWriteError,
  errorCode,
  errorMessage,
  TransientError,
  ValidationError,
} from "../errors.ts";
import type { DeadLetterSink } from "./dead_letter_sink.ts";
import { processed } from "./processed.ts";
import { processWithRetry } from "./process_with_retry.ts";
import { ProcessingFailure } from "./processing_failure.ts";
import { toDeadLetter } from "./to_dead_letter.ts";

interface Letter {
  id: string;
  code: string;
  message: string;
  attempts: number;
}

/** A sink that keeps what it acknowledged, or refuses with `refusal`. */
function memorySink(refusal?: Error): DeadLetterSink<Letter> & { letters: Letter[] } {
  const letters: Letter[] = [];
  return {
    letters,
    write(letter) {
      if (refusal) return Promise.reject(refusal);
      letters.push(letter);
      return Promise.resolve();
    },
  };
}

const letterFor = (id: string) => (err: unknown): Letter => ({
  id,
  code: errorCode(err),
  message: errorMessage(err),
  attempts: err instanceof ProcessingFailure ? err.attempts : 0,
});

// A millisecond backoff keeps these real-time tests fast; timing is covered on virtual time.
const fast = { count: 2, backoff: { baseDelay: 1, jitter: "none" } } as const;
const alwaysTimesOut = (_: string): string => {
  throw new TransientError("timed out");
};

Deno.test("toDeadLetter() writes a message that failed its last retry and emits dead-lettered", async () => {
  const sink = memorySink();
  const outcomes = await lastValueFrom(
    of("o-1").pipe(
      processWithRetry(alwaysTimesOut, fast),
      map(processed),
      toDeadLetter(sink, letterFor("o-1")),
      toArray(),
    ),
  );
  const letter = {
    id: "o-1",
    code: "PROCESSING_TIMEOUT",
    message: "process failed after 3 attempts: timed out",
    attempts: 3,
  };
  assert.deepEqual(sink.letters, [letter]);
  assert.equal(outcomes.length, 1);
  const [outcome] = outcomes;
  assert.equal(outcome.kind, "dead-lettered");
  assert.ok(outcome.kind === "dead-lettered" && outcome.error instanceof ProcessingFailure);
  assert.deepEqual(outcome.letter, letter);
});

Deno.test("toDeadLetter() lets values through without writing", async () => {
  const sink = memorySink();
  const values = await lastValueFrom(
    of(1, 2).pipe(toDeadLetter(sink, letterFor("x")), toArray()),
  );
  assert.deepEqual(values, [1, 2]);
  assert.deepEqual(sink.letters, []);
});

Deno.test("toDeadLetter() errors with DeadLetterWriteError when the sink refuses", async () => {
  const refusal = new Error("NOT_ENOUGH_REPLICAS");
  const result = lastValueFrom(
    throwError(() => new ValidationError("price", "price is negative")).pipe(
      toDeadLetter(memorySink(refusal), letterFor("o-2")),
    ),
  );
  await assert.rejects(result, (err: unknown) => {
    assert.ok(err instanceof DeadLetterWriteError);
    assert.equal(err.cause, refusal);
    assert.equal(err.errorClass, "fatal");
    assert.match(err.message, /price is negative.*NOT_ENOUGH_REPLICAS.*without committing/);
    return true;
  });
});

Deno.test("toDeadLetter() errors with DeadLetterWriteError when the letter cannot be built", async () => {
  const sink = memorySink();
  const broken = () => {
    throw new TypeError("no key");
  };
  await assert.rejects(
    lastValueFrom(throwError(() => new Error("boom")).pipe(toDeadLetter(sink, broken))),
    (err: unknown) => err instanceof DeadLetterWriteError && err.cause instanceof TypeError,
  );
  assert.deepEqual(sink.letters, []);
});

Deno.test("toDeadLetter() passes an upstream DeadLetterWriteError on, never burying it", async () => {
  const sink = memorySink();
  const stop = new DeadLetterWriteError("earlier sink refused");
  await assert.rejects(
    lastValueFrom(throwError(() => stop).pipe(toDeadLetter(sink, letterFor("x")))),
    (err: unknown) => err === stop,
  );
  assert.deepEqual(sink.letters, []);
});

Deno.test("one failing message does not end the stream: three messages, three outcomes", async () => {
  const sink = memorySink();
  const step = processWithRetry((id: string) => {
    if (id === "b") throw new TransientError("timed out");
    return id.toUpperCase();
  }, fast);
  const outcomes = await lastValueFrom(
    from(["a", "b", "c"]).pipe(
      concatMap((id) => of(id).pipe(step, map(processed), toDeadLetter(sink, letterFor(id)))),
      toArray(),
    ),
  );
  assert.deepEqual(
    outcomes.map((o) => o.kind === "processed" ? o.value.result : `${o.kind} ${o.letter.id}`),
    ["A", "dead-lettered b", "C"],
  );
  assert.deepEqual(sink.letters.map((l) => [l.id, l.attempts]), [["b", 3]]);
});

Deno.test("a refused dead letter stops the stream before later messages", async () => {
  const seen: string[] = [];
  const sink = memorySink(new Error("broker down"));
  const step = processWithRetry((id: string) => {
    seen.push(id);
    if (id === "b") throw new ValidationError("price", "price is negative");
    return id;
  }, fast);
  await assert.rejects(
    lastValueFrom(
      from(["a", "b", "c"]).pipe(
        concatMap((id) => of(id).pipe(step, map(processed), toDeadLetter(sink, letterFor(id)))),
      ),
    ),
    DeadLetterWriteError,
  );
  assert.deepEqual(seen, ["a", "b"]);
});

Deno.test("toDeadLetter() rejects a sink without write and a non-function failed", () => {
  assert.throws(
    () => toDeadLetter({} as DeadLetterSink<Letter>, letterFor("x")),
    { name: "TypeError", message: "Cannot dead-letter: 'sink' must have a 'write(letter)' method" },
  );
  assert.throws(
    () => toDeadLetter(memorySink(), "letter" as unknown as () => Letter),
    { name: "TypeError", message: /'failed' must be a function/ },
  );
});
