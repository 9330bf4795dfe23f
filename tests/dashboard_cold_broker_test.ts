// The dashboard never gives up on a broker: started in the same second as a
// fresh broker it waits, then shows orders and dead letters; with the broker's
// JVM stopped it says it is waiting, and after the restart it recovers by itself.
import assert from "node:assert/strict";
import { startOwnBroker } from "./_own_broker.ts";
import { serveDashboard } from "../pipeline/cli/_serve_dashboard.ts";
import type { DashboardView } from "../pipeline/dashboard/dashboard_state.ts";
import { buildDeadLetter } from "../pipeline/dead_letter/dead_letter.ts";
import { waitForBroker } from "../pipeline/kafka/wait_for_broker.ts";
import { createTopic, writeRecords } from "./_kafka_helpers.ts";
import { orderRecord } from "./_orders.ts";
import { jvmCommand, startJvm } from "./_broker_jvm.ts";

const TOPICS = {
  orders: "orders",
  retry: "orders-retry",
  dlq: "orders-dlq",
  stats: "orders-stats",
};

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function state(url: string): Promise<DashboardView> {
  const response = await fetch(new URL("/api/state", url));
  return await response.json();
}

async function health(url: string): Promise<{ status: number; detail: string }> {
  const response = await fetch(new URL("/healthz", url));
  return { status: response.status, detail: (await response.json()).detail };
}

/** Polls the dashboard until `ready(view)`, within a generous bound for a loaded machine. */
async function seen(url: string, what: string, ready: (view: DashboardView) => boolean) {
  let last: DashboardView | undefined;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    last = await state(url);
    if (ready(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Timed out waiting for ${what}; readers: ${JSON.stringify(last?.readers)}`);
}

async function writeTraffic(brokers: string[], orderIds: string[]) {
  await writeRecords(
    brokers,
    TOPICS.orders,
    orderIds.map((id, i) => orderRecord(id, 10 + i, i % 3)),
  );
  const letters = orderIds.map((orderId) =>
    buildDeadLetter({
      record: {
        topic: TOPICS.orders,
        partition: 0,
        offset: "0",
        timestamp: String(Date.now()),
        key: new TextEncoder().encode(orderId),
        value: new Uint8Array([1, 2, 3]),
        headers: {},
      },
      error: new Error(`bad ${orderId}`),
      stage: "decode",
      attempts: 1,
      firstFailureTime: Date.now(),
      lastFailureTime: Date.now(),
      consumerGroup: "order-pipeline",
    })
  );
  await writeRecords(brokers, TOPICS.dlq, letters);
}

Deno.test({
  name:
    "the dashboard started with a cold broker waits for it, then shows orders and dead letters, and rides out a broker restart",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dashboard-cold-broker-" });
    const port = freePort();
    const brokers = [`127.0.0.1:${port}`];
    let broker: Awaited<ReturnType<typeof startOwnBroker>> | undefined;
    let restarted: Deno.ChildProcess | undefined;
    const dashboard = serveDashboard({ brokers, port: 0, topics: TOPICS });
    try {
      // The dashboard serves before the broker answers, and says it waits.
      const starting = startOwnBroker({ port, dir });
      const early = await health(dashboard.url);
      assert.equal(early.status, 503);
      broker = await starting;

      for (const topic of Object.values(TOPICS)) await createTopic(brokers, topic, 3);
      await writeTraffic(brokers, ["ORD-COLD-1", "ORD-COLD-2"]);
      await seen(
        dashboard.url,
        "the first orders and dead letters",
        (view) =>
          view.tables.orders.some((row) => row.order?.orderId === "ORD-COLD-2") &&
          view.tables.dlq.some((row) => row.key === "ORD-COLD-2"),
      );
      await seen(
        dashboard.url,
        "every reader reading",
        (view) => Object.values(view.readers).every((reader) => reader.state === "tailing"),
      );
      const healthy = await health(dashboard.url);
      assert.equal(healthy.status, 200, healthy.detail);

      // The broker's JVM goes away: the readers wait and /healthz says so.
      const jvm = await jvmCommand(broker.pid);
      await broker.stop();
      const down = await seen(
        dashboard.url,
        "the waiting state",
        (view) => Object.values(view.readers).every((reader) => reader.state === "waiting"),
      );
      assert.ok(Object.keys(down.readers).length === 4);
      const unhealthy = await health(dashboard.url);
      assert.equal(unhealthy.status, 503);
      assert.match(unhealthy.detail, /orders: waiting for the broker since \d{4}-/);

      // The same JVM command on the same data: the readers recover and new records appear.
      restarted = startJvm(jvm);
      await waitForBroker(brokers, { timeoutMs: 120_000 });
      await writeTraffic(brokers, ["ORD-WARM-1"]);
      const after = await seen(
        dashboard.url,
        "orders after the restart",
        (view) =>
          view.tables.orders.some((row) => row.order?.orderId === "ORD-WARM-1") &&
          view.tables.dlq.some((row) => row.key === "ORD-WARM-1") &&
          Object.values(view.readers).every((reader) => reader.state === "tailing"),
      );
      // Nothing was shown twice across the restart.
      const ids = after.tables.orders.map((row) => row.order?.orderId);
      assert.deepEqual(ids.toSorted(), ["ORD-COLD-1", "ORD-COLD-2", "ORD-WARM-1"]);
      assert.equal((await health(dashboard.url)).status, 200);
    } finally {
      await dashboard.stop();
      await broker?.stop();
      if (restarted) {
        restarted.kill("SIGKILL");
        await restarted.status;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
