import assert from "node:assert/strict";
import { VirtualTimeScheduler } from "rxjs";
import { KafkaWriteError, WriteTimeoutError } from "../errors.ts";
import { createPatientWriter } from "./patient_writer.ts";

const unreachable = () => new KafkaWriteError("BROKER_UNREACHABLE", "connect ECONNREFUSED");

/** A broker that refuses writes until `up()`. */
function broker() {
  let isUp = false;
  const written: string[] = [];
  return {
    written,
    up: () => isUp = true,
    write: (what: string) => () => {
      if (!isUp) return Promise.reject(unreachable());
      written.push(what);
      return Promise.resolve(what);
    },
  };
}

// Virtual time: `advance` lets rejected writes reach their retry, then runs
// the timers due within the next `ms`.
function clock() {
  const scheduler = new VirtualTimeScheduler();
  let at = 0;
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const advance = async (ms: number) => {
    await settle();
    at += ms;
    scheduler.maxFrames = at;
    scheduler.flush();
    await settle();
  };
  return { scheduler, advance };
}

Deno.test("createPatientWriter() says since when the oldest write waits, then that none does", async () => {
  const { scheduler, advance } = clock();
  const changes: Array<number | undefined> = [];
  const writer = createPatientWriter({
    scheduler,
    backoff: { jitter: "none", baseDelay: 100, maxDelay: 100 },
    onWaitChange: (since) => changes.push(since),
  });
  const kafka = broker();
  const first = writer.run(kafka.write("a"));
  await advance(250);
  const second = writer.run(kafka.write("b"));
  await advance(0);
  assert.deepEqual(changes, [0]);
  assert.equal(writer.waitingSince(), 0);
  kafka.up();
  await advance(100);
  assert.deepEqual(await Promise.all([first, second]), ["a", "b"]);
  // Once the first is written, the second (which began to wait later) is the
  // oldest still waiting; then none is.
  assert.equal(changes.length, 3);
  assert.equal(changes[0], 0);
  assert.ok((changes[1] ?? 0) > 0);
  assert.equal(changes[2], undefined);
  assert.equal(writer.waitingSince(), undefined);
  writer.close();
});

Deno.test("createPatientWriter() rejects with WriteTimeoutError once the bound has passed", async () => {
  const { scheduler, advance } = clock();
  const changes: Array<number | undefined> = [];
  const writer = createPatientWriter({
    scheduler,
    timeoutMs: 1000,
    backoff: { jitter: "none", baseDelay: 100, maxDelay: 300 },
    onWaitChange: (since) => changes.push(since),
  });
  const kafka = broker();
  const result = writer.run(kafka.write("a")).catch((err) => err);
  for (let t = 0; t < 12; t++) await advance(100);
  const err = await result;
  assert.ok(err instanceof WriteTimeoutError, String(err));
  assert.deepEqual(changes, [0, undefined]);
  assert.deepEqual(kafka.written, []);
  writer.close();
});

Deno.test("createPatientWriter() close() ends the writes still waiting and refuses new ones", async () => {
  const { scheduler, advance } = clock();
  const writer = createPatientWriter({ scheduler });
  const kafka = broker();
  const waiting = writer.run(kafka.write("a")).catch((err) => err);
  await advance(0);
  writer.close();
  assert.match(String(await waiting), /closed while the write waited/);
  await assert.rejects(writer.run(kafka.write("b")), /the writer is closed/);
  assert.deepEqual(kafka.written, []);
});
