// End to end in a real browser: broker, consumer and dashboard for real; the
// page produces orders, shows the average move, a dead letter appear, and
// replays it; a product that looks like markup stays text.
import assert from "node:assert/strict";
import { lastValueFrom, tap } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { consumeOrders } from "../pipeline/consumer/order_consumer.ts";
import { topicSpecs } from "../pipeline/config.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { startDashboard } from "../pipeline/dashboard/start_dashboard.ts";
import { connectProducer } from "../pipeline/kafka/kafka_producer.ts";
import { createConsumerMetrics } from "../pipeline/metrics/consumer_metrics.ts";
import { createMetricsApp } from "../pipeline/metrics/metrics_app.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { launchChromium } from "./_chromium.ts";
import { parsePrometheusText, sampleValue } from "./_prometheus_text.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const SCREENSHOT = "/tmp/order-pipeline-dashboard.png";
const XSS = "<img src=x onerror=alert(1)>";

Deno.test({
  name: "the dashboard in chromium produces, shows the average and dead letters, and replays one",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const brokers = await testBrokers();
    const base = uniqueTopic("dash");
    const topics = {
      orders: base,
      retry: `${base}-retry`,
      dlq: `${base}-dlq`,
      stats: `${base}-stats`,
    };
    const groupId = `${base}-group`;
    // The consumer and the dashboard wait for topics; the consume task would make them.
    await ensureTopics(brokers, topicSpecs(topics));
    const dashboard = await startDashboard({ brokers, port: 0, topics, groupId });

    // The flaky order fails every attempt until the fault is "fixed".
    let flakyFails = true;
    const metrics = createConsumerMetrics();
    const metricsApp = createMetricsApp({
      registry: metrics.registry,
      health: () => ({ ok: true, detail: "consuming" }),
    });
    const stop = new AbortController();
    let last: ConsumerStats | undefined;
    const consumed = lastValueFrom(
      consumeOrders({
        brokers,
        topic: topics.orders,
        groupId,
        dlqTopic: topics.dlq,
        statsTopic: topics.stats,
        snapshotIntervalMs: 200,
        failRate: 0,
        maxRetries: 1,
        backoffMs: 50,
        fromBeginning: true,
        isFaulty: (order) => flakyFails && order.orderId === "ORD-FLAKY",
        signal: stop.signal,
        onOutcome: (report) => metrics.observeOutcome(report),
        onLag: (partition, lag) => metrics.observeLag(partition, lag),
      }).pipe(tap((stats) => {
        last = stats;
        metrics.observeStats(stats);
      })),
      { defaultValue: undefined },
    );

    const browser = await launchChromium();
    const dialogs: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(dashboard.url);
      await page.locator("#connection", { hasText: "live" }).waitFor({ timeout: 30_000 });
      const text = (selector: string) => page.locator(selector).innerText();
      // Polled from here: the page's CSP forbids the eval that page-side waits use.
      const until = async (what: string, check: () => Promise<boolean>) => {
        const deadline = Date.now() + 60_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const waitFor = (selector: string, value: string) =>
        until(`${selector} to read ${value}`, async () => (await text(selector)) === value);

      // Through the form: 8 good orders, and the average appears.
      assert.equal(await text("#average"), "–");
      await page.fill("input[name=count]", "8");
      await page.fill("input[name=badRate]", "0");
      await page.click("#produce button");
      await page.locator("#message", { hasText: "Produced 8 orders" }).waitFor();
      await waitFor("#processed", "8");
      const firstAverage = await text("#average");
      assert.match(firstAverage, /^\d+\.\d{4}$/);

      // Then 4 bad ones through the form: dead letters appear.
      await page.fill("input[name=count]", "4");
      await page.fill("input[name=badRate]", "1");
      await page.click("#produce button");
      await waitFor("#dead-lettered", "4");

      // A product that looks like markup, and an order the processor keeps failing.
      const codec = createCodec<Order>(loadSchema("order"));
      const producer = await connectProducer({ brokers });
      const send = (order: Order) =>
        producer.send(topics.orders, [{
          key: order.orderId,
          value: codec.encode(order),
          headers: { "x-correlation-id": `corr-${order.orderId}` },
        }]);
      await send({ orderId: "ORD-XSS", product: XSS, price: 1 });
      await send({ orderId: "ORD-FLAKY", product: "Flaky widget", price: 99_999 });
      await producer.disconnect();
      await waitFor("#processed", "9");
      await waitFor("#dead-lettered", "5");
      assert.notEqual(await text("#average"), firstAverage, "the average moved");
      const xssCell = page.locator("#orders td", { hasText: "ORD-XSS" }).locator("xpath=..");
      assert.equal(await xssCell.locator("td").nth(3).innerText(), XSS);
      assert.equal(await page.locator("main img").count(), 0, "no element came from the data");

      // Replay the flaky order now that its fault is gone: it is processed.
      flakyFails = false;
      const flakyRow = page.locator("#dlq tbody tr", { hasText: "ORD-FLAKY" });
      assert.match(await flakyRow.innerText(), /transient/);
      assert.match(await flakyRow.innerText(), /corr-ORD-FLAKY/);
      const beforeReplay = await text("#average");
      await flakyRow.locator("button", { hasText: "Replay" }).click();
      await page.locator("#message", { hasText: "Replayed" }).waitFor();
      await waitFor("#processed", "10");
      await until("the average to move", async () => (await text("#average")) !== beforeReplay);
      assert.equal(await text("#average"), last?.aggregate.average?.toFixed(4));
      // The original and its replay, which carries x-replay-count.
      const flakyOrders = page.locator("#orders tbody tr", { hasText: "ORD-FLAKY" });
      await until("the replay on the orders table", async () => (await flakyOrders.count()) === 2);
      assert.match(
        await flakyOrders.first().locator("details").textContent() ?? "",
        /x-replay-count: 1/,
      );
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.deepEqual(dialogs, [], "no script ran from a message");

      // The consumer's /metrics counts what this test produced.
      const scraped = await metricsApp.fetch(new Request("http://consumer/metrics"));
      const samples = parsePrometheusText(await scraped.text());
      const value = (name: string, labels?: Record<string, string>) =>
        sampleValue(samples, name, labels);
      assert.equal(value("order_pipeline_messages_processed_total"), 10);
      assert.equal(value("order_pipeline_messages_dead_lettered_total", { class: "transient" }), 1);
      assert.equal(
        (value("order_pipeline_messages_dead_lettered_total", { class: "poison" }) ?? 0) +
          (value("order_pipeline_messages_dead_lettered_total", { class: "permanent" }) ?? 0),
        4,
      );
      assert.equal(value("order_pipeline_dead_letter_write_failures_total"), 0);
      assert.equal(
        value("order_pipeline_processing_duration_seconds_count", { outcome: "processed" }),
        10,
      );
      assert.equal(value("order_pipeline_running_average"), last?.aggregate.average);

      // And the dashboard's own /metrics agrees with the page.
      const own = parsePrometheusText(
        await (await fetch(new URL("/metrics", dashboard.url))).text(),
      );
      assert.equal(sampleValue(own, "order_pipeline_snapshot_orders"), 10);
      assert.equal(sampleValue(own, "order_pipeline_topic_messages", { topic: topics.dlq }), 5);
      assert.equal(sampleValue(own, "order_pipeline_dashboard_orders_produced_total"), 12);
      assert.equal(sampleValue(own, "order_pipeline_dashboard_replays_total"), 1);
    } finally {
      await browser.close();
      stop.abort();
      await consumed;
      await dashboard.stop();
    }
  },
});
