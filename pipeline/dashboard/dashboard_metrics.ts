/**
 * The dashboard's Prometheus metrics: what it sees of the pipeline (the merged
 * snapshots, the topics, the lag) and what was done through it.
 *
 * @module
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { DashboardView } from "./dashboard_state.ts";

/** The registry, and the counters the actions feed. */
export interface DashboardMetrics {
  readonly registry: Registry;
  /** Counts orders produced through the form. */
  produced(count: number): void;
  /** Counts one dead letter replayed through the page. */
  replayed(): void;
}

/**
 * Creates the metrics; gauges read `view()` when scraped.
 *
 * @example
 * ```ts ignore
 * import { createDashboardMetrics } from "./dashboard_metrics.ts";
 * const metrics = createDashboardMetrics(() => state.view());
 * console.log(await metrics.registry.metrics());
 * ```
 */
export function createDashboardMetrics(view: () => DashboardView): DashboardMetrics {
  const registry = new Registry();
  new Gauge({
    name: "order_pipeline_running_average",
    help: "Global mean price: the merge of the latest snapshot of every input partition.",
    registers: [registry],
    collect() {
      this.set(view().aggregate.average ?? NaN);
    },
  });
  new Gauge({
    name: "order_pipeline_snapshot_orders",
    help: "Orders processed, as the merged snapshots count them.",
    registers: [registry],
    collect() {
      this.set(view().aggregate.count);
    },
  });
  new Gauge({
    name: "order_pipeline_topic_messages",
    help: "Messages stored on each topic.",
    labelNames: ["topic"],
    registers: [registry],
    collect() {
      const { topics, stored } = view();
      this.set({ topic: topics.orders }, stored.orders);
      this.set({ topic: topics.retry }, stored.retry);
      this.set({ topic: topics.dlq }, stored.dlq);
    },
  });
  new Gauge({
    name: "order_pipeline_dead_letters",
    help: "Dead letters stored on the dead-letter topic, by failure class.",
    labelNames: ["class"],
    registers: [registry],
    collect() {
      for (const [errorClass, n] of Object.entries(view().deadLetteredByClass)) {
        this.set({ class: errorClass }, n);
      }
    },
  });
  new Gauge({
    name: "order_pipeline_consumer_lag",
    help: "Messages each input partition holds beyond its latest snapshot.",
    labelNames: ["partition"],
    registers: [registry],
    collect() {
      for (const p of view().partitions) this.set({ partition: String(p.partition) }, p.lag);
    },
  });
  const produced = new Counter({
    name: "order_pipeline_dashboard_orders_produced_total",
    help: "Orders produced through the dashboard's form.",
    registers: [registry],
  });
  const replayed = new Counter({
    name: "order_pipeline_dashboard_replays_total",
    help: "Dead letters replayed through the dashboard.",
    registers: [registry],
  });
  return {
    registry,
    produced: (count) => produced.inc(count),
    replayed: () => replayed.inc(),
  };
}
