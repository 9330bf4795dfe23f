// The library's consumer without a stats topic commits with the group's own
// commit. A commit that fails while the broker is down is told to
// onCommitError, not dropped, and is sent again once the broker is back.
// kafkajs resolves a commit made while its consumer restarts without sending
// it: counted as done, the position it carried was never committed at all.
// The broker is this test's own, stopped and started again on the same data.
import assert from "node:assert/strict";
import { lastValueFrom } from "rxjs";
import { type RunningBroker } from "../pipeline/broker/embedded_broker.ts";
import { startOwnBroker } from "./_own_broker.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { consumeOrders } from "../pipeline/consumer/order_consumer.ts";
import { committedOffsets, ensureTopics } from "../pipeline/kafka/topics.ts";
import { writeRecords } from "./_kafka_helpers.ts";
import { orderRecord, until } from "./_orders.ts";

const ORDERS = 50;
const HELD = `ORD-${ORDERS - 1}`;

Deno.test("a commit that fails while the broker is down is told to onCommitError and sent again after it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "commit-error-" });
  let broker: RunningBroker = await startOwnBroker({ dir });
  const brokers = [broker.brokers];
  const topics = { orders: "commit-error-orders", dlq: "commit-error-dlq" };
  const groupId = "commit-error-group";
  const stop = new AbortController();
  let done: Promise<unknown> | undefined;
  try {
    await ensureTopics(brokers, topicSpecs({ orders: topics.orders, dlq: topics.dlq }));
    await writeRecords(
      brokers,
      topics.orders,
      Array.from({ length: ORDERS }, (_, i) => orderRecord(`ORD-${i}`, 10, 0)),
    );
    const errors: unknown[] = [];
    let processed = 0;
    // The last order fails until the broker is down, so it settles, and its
    // partition's position moves, only when no commit can land.
    let brokerDown = false;
    const committedTo = (offset: number, what: string) =>
      until(
        async () =>
          (await committedOffsets(brokers, groupId, topics.orders)).get(0) === BigInt(offset),
        what,
        90_000,
        200,
      );
    done = lastValueFrom(
      consumeOrders({
        brokers,
        topic: topics.orders,
        groupId,
        dlqTopic: topics.dlq,
        fromBeginning: true,
        failRate: 0,
        isFaulty: (order) => order.orderId === HELD && !brokerDown,
        backoffMs: 200,
        maxBackoffMs: 200,
        maxRetries: 1000,
        signal: stop.signal,
        onCommitError: (error) => errors.push(error),
        onOutcome: (report) => {
          if (report.outcome === "processed") processed++;
        },
      }),
      { defaultValue: undefined },
    );
    await until(() => processed === ORDERS - 1, `${ORDERS - 1} orders processed`, 60_000);
    await committedTo(ORDERS - 1, "the commit before the held order");

    await broker.stop();
    brokerDown = true;
    await until(() => processed === ORDERS, "the held order processed", 10_000);
    await until(() => errors.length > 0, "a failed commit told to onCommitError", 90_000);
    assert.ok(errors[0] instanceof Error, String(errors[0]));

    broker = await startOwnBroker({ dir, port: broker.port });
    await committedTo(ORDERS, "the commit after the outage");
  } finally {
    stop.abort();
    await done?.catch(() => {});
    await broker.stop();
  }
});
