// End to end in a real browser: broker, consumer and dashboard for real. The
// page produces orders and shows the average move and dead letters; the
// operator filters the DLQ, picks letters, reads the dry run and replays them;
// the detail panel stays open under live updates; the topic browser pages
// through a partition; a stopped consumer shows as stopped; markup in a
// message stays text. Screenshots at three sizes go to SCREENSHOT_DIR.
import assert from "node:assert/strict";
import { lastValueFrom, tap } from "rxjs";
import { createCodec } from "../pipeline/avro/avro_codec.ts";
import { loadSchema } from "../pipeline/avro/load_schema.ts";
import { topicSpecs } from "../pipeline/config.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { consumeOrders } from "../pipeline/consumer/order_consumer.ts";
import { serveDashboard } from "../pipeline/cli/_serve_dashboard.ts";
import { createProducer } from "../pipeline/kafka/kafka_producer.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { createConsumerMetrics } from "../pipeline/metrics/consumer_metrics.ts";
import { createMetricsApp } from "../pipeline/metrics/metrics_app.ts";
import type { Order } from "../pipeline/orders/order.ts";
import { launchChromium } from "./_chromium.ts";
import { parsePrometheusText, sampleValue } from "./_prometheus_text.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

const SCREENSHOT_DIR = Deno.env.get("SCREENSHOT_DIR") ?? "/tmp/order-pipeline-dashboard";
const XSS = "<img src=x onerror=alert(1)>";

async function post(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(new URL(path, base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

Deno.test({
  name:
    "the dashboard in chromium: produce, triage and replay dead letters, details, browser, health",
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
    const dashboard = serveDashboard({
      brokers,
      port: 0,
      topics,
      groupId,
      groupIntervalMs: 500,
      staleAfterMs: 5000,
    });
    await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });

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
        isFaulty: (order) => flakyFails && order.orderId.startsWith("ORD-FLAKY"),
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
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(dashboard.url);
      await page.locator("#connection", { hasText: "connected" }).waitFor({ timeout: 30_000 });
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
      await page.locator("#health.live").waitFor({ timeout: 60_000 });

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

      // A product that looks like markup, an invalid price, and two orders the processor keeps failing.
      const codec = createCodec<Order>(loadSchema("order"));
      const producer = createProducer({ brokers });
      const send = (order: Order) =>
        producer.send(topics.orders, [{
          key: order.orderId,
          value: codec.encode(order),
          headers: { "x-correlation-id": `corr-${order.orderId}`, [XSS]: XSS },
        }]);
      await send({ orderId: "ORD-XSS", product: XSS, price: 1 });
      await send({ orderId: "ORD-HUGE", product: "Yacht", price: 1e9 });
      await send({ orderId: "ORD-FLAKY-1", product: "Flaky widget", price: 99_999 });
      await send({ orderId: "ORD-FLAKY-2", product: "Flaky gadget", price: 88_888 });
      await producer.disconnect();
      await waitFor("#processed", "9");
      await waitFor("#dead-lettered", "7");
      assert.notEqual(await text("#average"), firstAverage, "the average moved");
      const xssRow = page.locator("#orders tbody tr", { hasText: "ORD-XSS" });
      assert.equal(await xssRow.locator("td").nth(3).innerText(), XSS);
      assert.equal(await page.locator("main img, aside img").count(), 0, "no element from data");
      // The invalid order is marked in the orders table.
      const huge = page.locator("#orders tbody tr", { hasText: "ORD-HUGE" });
      assert.equal(await huge.locator(".badge").innerText(), "invalid");
      assert.match(await huge.getAttribute("class") ?? "", /invalid/);

      // Triage: filter the transient letters, pick both, read the dry run, replay.
      flakyFails = false;
      await page.selectOption("#dlq-filter select[name=errorClass]", "transient");
      const dlqRows = page.locator("#dlq tbody tr");
      await until("two transient letters", async () => (await dlqRows.count()) === 2);
      for (const row of await dlqRows.all()) assert.match(await row.innerText(), /transient/);
      await page.fill("#dlq-filter input[name=text]", "flaky");
      assert.equal(await dlqRows.count(), 2);
      await dlqRows.nth(0).locator("input[type=checkbox]").check();
      await dlqRows.nth(1).locator("input[type=checkbox]").check();
      assert.equal(await text("#selection"), "2 selected");
      await page.click("#replay-selected");
      const confirmRows = page.locator("#confirm-table tbody tr");
      await page.locator("#confirm-summary", { hasText: "Dry run: would send 2" }).waitFor();
      assert.match(
        await text("#confirm-summary"),
        new RegExp(`Target topic: ${topics.orders} \\(for group ${groupId}\\)\\.`),
      );
      assert.equal(await confirmRows.count(), 2);
      const listed = (await confirmRows.allInnerTexts()).join("\n");
      assert.match(listed, /ORD-FLAKY-1/);
      assert.match(listed, /ORD-FLAKY-2/);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/confirm-1280x900.png` });
      const beforeReplay = await text("#average");
      await page.click("#confirm-go");
      await page.locator("#replay-result", { hasText: "Replay done: sent 2, parked 0, skipped 0" })
        .waitFor({ timeout: 60_000 });
      assert.equal(await page.locator("#replay-bar").getAttribute("value"), "2");
      await waitFor("#processed", "11");
      await until("the average to move", async () => (await text("#average")) !== beforeReplay);
      assert.equal(await text("#average"), last?.aggregate.average?.toFixed(4));

      // "All matching" asks the server for every letter on the topic the filter matches.
      await page.selectOption("#dlq-filter select[name=errorClass]", "");
      await page.fill("#dlq-filter input[name=text]", "ord-huge");
      await page.click("#select-matching");
      assert.equal(await text("#replay-selected"), "Replay all matching…");
      await page.click("#replay-selected");
      await page.locator("#confirm-summary", { hasText: "Dry run: would send 1, park 0" })
        .waitFor();
      assert.match(await text("#confirm-table"), /ORD-HUGE/);
      await page.click("#confirm-cancel");
      await page.click("#select-none");

      // The detail panel of a dead letter stays open while live updates arrive.
      await page.selectOption("#dlq-filter select[name=errorClass]", "");
      await page.fill("#dlq-filter input[name=text]", "");
      await page.locator("#dlq tbody tr", { hasText: "ORD-FLAKY-1" }).click();
      await page.locator("#detail-body dt", { hasText: "error class" }).waitFor();
      const title = await text("#detail-title");
      assert.match(await text("#detail-body"), /transient/);
      assert.match(await text("#detail-body"), /x-correlation-id/);
      // Live updates while it is open: orders from another producer.
      await post(dashboard.url, "/api/produce", { count: 3, badRate: 0 });
      await waitFor("#processed", "14");
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.equal(await page.locator("#detail").isVisible(), true, "the panel is still open");
      assert.equal(await text("#detail-title"), title);
      assert.equal(await page.locator("#dlq tbody tr.open").count(), 1, "its row is still marked");
      await page.screenshot({ path: `${SCREENSHOT_DIR}/detail-1280x900.png` });
      await page.click("#detail-close");

      // The topic browser pages through partition 0 of the orders topic, 10 records a page.
      await post(dashboard.url, "/api/produce", { count: 45, badRate: 0 });
      await waitFor("#processed", "59");
      await page.selectOption("#browse select[name=topic]", topics.orders);
      await page.fill("#browse input[name=partition]", "0");
      await page.fill("#browse input[name=offset]", "0");
      await page.selectOption("#browse select[name=count]", "10");
      await page.click("#browse button[type=submit]");
      const browseRows = page.locator("#browse-table tbody tr");
      await page.locator("#browse-info", { hasText: "partition 0: offsets 0 to" }).waitFor();
      const firstPage = await browseRows.count();
      assert.ok(firstPage >= 1 && firstPage <= 10, `first page has ${firstPage} rows`);
      assert.equal(await browseRows.nth(0).locator("td").nth(0).innerText(), "0");
      assert.equal(firstPage, 10, "partition 0 holds more than a page");
      await page.click("#browse-next");
      await page.locator("#browse-info", { hasText: "partition 0: offsets 10 to" }).waitFor();
      assert.equal(await browseRows.nth(0).locator("td").nth(0).innerText(), "10");
      await page.click("#browse-prev");
      await page.locator("#browse-info", { hasText: "partition 0: offsets 0 to 9 " }).waitFor();
      assert.equal(await page.locator("#browse-prev").isDisabled(), true);
      // Jumping to a time starts at the first record at or after it.
      await page.click("#browse-next");
      await page.locator("#browse-info", { hasText: "partition 0: offsets 10 to" }).waitFor();
      await page.fill("#browse input[name=time]", "2001-01-01T00:00:00");
      await page.click("#browse button[type=submit]");
      await page.locator("#browse-info", { hasText: "partition 0: offsets 0 to 9 " }).waitFor();
      await page.fill("#browse input[name=time]", "");
      // Hex view, and a record's detail from the browser.
      await page.selectOption("#browse select[name=view]", "hex");
      await browseRows.nth(0).click();
      await page.locator("#detail pre.hex").waitFor();
      assert.match(await text("#detail pre.hex"), /^00000000 {2}[0-9a-f]{2} /);
      await page.click("#detail-close");

      for (const [width, height] of [[1280, 900], [1920, 1080], [390, 844]]) {
        await page.setViewportSize({ width, height });
        await page.mouse.wheel(0, -100_000);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-${width}x${height}.png` });
        await page.screenshot({
          path: `${SCREENSHOT_DIR}/dashboard-${width}x${height}-full.png`,
          fullPage: true,
        });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      assert.deepEqual(dialogs, [], "no script ran from a message");

      // The consumer's /metrics counts what this test produced.
      const scraped = await metricsApp.fetch(new Request("http://consumer/metrics"));
      const samples = parsePrometheusText(await scraped.text());
      const value = (name: string, labels?: Record<string, string>) =>
        sampleValue(samples, name, labels);
      assert.equal(value("order_pipeline_messages_processed_total"), 59);
      assert.equal(value("order_pipeline_messages_dead_lettered_total", { class: "transient" }), 2);
      assert.equal(
        (value("order_pipeline_messages_dead_lettered_total", { class: "poison" }) ?? 0) +
          (value("order_pipeline_messages_dead_lettered_total", { class: "permanent" }) ?? 0),
        5,
      );
      assert.equal(value("order_pipeline_dead_letter_write_failures_total"), 0);
      assert.equal(
        value("order_pipeline_processing_duration_seconds_count", { outcome: "processed" }),
        59,
      );
      assert.equal(value("order_pipeline_running_average"), last?.aggregate.average);

      // And the dashboard's own /metrics agrees with the page.
      const own = parsePrometheusText(
        await (await fetch(new URL("/metrics", dashboard.url))).text(),
      );
      assert.equal(sampleValue(own, "order_pipeline_snapshot_orders"), 59);
      assert.equal(sampleValue(own, "order_pipeline_topic_messages", { topic: topics.dlq }), 7);
      assert.equal(sampleValue(own, "order_pipeline_dashboard_orders_produced_total"), 60);
      assert.equal(sampleValue(own, "order_pipeline_dashboard_replays_total"), 2);

      // The consumer stops: the header says so instead of "live".
      stop.abort();
      await consumed;
      await page.locator("#health.stopped", { hasText: "consumer stopped" }).waitFor({
        timeout: 60_000,
      });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/stopped-1280x900.png` });
    } finally {
      await browser.close();
      stop.abort();
      await consumed;
      await dashboard.stop();
    }
  },
});
