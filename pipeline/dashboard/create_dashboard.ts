/**
 * The dashboard: tails the pipeline's topics into the dashboard state,
 * watches the consumer group, and wires produce, replay and the topic browser
 * to Kafka, behind the app a server serves. Serving it is the command's job.
 *
 * @module
 */
import { lastValueFrom } from "rxjs";
import { DEFAULTS, topicSpecs } from "../config.ts";
import { readDeadLetterHeaders } from "../dead_letter/read_dead_letter_headers.ts";
import { errorMessage } from "../errors.ts";
import { describeGroup } from "../kafka/describe_group.ts";
import { createProducer } from "../kafka/kafka_producer.ts";
import { readPartition } from "../kafka/read_partition.ts";
import { tailTopics } from "../kafka/tail_topics.ts";
import { ensureTopics } from "../kafka/topics.ts";
import { backoffDelay } from "../backoff.ts";
import { produceOrders } from "../producer/order_producer.ts";
import {
  type ReplayCandidate,
  replayDeadLetters,
  type ReplayEvent,
} from "../replay/replay_dead_letters.ts";
import {
  ConflictError,
  createDashboardApp,
  type DashboardActions,
  hostName,
  MAX_REPLAY_POSITIONS,
} from "./dashboard_app.ts";
import { createDashboardMetrics } from "./dashboard_metrics.ts";
import { createDashboardState, type DashboardView } from "./dashboard_state.ts";
import { type FilterableLetter, matchesDeadLetter } from "./dead_letter_filter.ts";
import { describeRecord, type RecordKind } from "./describe_record.ts";
import { createReplayJob, type ReplayJob } from "./replay_job.ts";

/** Options for {@link createDashboard}. */
export interface DashboardOptions {
  brokers: readonly string[];
  /**
   * The address the app is served on; anything but loopback makes every data
   * request need a token. @default DEFAULTS.dashboard.host
   */
  host?: string;
  /** @default DEFAULTS.topics */
  topics?: { orders?: string; retry?: string; dlq?: string; stats?: string };
  /** The consumer group whose snapshots make the global average. @default DEFAULTS.groupId */
  groupId?: string;
  /** The token for data and actions; made up when the host is not loopback. */
  token?: string;
  /** Host names, besides the bound address and `localhost`, that requests may name in `Host`. */
  allowedHosts?: readonly string[];
  /** Rows per table. @default DEFAULTS.dashboard.tableSize */
  tableSize?: number;
  /** How often to describe the consumer group, in ms. @default DEFAULTS.dashboard.groupIntervalMs */
  groupIntervalMs?: number;
  /** A group with members but no snapshot for this long while records wait is stalled. @default DEFAULTS.dashboard.staleAfterMs */
  staleAfterMs?: number;
  /** Park letters replayed this many times already (as `dlq replay --max-replays`). @default DEFAULTS.replay.maxReplays */
  maxReplays?: number;
}

/** A dashboard at work: its app, and the call that stops it. */
export interface Dashboard {
  /** The app: what a server calls for each request. */
  fetch(request: Request): Promise<Response>;
  /** The token data and actions need, or null on loopback. */
  token: string | null;
  /** The page's address on a server listening at `address`, with `?token=` when one is needed. */
  urlAt(address: { hostname: string; port: number }): string;
  /**
   * Stops reading topics and ends every open event stream at once (so call it
   * before the server shuts down, which waits for those streams), then
   * disconnects the page's producer.
   */
  stop(): Promise<void>;
}

/** The replay group of the page: its own, so it never moves `dlq replay`'s progress. */
const PAGE_REPLAY_GROUP_SUFFIX = "-replay-dashboard";
/** Dead letters the page holds and filters (older ones are reached by "all matching"). */
const DEAD_LETTER_ROWS = 200;
/** Letters a dry run lists at most, as many as one replay request may name (the counts cover all). */
const PREVIEW_LIST = MAX_REPLAY_POSITIONS;

/**
 * Starts the dashboard's readers and gives its app. The app answers at once,
 * even before the broker does; its readers wait for the broker.
 *
 * @example
 * ```ts ignore
 * import { createDashboard } from "./create_dashboard.ts";
 * const dashboard = createDashboard({ brokers: ["127.0.0.1:9092"] });
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0 }, dashboard.fetch);
 * console.log(`dashboard at ${dashboard.urlAt(server.addr)}`);
 * const stopped = dashboard.stop();
 * await server.shutdown();
 * await stopped;
 * ```
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const {
    brokers,
    host = DEFAULTS.dashboard.host,
    groupId = DEFAULTS.groupId,
    tableSize = DEFAULTS.dashboard.tableSize,
    groupIntervalMs = DEFAULTS.dashboard.groupIntervalMs,
    staleAfterMs = DEFAULTS.dashboard.staleAfterMs,
    maxReplays = DEFAULTS.replay.maxReplays,
  } = options;
  const topics = {
    orders: options.topics?.orders ?? DEFAULTS.topics.orders,
    retry: options.topics?.retry ?? DEFAULTS.topics.retry,
    dlq: options.topics?.dlq ?? DEFAULTS.topics.dlq,
    stats: options.topics?.stats ?? DEFAULTS.topics.stats,
  };
  const kinds: Record<string, RecordKind> = {
    [topics.orders]: "order",
    [topics.retry]: "retry",
    [topics.dlq]: "dead-letter",
    [topics.stats]: "snapshot",
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

  const state = createDashboardState({
    topics: { ...topics, groupId },
    tableSize,
    deadLetterTableSize: DEAD_LETTER_ROWS,
    staleAfterMs,
  });
  const metrics = createDashboardMetrics(() => state.view());
  const listeners = new Set<() => void>();
  let dirty = true;

  const waited = new Set<string>();
  const tail = tailTopics({
    brokers,
    clientId: `${DEFAULTS.clientId}-dashboard`,
    topics: [
      { name: topics.stats },
      { name: topics.dlq, last: DEAD_LETTER_ROWS },
      { name: topics.orders, last: tableSize },
      { name: topics.retry, last: tableSize },
    ],
    onOffsets: (topic, offsets) => {
      state.setOffsets(topic, offsets);
      dirty = true;
    },
    onStatus: (topic, status) => {
      state.setReader(topic, status);
      dirty = true;
      // One line when a reader starts to wait, one when it reads again; a
      // reader that never waited says nothing.
      if (status.state === "waiting" && status.attempts === 1) {
        waited.add(topic);
        console.error(`dashboard: waiting for the broker to read ${topic}: ${status.reason}`);
      }
      if (status.state === "tailing" && waited.delete(topic)) {
        console.error(`dashboard: reading ${topic} again`);
      }
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
  // The group's members and their partitions; a failure means "not known now".
  let describing = false;
  const watcher = setInterval(() => {
    if (describing) return;
    describing = true;
    describeGroup(brokers, groupId)
      .then((group) => state.setGroup(group), () => state.setGroup(null))
      .finally(() => {
        describing = false;
        dirty = true;
      });
  }, groupIntervalMs);

  // The page's produce writes with one producer, connected on its first use.
  const producer = createProducer({ brokers, clientId: `${DEFAULTS.clientId}-dashboard` });
  let nextOrder = Date.now() % 1_000_000;
  let job: ReplayJob | undefined;
  const replayGroup = `${topics.dlq}${PAGE_REPLAY_GROUP_SUFFIX}`;
  const actions: DashboardActions = {
    async produce(count, badRate) {
      await ensure();
      const firstOrder = nextOrder;
      nextOrder += count;
      const progress = await lastValueFrom(
        produceOrders({
          brokers,
          producer,
          topic: topics.orders,
          count,
          intervalMs: 0,
          badRate,
          firstOrder,
        }),
      );
      metrics.produced(progress.sent);
      return { sent: progress.sent };
    },
    async previewReplay({ positions, filter, to }) {
      const letters: ReplayEvent[] = [];
      const summary = await replayDeadLetters({
        brokers,
        dlqTopic: topics.dlq,
        group: replayGroup,
        start: "earliest",
        positions: positions && new Set(positions),
        select: positions
          ? undefined
          : (candidate) => matchesDeadLetter(filter, filterable(candidate)),
        to,
        maxReplays,
        dryRun: true,
        onEvent: (event) => {
          if (letters.length < PREVIEW_LIST) letters.push(event);
        },
      });
      return { summary, letters };
    },
    startReplay({ positions, to }) {
      if (job?.view().state === "running") {
        throw new ConflictError(`A replay is running (${job.view().id}): wait for its result`);
      }
      const id = `replay-${Date.now().toString(36)}`;
      const current = job = createReplayJob(id, positions.length);
      state.setReplay(current.view());
      const update = () => {
        state.setReplay(current.view());
        dirty = true;
      };
      replayDeadLetters({
        brokers,
        dlqTopic: topics.dlq,
        group: replayGroup,
        start: "earliest",
        positions: new Set(positions),
        to,
        maxReplays,
        onEvent: (event) => {
          current.event(event);
          if (event.type === "sent") metrics.replayed();
          update();
        },
      }).then(
        (summary) => current.finish(summary),
        (err) => current.fail(errorMessage(err)),
      ).finally(update);
      return Promise.resolve({ id });
    },
    async message(topic, partition, offset) {
      const held = state.record(topic, partition, offset);
      if (held) return describeRecord(held, kinds[topic]);
      const page = await readPartition({
        brokers,
        topic,
        partition,
        from: BigInt(offset),
        count: 1,
      });
      const record = page.records.find((r) => r.offset === offset);
      return record && describeRecord(record, kinds[topic]);
    },
    async browse(topic, partition, from, count) {
      const page = await readPartition({ brokers, topic, partition, from, count });
      return {
        topic,
        partition,
        low: page.low.toString(),
        high: page.high.toString(),
        start: page.start.toString(),
        records: page.records.map((record) => describeRecord(record, kinds[topic])),
      };
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
    allowedHosts: allowedHostsFor(host, options.allowedHosts ?? []),
    topics: Object.values(topics),
    registry: metrics.registry,
    signal: closing.signal,
    health: () => readersHealth(state.view().readers),
  });

  return {
    fetch: app.fetch,
    token,
    urlAt({ hostname, port }) {
      const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
      return `http://${shown}:${port}/${token ? `?token=${token}` : ""}`;
    },
    async stop() {
      clearInterval(sampler);
      clearInterval(notifier);
      clearInterval(watcher);
      tail.unsubscribe();
      listeners.clear();
      closing.abort();
      await producer.disconnect().catch(() => {});
    },
  };
}

/**
 * The fields of a DLQ record the page's filter looks at, from the envelope
 * the replay decoded or, when the value is not one, from its headers.
 */
function filterable({ record, letter }: ReplayCandidate): FilterableLetter {
  const time = Number(record.timestamp);
  if (letter !== null) {
    return {
      time,
      errorClass: letter.errorClass,
      errorCode: letter.errorCode,
      stage: letter.stage,
      searchable: [
        letter.orderId,
        letter.correlationId,
        letter.product,
        letter.errorMessage,
        letter.originalKey && new TextDecoder().decode(letter.originalKey),
      ],
    };
  }
  let headers: ReturnType<typeof readDeadLetterHeaders> = {};
  try {
    headers = readDeadLetterHeaders(record.headers);
  } catch {
    // neither envelope nor headers: only the time and the key are known
  }
  return {
    time,
    errorClass: headers.errorClass ?? null,
    errorCode: headers.errorCode ?? null,
    stage: headers.stage ?? null,
    searchable: [
      headers.correlationId ?? null,
      record.key && new TextDecoder().decode(record.key),
    ],
  };
}

/** The Host names a request may use: the bound address, loopback names, and those given. */
function allowedHostsFor(host: string, extra: readonly string[]): Set<string> {
  const allowed = new Set(["localhost", "127.0.0.1", "::1", ...extra.map((h) => hostName(h))]);
  allowed.add(hostName(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host));
  // Bound to every interface: this machine's own addresses are what it was started for.
  if (host === "0.0.0.0" || host === "::" || host === "[::]") {
    for (const { address } of Deno.networkInterfaces()) allowed.add(address.toLowerCase());
  }
  return allowed;
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
