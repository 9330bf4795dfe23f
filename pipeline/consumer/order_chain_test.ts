import assert from "node:assert/strict";
import { from, lastValueFrom, type Observable } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { TransientError } from "../errors.ts";
import type { Order } from "../orders/order.ts";
import { validateOrder } from "../orders/validate_order.ts";
import { createRandom } from "../orders/random.ts";
import type { ConsumerStats } from "./consumer_stats.ts";
import { createOrderHandler } from "./handle_order.ts";
import { orderChain } from "./order_chain.ts";
import type { Ordering } from "./ordering.ts";
import type { OutcomeReport } from "./outcome_report.ts";
import { orderCodec, testDeliveries, type TestRecord } from "./_test_deliveries.ts";

const order = (orderId: string, price = 10): Order => ({ orderId, product: "Desk", price });

// A chain whose processor fails each order as often as `failures` says, with
// backoff on the test scheduler's virtual time.
function chainOf(
  ordering: Ordering,
  failures: (orderId: string) => number,
  onOutcome: (report: OutcomeReport) => void,
  jitter: "none" | "full" = "none",
) {
  const failed = new Map<string, number>();
  const handle = createOrderHandler({
    decoder: orderCodec,
    validate: validateOrder,
    process: (o) => {
      const count = failed.get(o.orderId) ?? 0;
      if (count < failures(o.orderId)) {
        failed.set(o.orderId, count + 1);
        throw new TransientError(`${o.orderId} timed out`);
      }
      return o;
    },
    retry: { count: 3, backoff: { baseDelay: 1000, jitter } },
    routes: {
      deadLetters: { write: () => Promise.resolve() },
      maxRetryRounds: 0,
      retryDelayMs: 0,
      groupId: "g",
    },
  });
  return orderChain({ ordering, handle, onOutcome });
}

function run(
  ordering: Ordering,
  records: TestRecord[],
  failures: (orderId: string) => number,
): { reports: OutcomeReport[]; frames: Map<string, number>; stats: ConsumerStats | undefined } {
  const reports: OutcomeReport[] = [];
  const frames = new Map<string, number>();
  let stats: ConsumerStats | undefined;
  const scheduler = new TestScheduler(assert.deepEqual);
  scheduler.run(() => {
    const { deliveries } = testDeliveries(records);
    const chain = chainOf(ordering, failures, (report) => {
      reports.push(report);
      frames.set(report.orderId!, scheduler.now());
    });
    (from(deliveries).pipe(chain) as Observable<ConsumerStats>).subscribe((s) => stats = s);
  });
  return { reports, frames, stats };
}

// Partition 0 holds A1 B1 A2 B2; A1 fails once and waits 1 s.
const twoKeys: TestRecord[] = [
  { partition: 0, key: "A", order: order("A1") },
  { partition: 0, key: "B", order: order("B1") },
  { partition: 0, key: "A", order: order("A2") },
  { partition: 0, key: "B", order: order("B2") },
];
const a1FailsOnce = (id: string) => id === "A1" ? 1 : 0;

Deno.test("key ordering: a key in backoff holds back only its own later records", () => {
  const { reports, frames } = run("key", twoKeys, a1FailsOnce);
  assert.deepEqual(reports.map((r) => r.orderId), ["B1", "B2", "A1", "A2"]);
  assert.deepEqual(Object.fromEntries(frames), { B1: 0, B2: 0, A1: 1000, A2: 1000 });
});

Deno.test("key ordering: one key's records keep offset order", () => {
  const records = ["A1", "A2", "A3", "A4"].map((id) => ({
    partition: 0,
    key: "A",
    order: order(id),
  }));
  const { reports } = run("key", records, (id) => (id === "A1" ? 2 : id === "A3" ? 1 : 0));
  assert.deepEqual(reports.map((r) => r.orderId), ["A1", "A2", "A3", "A4"]);
});

Deno.test("partition ordering behaves as before: a record in backoff holds back its whole partition", () => {
  const { reports, frames } = run("partition", [
    ...twoKeys,
    { partition: 1, key: "C", order: order("C1") },
  ], a1FailsOnce);
  assert.deepEqual(reports.map((r) => r.orderId), ["C1", "A1", "B1", "A2", "B2"]);
  assert.deepEqual(Object.fromEntries(frames), { C1: 0, A1: 1000, B1: 1000, A2: 1000, B2: 1000 });
});

Deno.test("keyless records wait for nothing in key ordering", () => {
  const { reports } = run("key", [
    { partition: 0, key: null, order: order("N1") },
    { partition: 0, key: null, order: order("N2") },
  ], (id) => (id === "N1" ? 1 : 0));
  assert.deepEqual(reports.map((r) => r.orderId), ["N2", "N1"]);
});

Deno.test("a failed record is reported by its order once it validated, and without one when it did not", async () => {
  const reports: OutcomeReport[] = [];
  const handle = createOrderHandler({
    decoder: orderCodec,
    validate: validateOrder,
    process: (o) => {
      if (o.orderId === "A1") throw new TransientError("A1 timed out");
      return o;
    },
    retry: { count: 1, backoff: { baseDelay: 1 } },
    routes: {
      deadLetters: { write: () => Promise.resolve() },
      maxRetryRounds: 0,
      retryDelayMs: 0,
      groupId: "g",
    },
  });
  const { deliveries } = testDeliveries([
    { partition: 0, key: "A", order: order("A1", 12.5) },
    { partition: 0, key: "P", bytes: new Uint8Array([0xff]) },
    { partition: 0, key: "I", order: order("I1", -3) },
    { partition: 0, key: "B", order: order("B1", 7) },
  ]);
  await lastValueFrom(
    from(deliveries).pipe(
      orderChain({ ordering: "key", handle, onOutcome: (r) => reports.push(r) }),
    ),
  );
  const byOffset = Object.fromEntries(
    reports.map(({ offset, outcome, orderId, price, errorClass }) => [
      offset,
      { outcome, orderId, price, errorClass },
    ]),
  );
  assert.deepEqual(byOffset, {
    0: { outcome: "dead-lettered", orderId: "A1", price: 12.5, errorClass: "transient" },
    1: { outcome: "dead-lettered", orderId: null, price: null, errorClass: "poison" },
    2: { outcome: "dead-lettered", orderId: null, price: null, errorClass: "permanent" },
    3: { outcome: "processed", orderId: "B1", price: 7, errorClass: null },
  });
});

Deno.test("the committed position never passes a record in backoff", () => {
  const scheduler = new TestScheduler(assert.deepEqual);
  scheduler.run(({ flush }) => {
    const { deliveries, ledgers } = testDeliveries(twoKeys);
    from(deliveries).pipe(chainOf("key", a1FailsOnce, () => {})).subscribe();
    // B1 and B2 are settled, A1 (offset 0) is in backoff: nothing is committable yet.
    assert.equal(ledgers.get(0)!.nextOffset, 0);
    assert.deepEqual(ledgers.get(0)!.settledBeyond(), [1, 3]);
    flush();
    assert.equal(ledgers.get(0)!.nextOffset, 4);
  });
});

Deno.test("property: per key, outcomes follow offset order and every record gets exactly one", () => {
  const random = createRandom(9);
  for (let round = 0; round < 5; round++) {
    const records: TestRecord[] = [];
    const failures = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const key = `K${Math.floor(random() * 300)}`;
      const id = `O${i}`;
      // About one record in ten fails transiently, up to three times.
      failures.set(id, random() < 0.1 ? 1 + Math.floor(random() * 3) : 0);
      records.push({ partition: Math.floor(random() * 3), key, order: order(id) });
    }
    const keyOf = new Map(records.map((r) => [r.order!.orderId, `${r.partition}/${r.key}`]));
    const reports: OutcomeReport[] = [];
    let settles = new Map<string, number>();
    const scheduler = new TestScheduler(assert.deepEqual);
    scheduler.run(() => {
      const made = testDeliveries(records);
      settles = made.settles;
      // Full jitter: each retry waits a random time up to 1 s, 2 s, 4 s.
      const chain = chainOf("key", (id) => failures.get(id)!, (r) => reports.push(r), "full");
      from(made.deliveries).pipe(chain).subscribe();
    });
    assert.equal(reports.length, records.length, "one outcome per record");
    assert.ok([...settles.values()].every((n) => n === 1), "each record settled exactly once");
    assert.ok(reports.every((r) => r.outcome === "processed"));
    const lastOffset = new Map<string, number>();
    for (const report of reports) {
      const key = keyOf.get(report.orderId!)!;
      const offset = Number(report.offset);
      assert.ok(
        (lastOffset.get(key) ?? -1) < offset,
        `key ${key}: offset ${offset} after ${lastOffset.get(key)}`,
      );
      lastOffset.set(key, offset);
    }
    // Records of other keys passed those in backoff: outcomes are not in offset order overall.
    assert.notDeepEqual(reports.map((r) => r.orderId), records.map((r) => r.order!.orderId));
  }
});
