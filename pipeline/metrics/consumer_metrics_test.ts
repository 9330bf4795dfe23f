import assert from "node:assert/strict";
import { parsePrometheusText, sampleValue } from "../../tests/_prometheus_text.ts";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import type { OutcomeReport } from "../consumer/order_consumer.ts";
import { createConsumerMetrics } from "./consumer_metrics.ts";
import { createMetricsApp } from "./metrics_app.ts";

function stats(processed: number, permanent: number, retried: number): ConsumerStats {
  return {
    processed,
    retried,
    deadLettered: permanent,
    deadLetteredByClass: { poison: 0, permanent, transient: 0 },
    sentToRetry: 0,
    aggregate: {
      count: processed,
      sumCents: processed * 1000,
      sum: processed * 10,
      average: processed ? 10 : null,
      min: 10,
      max: 10,
    },
    partitions: {},
    retryPartitions: {},
  };
}

const outcome: OutcomeReport = {
  topic: "orders",
  partition: 0,
  round: 0,
  offset: "0",
  outcome: "processed",
  orderId: "ORD-0001",
  price: 10,
  attempts: 1,
  errorClass: null,
  errorCode: null,
  correlationId: null,
  durationMs: 3,
};

Deno.test("createConsumerMetrics() counts what the statistics add, in valid Prometheus text", async () => {
  const metrics = createConsumerMetrics();
  metrics.observeStats(stats(2, 0, 1));
  metrics.observeStats(stats(5, 1, 3));
  metrics.observeOutcome(outcome);
  metrics.observeLag(2, 7);
  metrics.deadLetterWriteFailed();
  const samples = parsePrometheusText(await metrics.registry.metrics());
  assert.equal(sampleValue(samples, "order_pipeline_messages_processed_total"), 5);
  assert.equal(sampleValue(samples, "order_pipeline_processing_retries_total"), 3);
  assert.equal(
    sampleValue(samples, "order_pipeline_messages_dead_lettered_total", { class: "permanent" }),
    1,
  );
  assert.equal(
    sampleValue(samples, "order_pipeline_messages_dead_lettered_total", { class: "poison" }),
    0,
  );
  assert.equal(sampleValue(samples, "order_pipeline_dead_letter_write_failures_total"), 1);
  assert.equal(sampleValue(samples, "order_pipeline_consumer_lag", { partition: "2" }), 7);
  assert.equal(sampleValue(samples, "order_pipeline_running_average"), 10);
  assert.equal(
    sampleValue(samples, "order_pipeline_processing_duration_seconds_count", {
      outcome: "processed",
    }),
    1,
  );
  assert.equal(
    sampleValue(samples, "order_pipeline_processing_duration_seconds_bucket", {
      outcome: "processed",
      le: "0.005",
    }),
    1,
  );
});

Deno.test("createConsumerMetrics() times settled outcomes only, not records passed over as another group's", async () => {
  const metrics = createConsumerMetrics();
  metrics.observeOutcome(outcome);
  metrics.observeOutcome({
    ...outcome,
    outcome: "passed-over",
    orderId: null,
    price: null,
    durationMs: 0,
    belongsTo: { group: "billing", topic: null },
  });
  const text = await metrics.registry.metrics();
  assert.doesNotMatch(text, /passed-over/);
  const samples = parsePrometheusText(text);
  assert.equal(
    sampleValue(samples, "order_pipeline_processing_duration_seconds_count", {
      outcome: "processed",
    }),
    1,
  );
});

Deno.test("createMetricsApp() serves /metrics and /healthz and refuses the rest", async () => {
  const metrics = createConsumerMetrics();
  let health = { ok: true, detail: "consuming" };
  const app = createMetricsApp({ registry: metrics.registry, health: () => health });
  const scraped = await app.fetch(new Request("http://x/metrics"));
  assert.equal(scraped.status, 200);
  assert.match(scraped.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await scraped.text();
  parsePrometheusText(text);
  // Before the first order the average is NaN, spelled as the format spells it.
  assert.match(text, /^order_pipeline_running_average NaN$/m);
  const healthy = await app.fetch(new Request("http://x/healthz"));
  assert.deepEqual([healthy.status, await healthy.json()], [200, {
    status: "ok",
    detail: "consuming",
  }]);
  health = { ok: false, detail: "stopped: broker gone" };
  const sick = await app.fetch(new Request("http://x/healthz"));
  assert.equal(sick.status, 503);
  assert.equal((await sick.json()).detail, "stopped: broker gone");
  const missing = await app.fetch(new Request("http://x/other"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const posted = await app.fetch(new Request("http://x/metrics", { method: "POST" }));
  assert.equal(posted.status, 405);
  assert.match(await posted.text(), /use GET/);
});
