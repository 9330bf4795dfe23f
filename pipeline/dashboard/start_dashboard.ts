/**
 * Starts the dashboard: tails the pipeline's topics into the dashboard state,
 * wires the produce and replay actions to Kafka, and serves the app.
 *
 * @module
 */
import { lastValueFrom } from "rxjs";
import { DEFAULT_TOPICS, topicSpecs } from "../config.ts";
import { replayOne } from "../dead_letter/replay_one.ts";
import { connectProducer, type KafkaSink } from "../kafka/kafka_producer.ts";
import { tailTopics } from "../kafka/tail_topics.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { backoffDelay } from "../operators/backoff.ts";
import { produceOrders } from "../producer/order_producer.ts";
import { createDashboardApp, type DashboardActions } from "./dashboard_app.ts";
import { createDashboardMetrics } from "./dashboard_metrics.ts";
import { createDashboardState, type DashboardView } from "./dashboard_state.ts";

/** Options for {@link startDashboard}. */
export interface StartDashboardOptions {
  brokers: readonly string[];
  /** Address to listen on; anything but loopback makes produce and replay need a token. @default "127.0.0.1" */
  host?: string;
  /** Port; 0 picks a free one. @default 8080 */
  port?: number;
  /** @default DEFAULT_TOPICS */
  topics?: { orders?: string; retry?: string; dlq?: string; stats?: string };
  /** The consumer group whose snapshots make the global average. @default "order-pipeline" */
  groupId?: string;
  /** The token for produce and replay; made up when the host is not loopback. */
  token?: string;
  /** Rows per table. @default 20 */
  tableSize?: number;
}

/** A running dashboard. */
export interface RunningDashboard {
  /** The page's address, with `?token=` when one is needed. */
  url: string;
  /** The token produce and replay need, or null on loopback. */
  token: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the dashboard and resolves once it listens.
 *
 * @example
 * ```ts ignore
 * import { startDashboard } from "./start_dashboard.ts";
 * const dashboard = await startDashboard({ brokers: ["127.0.0.1:9092"], port: 0 });
 * console.log(`dashboard at ${dashboard.url}`);
 * await dashboard.stop();
 * ```
 */
export function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const { brokers, host = "127.0.0.1", port = 8080, groupId = "order-pipeline", tableSize } =
    options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`Cannot start the dashboard: 'port' must be 0 to 65535, got ${port}`);
  }
  const topics = {
    orders: options.topics?.orders ?? DEFAULT_TOPICS.orders,
    retry: options.topics?.retry ?? DEFAULT_TOPICS.retry,
    dlq: options.topics?.dlq ?? DEFAULT_TOPICS.dlq,
    stats: options.topics?.stats ?? DEFAULT_TOPICS.stats,
  };
  const token = options.token ??
    (isLoopback(host) ? null : crypto.randomUUID().replaceAll("-", ""));
  // Topics are made on the first produce rather than here: a dashboard
  // started beside a broker that is still starting must serve at once.
  let topicsMade: Promise<unknown> | undefined;
  const ensure = () =>
    topicsMade ??= ensureTopics(brokers, topicSpecs(topics)).catch((err) => {
      topicsMade = undefined;
      throw err;
    });

  const state = createDashboardState({ topics: { ...topics, groupId }, tableSize });
  const metrics = createDashboardMetrics(() => state.view());
  const listeners = new Set<() => void>();
  let dirty = true;

  const tail = tailTopics({
    brokers,
    clientId: "order-pipeline-dashboard",
    topics: [
      { name: topics.stats },
      { name: topics.dlq },
      { name: topics.orders, last: tableSize ?? 20 },
      { name: topics.retry, last: tableSize ?? 20 },
    ],
    onOffsets: (topic, offsets) => {
      state.setOffsets(topic, offsets);
      dirty = true;
    },
    onStatus: (topic, status) => {
      state.setReader(topic, status);
      dirty = true;
      if (status.state === "waiting" && status.attempts === 1) {
        console.error(`dashboard: waiting for the broker to read ${topic}: ${status.reason}`);
      }
      if (status.state === "tailing") console.error(`dashboard: reading ${topic}`);
    },
    retryDelay: (n) => backoffDelay(n, { baseDelay: 500, maxDelay: 5000, jitter: "none" }),
  }).subscribe((record) => {
    state.ingest(record);
    dirty = true;
  });
  const sampler = setInterval(() => {
    state.sample();
    dirty = true;
  }, 1000);
  const notifier = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    for (const listener of listeners) listener();
  }, 250);

  let sink: Promise<KafkaSink> | undefined;
  const producer = () =>
    sink ??= connectProducer({ brokers, clientId: "order-pipeline-dashboard" });
  let nextOrder = Date.now() % 1_000_000;
  const actions: DashboardActions = {
    async produce(count, badRate) {
      await ensure();
      const firstOrder = nextOrder;
      nextOrder += count;
      const progress = await lastValueFrom(
        produceOrders({ brokers, topic: topics.orders, count, intervalMs: 0, badRate, firstOrder }),
      );
      metrics.produced(progress.sent);
      return { sent: progress.sent };
    },
    async replay(partition, offset) {
      const record = state.deadLetter(partition, offset);
      if (!record) return undefined;
      const replay = replayOne(record.value);
      await (await producer()).send(replay.topic, [
        { key: replay.key, value: replay.value, headers: replay.headers },
      ]);
      metrics.replayed();
      return { topic: replay.topic, replayCount: replay.replayCount };
    },
  };

  const closing = new AbortController();
  const app = createDashboardApp({
    view: () => state.view(),
    onUpdate: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    actions,
    token,
    registry: metrics.registry,
    signal: closing.signal,
    health: () => readersHealth(state.view().readers),
  });
  const server = Deno.serve({ hostname: host, port, onListen: () => {} }, app.fetch);
  const address = server.addr;
  const shown = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
  const url = `http://${shown}:${address.port}/${token ? `?token=${token}` : ""}`;

  return Promise.resolve({
    url,
    token,
    async stop() {
      clearInterval(sampler);
      clearInterval(notifier);
      tail.unsubscribe();
      listeners.clear();
      closing.abort();
      await server.shutdown();
      await sink?.then((p) => p.disconnect()).catch(() => {});
    },
  });
}

/**
 * Healthy while every topic's reader reads; otherwise the detail names each
 * topic that is not read yet, and since when its reader waits.
 */
function readersHealth(readers: DashboardView["readers"]): { ok: boolean; detail: string } {
  const behind = Object.entries(readers).flatMap(([topic, status]) => {
    if (status.state === "tailing") return [];
    if (status.state === "starting") return [`${topic}: starting`];
    const at = new Date(status.since).toISOString();
    return [`${topic}: waiting for the broker since ${at} (${status.reason})`];
  });
  return behind.length === 0 && Object.keys(readers).length > 0
    ? { ok: true, detail: "tailing topics" }
    : { ok: false, detail: behind.join("; ") || "starting" };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}
