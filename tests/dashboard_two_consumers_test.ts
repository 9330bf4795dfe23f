// Two consumers in one group share the 3 partitions; the dashboard's global
// average, the merge of every partition's latest snapshot, is the mean of all
// valid orders.
import assert from "node:assert/strict";
import { lastValueFrom, tap } from "rxjs";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { consumeOrders } from "../pipeline/consumer/order_consumer.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { serveDashboard } from "../pipeline/cli/_serve_dashboard.ts";
import type { DashboardView } from "../pipeline/dashboard/dashboard_state.ts";
import { createKafka } from "../pipeline/kafka/client.ts";
import { produceOrders } from "../pipeline/producer/order_producer.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

Deno.test({
  name: "with two consumers in one group the dashboard's average is the mean of all valid orders",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const brokers = await testBrokers();
    const base = uniqueTopic("two");
    const topics = {
      orders: base,
      retry: `${base}-retry`,
      dlq: `${base}-dlq`,
      stats: `${base}-stats`,
    };
    const groupId = `${base}-group`;
    // The consumer and the dashboard wait for topics; the consume task would make them.
    await ensureTopics(brokers, topicSpecs(topics));
    const dashboard = serveDashboard({ brokers, port: 0, topics, groupId });
    const stop = new AbortController();
    const last: Array<ConsumerStats | undefined> = [undefined, undefined];
    const consumers = [0, 1].map((i) =>
      lastValueFrom(
        consumeOrders({
          brokers,
          topic: topics.orders,
          groupId,
          dlqTopic: topics.dlq,
          statsTopic: topics.stats,
          snapshotIntervalMs: 200,
          failRate: 0,
          fromBeginning: true,
          signal: stop.signal,
        }).pipe(tap((stats) => last[i] = stats)),
        { defaultValue: undefined },
      )
    );
    const admin = createKafka({ brokers }).admin();
    try {
      // Orders go out once both members hold partitions, so no rebalance
      // moves a partition mid-run.
      await admin.connect();
      await until("both consumers to join the group", async () => {
        const { groups: [group] } = await admin.describeGroups([groupId]);
        return group.state === "Stable" && group.members.length === 2;
      });
      const produced = await lastValueFrom(
        produceOrders({
          brokers,
          topic: topics.orders,
          count: 60,
          intervalMs: 0,
          badRate: 0.2,
          seed: 7,
        }),
      );
      assert.ok(produced.valid > 0 && produced.bad > 0);
      let view: DashboardView | undefined;
      await until("the snapshots to cover every valid order", async () => {
        view = await (await fetch(new URL("/api/state", dashboard.url))).json();
        return view?.aggregate.count === produced.valid;
      });
      const expected = produced.validSum / produced.valid;
      assert.ok(Math.abs(view!.aggregate.average! - expected) < 1e-9 * expected);
      assert.ok(last.every((stats) => (stats?.processed ?? 0) > 0), "both consumers worked");
      assert.equal(view!.stored.dlq, produced.bad);
    } finally {
      await admin.disconnect();
      stop.abort();
      await Promise.all(consumers);
      await dashboard.stop();
    }
  },
});

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
