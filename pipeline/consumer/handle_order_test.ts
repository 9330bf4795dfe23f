import assert from "node:assert/strict";
import { isObservable, type Observable } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { TransientError } from "../errors.ts";
import type { Delivery } from "../kafka/kafka_record.ts";
import type { Order } from "../orders/order.ts";
import { validateOrder } from "../orders/validate_order.ts";
import { createOrderHandler } from "./handle_order.ts";
import type { Settled } from "./settled.ts";
import { orderCodec, testDeliveries } from "./_test_deliveries.ts";

const order: Order = { orderId: "ORD-1", product: "Desk", price: 10 };

// A handler whose processor fails the first `failures` calls.
function handlerFailing(failures: number, retryTopic?: string) {
  let calls = 0;
  return createOrderHandler({
    decoder: orderCodec,
    validate: validateOrder,
    process: (o) => {
      if (calls++ < failures) throw new TransientError(`${o.orderId} timed out`);
      return o;
    },
    retry: { count: 3, backoff: { baseDelay: 1000, jitter: "none" } },
    routes: {
      deadLetters: { write: () => Promise.resolve() },
      maxRetryRounds: 0,
      retryDelayMs: 0,
      groupId: "g",
    },
    retryTopic,
  });
}

// The delivery of one order whose bytes are a view into a larger buffer, as
// kafkajs hands out views into the fetch response.
function deliveryInFetch(topic = "orders") {
  const made = testDeliveries([{ partition: 0, key: "k", order }], topic);
  const { record } = made.deliveries[0];
  const fetch = new Uint8Array(4096);
  fetch.set(record.value!, 100);
  const value = fetch.subarray(100, 100 + record.value!.length);
  const delivery: Delivery = { ...made.deliveries[0], record: { ...record, value } };
  return { delivery, fetch, settles: made.settles };
}

Deno.test("createOrderHandler() settles a first-try success with its own delivery", () => {
  const { delivery } = deliveryInFetch();
  const settled = handlerFailing(0)(delivery);
  assert.ok(!isObservable(settled));
  assert.equal(settled.delivery, delivery);
});

Deno.test("createOrderHandler() keeps a record held for retries out of its fetch response, and settles it once", () => {
  const { delivery, fetch, settles } = deliveryInFetch();
  const outcomes: Settled[] = [];
  new TestScheduler(assert.deepEqual).run(({ flush }) => {
    const settled = handlerFailing(1)(delivery);
    assert.ok(isObservable(settled));
    (settled as Observable<Settled>).subscribe((s) => outcomes.push(s));
    flush();
  });
  assert.equal(outcomes.length, 1);
  const [{ outcome, delivery: held }] = outcomes;
  assert.equal(outcome.kind, "processed");
  assert.notEqual(held.record.value!.buffer, fetch.buffer);
  assert.deepEqual(held.record.value, delivery.record.value!.slice());
  assert.deepEqual(held.record.key, delivery.record.key);
  assert.equal(held.record.offset, delivery.record.offset);
  held.settle();
  assert.equal(settles.get("0/0"), 1);
  assert.equal(held.ledger, delivery.ledger);
});

Deno.test("createOrderHandler() keeps a retry record held for retries out of its fetch response, its original too", () => {
  const { delivery, fetch } = deliveryInFetch("orders-retry");
  const outcomes: Settled[] = [];
  new TestScheduler(assert.deepEqual).run(({ flush }) => {
    const settled = handlerFailing(1, "orders-retry")(delivery);
    assert.ok(isObservable(settled));
    (settled as Observable<Settled>).subscribe((s) => outcomes.push(s));
    flush();
  });
  assert.equal(outcomes.length, 1);
  const [{ outcome, context }] = outcomes;
  assert.equal(outcome.kind, "processed");
  assert.ok(context, "a retry record's outcome carries its retry context");
  assert.notEqual(context.original.value!.buffer, fetch.buffer);
  assert.deepEqual(context.original.value, delivery.record.value!.slice());
});

Deno.test("createOrderHandler() hands over a record whose partition is revoked while it waits: no route, no count", () => {
  const letters: unknown[] = [];
  const handle = createOrderHandler({
    decoder: orderCodec,
    validate: validateOrder,
    process: (o) => {
      throw new TransientError(`${o.orderId} timed out`);
    },
    retry: { count: 2, backoff: { baseDelay: 1000, jitter: "none" } },
    routes: {
      deadLetters: {
        write: (letter) => {
          letters.push(letter);
          return Promise.resolve();
        },
      },
      maxRetryRounds: 0,
      retryDelayMs: 0,
      groupId: "g",
    },
  });
  const { deliveries, ledgers } = testDeliveries([
    { partition: 0, key: "k", order },
    { partition: 0, key: "k", order: { ...order, orderId: "ORD-2" } },
  ]);
  const outcomes: Settled[] = [];
  new TestScheduler(assert.deepEqual).run(({ flush }) => {
    const waiting = handle(deliveries[0]);
    assert.ok(isObservable(waiting));
    (waiting as Observable<Settled>).subscribe((s) => outcomes.push(s));
    ledgers.get(0)!.revoke();
    flush();
  });
  // The record behind it in its key is handed over without being processed.
  const queued = handle(deliveries[1]);
  assert.ok(!isObservable(queued));
  assert.deepEqual([...outcomes, queued].map((s) => s.outcome.kind), [
    "handed-over",
    "handed-over",
  ]);
  assert.deepEqual(letters, []);
});
