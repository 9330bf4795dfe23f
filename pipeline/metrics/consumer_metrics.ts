/**
 * The consumer's Prometheus metrics, on a registry of their own (prom-client
 * runs on Deno as it is; its Node process metrics are left out, Deno has its own).
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import type { OutcomeReport } from "../consumer/order_consumer.ts";

/** The consumer's metrics and the calls that feed them. */
export interface ConsumerMetrics {
  /** The registry to serve (see `createMetricsApp`). */
  readonly registry: Registry;
  /** Brings the counters up to date with the latest statistics. */
  observeStats(stats: ConsumerStats): void;
  /** Records one settled record's processing time. */
  observeOutcome(report: OutcomeReport): void;
  /** Sets one partition's lag. */
  observeLag(partition: number, lag: number): void;
  /** Counts a dead letter the broker did not take (the consumer stops on it). */
  deadLetterWriteFailed(): void;
}

/** Processing latency buckets in seconds: a few ms without faults, seconds in backoff. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Creates the consumer's metrics. Counters follow `ConsumerStats`, which only
 * grows, by adding the difference since the last update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConsumerMetrics } from "./consumer_metrics.ts";
 * const metrics = createConsumerMetrics();
 * metrics.observeLag(0, 5);
 * assert.match(await metrics.registry.metrics(), /order_pipeline_consumer_lag\{partition="0"\} 5/);
 * ```
 */
export function createConsumerMetrics(): ConsumerMetrics {
  const registry = new Registry();
  const processed = new Counter({
    name: "order_pipeline_messages_processed_total",
    help: "Orders processed and folded into the running average.",
    registers: [registry],
  });
  const retried = new Counter({
    name: "order_pipeline_processing_retries_total",
    help: "Extra processing attempts after transient failures.",
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: "order_pipeline_messages_dead_lettered_total",
    help: "Messages written to the dead-letter topic, by failure class.",
    labelNames: ["class"],
    registers: [registry],
  });
  const sentToRetry = new Counter({
    name: "order_pipeline_messages_sent_to_retry_total",
    help: "Messages handed to the retry topic.",
    registers: [registry],
  });
  const writeFailures = new Counter({
    name: "order_pipeline_dead_letter_write_failures_total",
    help: "Dead letters the broker did not acknowledge (the consumer stops without committing).",
    registers: [registry],
  });
  const latency = new Histogram({
    name: "order_pipeline_processing_duration_seconds",
    help: "Time from a message's arrival to its settled outcome, retries and backoff included.",
    labelNames: ["outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const lag = new Gauge({
    name: "order_pipeline_consumer_lag",
    help: "Messages behind the end of each input partition, after the last batch.",
    labelNames: ["partition"],
    registers: [registry],
  });
  const average = new Gauge({
    name: "order_pipeline_running_average",
    help: "Mean price of the orders this consumer processed (NaN before the first).",
    registers: [registry],
  });
  for (const errorClass of ["poison", "permanent", "transient"]) {
    deadLettered.inc({ class: errorClass }, 0);
  }
  average.set(NaN);

  let seen: ConsumerStats | undefined;
  return {
    registry,
    observeStats(stats) {
      processed.inc(stats.processed - (seen?.processed ?? 0));
      retried.inc(stats.retried - (seen?.retried ?? 0));
      sentToRetry.inc(stats.sentToRetry - (seen?.sentToRetry ?? 0));
      for (const [errorClass, n] of Object.entries(stats.deadLetteredByClass)) {
        const before = seen?.deadLetteredByClass[errorClass as "poison"] ?? 0;
        deadLettered.inc({ class: errorClass }, n - before);
      }
      average.set(stats.aggregate.average ?? NaN);
      seen = stats;
    },
    observeOutcome(report) {
      // A record passed over as another group's took no processing time, and
      // one handed over with its partition has no outcome here.
      if (report.outcome === "passed-over" || report.outcome === "handed-over") return;
      latency.observe({ outcome: report.outcome }, report.durationMs / 1000);
    },
    observeLag(partition, n) {
      lag.set({ partition: String(partition) }, n);
    },
    deadLetterWriteFailed() {
      writeFailures.inc();
    },
  };
}
