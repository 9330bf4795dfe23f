/**
 * What the dashboard knows, built from the records it tails: the latest
 * aggregate snapshot of every input partition, the latest messages of the
 * orders, retry and dead-letter topics, decoded, and the topics' offsets.
 * Pure bookkeeping, no Kafka: the dashboard feeds it records.
 *
 * @module
 */
import { createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import {
  parseStatsSnapshot,
  snapshotAggregate,
  type StatsSnapshot,
} from "../consumer/stats_snapshot.ts";
import { decodeDeadLetter } from "../dead_letter/decode_dead_letter.ts";
import { replayCount } from "../dead_letter/build_replay_record.ts";
import { errorMessage } from "../errors.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import type { TailStatus } from "../kafka/tail_topics.ts";
import { mergeAggregates } from "../operators/aggregate.ts";
import type { Order } from "../orders/order.ts";

/** The topics and group the dashboard shows. */
export interface DashboardTopics {
  orders: string;
  retry: string;
  dlq: string;
  stats: string;
  /** The consumer group whose snapshots make the global average. */
  groupId: string;
}

/** One message of a table, every value a string or number for the page to show as text. */
export interface MessageRow {
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  correlationId: string | null;
  /** Header name and value (UTF-8 where printable, else hex). */
  headers: Array<[string, string]>;
  /** The order, where the value decoded. */
  order: { orderId: string; product: string; price: number } | null;
  /** Why the value did not decode. */
  error: string | null;
}

/** A dead letter in the table. */
export interface DeadLetterRow extends MessageRow {
  errorClass: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  stage: string | null;
  original: string | null;
  replayCount: number;
}

/** Everything the page shows; sent as JSON on every update. */
export interface DashboardView {
  topics: DashboardTopics;
  /** The merge of the latest snapshot of every input partition. */
  aggregate: {
    count: number;
    sum: number;
    average: number | null;
    min: number | null;
    max: number | null;
  };
  /** The running average over time: [ms since the epoch, average]. */
  history: Array<[number, number]>;
  /** Orders processed (the snapshots' count). */
  processed: number;
  /** Orders processed per second, over the last few seconds. */
  throughput: number;
  /** Messages stored on each topic. */
  stored: { orders: number; retry: number; dlq: number };
  /** Dead letters stored, by failure class. */
  deadLetteredByClass: Record<string, number>;
  /** Per input partition: its snapshot and the consumer lag it implies. */
  partitions: Array<{
    partition: number;
    count: number;
    average: number | null;
    nextOffset: string | null;
    endOffset: string;
    lag: number;
    updatedAt: number | null;
  }>;
  tables: { orders: MessageRow[]; retry: MessageRow[]; dlq: DeadLetterRow[] };
  /** How the reader of each tailed topic stands: tailing, or waiting for the broker since when and why. */
  readers: Record<string, TailStatus>;
  updatedAt: number;
}

/** Options for {@link createDashboardState}. */
export interface DashboardStateOptions {
  topics: DashboardTopics;
  /** Rows kept per table. @default 20 */
  tableSize?: number;
  /** Samples kept for the chart. @default 300 */
  historySize?: number;
  /** @default Date.now */
  now?: () => number;
}

/** The dashboard's bookkeeping. */
export interface DashboardState {
  /** Takes a record of any of the tailed topics. */
  ingest(record: KafkaRecord): void;
  /** Sets a topic's partitions' stored offset range (from the tail's start). */
  setOffsets(
    topic: string,
    offsets: ReadonlyArray<{ partition: number; low: bigint; high: bigint }>,
  ): void;
  /** Records how the reader of `topic` stands. */
  setReader(topic: string, status: TailStatus): void;
  /** Adds the current average to the chart and updates the throughput; call once a second. */
  sample(): void;
  /** The latest dead letter at `partition`/`offset` still in the table, if any. */
  deadLetter(partition: number, offset: string): KafkaRecord | undefined;
  /** The view for the page. */
  view(): DashboardView;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Creates the bookkeeping.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDashboardState } from "./dashboard_state.ts";
 * const state = createDashboardState({
 *   topics: { orders: "orders", retry: "orders-retry", dlq: "orders-dlq", stats: "orders-stats", groupId: "g" },
 * });
 * assert.equal(state.view().aggregate.average, null);
 * ```
 */
export function createDashboardState(options: DashboardStateOptions): DashboardState {
  const { topics, tableSize = 20, historySize = 300, now = Date.now } = options;
  const codec = createCodec<Order>(loadSchema("order"));
  const snapshots = new Map<number, StatsSnapshot>();
  // Orders that succeeded in a retry round, per retry-topic partition.
  const retrySnapshots = new Map<number, StatsSnapshot>();
  const low = new Map<string, bigint>();
  const high = new Map<string, bigint>();
  const tables = {
    orders: [] as MessageRow[],
    retry: [] as MessageRow[],
    dlq: [] as DeadLetterRow[],
  };
  const dlqRecords: KafkaRecord[] = [];
  const byClass: Record<string, number> = { poison: 0, permanent: 0, transient: 0 };
  const history: Array<[number, number]> = [];
  const processedSamples: Array<[number, number]> = [];
  let throughput = 0;
  const readers: Record<string, TailStatus> = {};

  const aggregate = () =>
    mergeAggregates(
      ...[...snapshots.values(), ...retrySnapshots.values()].map((s) => snapshotAggregate(s)),
    );
  const push = <T>(table: T[], row: T) => {
    table.unshift(row);
    if (table.length > tableSize) table.pop();
  };
  const stored = (topic: string) => {
    let n = 0n;
    for (const [key, h] of high) {
      if (key.startsWith(`${topic}:`)) n += h - (low.get(key) ?? 0n);
    }
    return Number(n);
  };

  const row = (record: KafkaRecord): MessageRow => {
    let order: MessageRow["order"] = null;
    let error: string | null = null;
    try {
      const decoded = codec.decode(record.value);
      order = { orderId: decoded.orderId, product: decoded.product, price: decoded.price };
    } catch (err) {
      error = errorMessage(err);
    }
    return {
      partition: record.partition,
      offset: record.offset,
      timestamp: Number(record.timestamp),
      key: record.key ? text(record.key) : null,
      correlationId: header(record, "x-correlation-id"),
      headers: Object.entries(record.headers).map(([name, bytes]) => [name, text(bytes)]),
      order,
      error,
    };
  };

  const deadLetterRow = (record: KafkaRecord): DeadLetterRow => {
    const base = { ...row(record), order: null, error: null };
    try {
      const letter = decodeDeadLetter(record.value);
      return {
        ...base,
        key: letter.originalKey ? text(letter.originalKey) : null,
        order: letter.orderId === null ? null : {
          orderId: letter.orderId,
          product: letter.product ?? "",
          price: letter.price ?? NaN,
        },
        correlationId: letter.correlationId,
        errorClass: letter.errorClass,
        errorCode: letter.errorCode,
        errorMessage: letter.errorMessage,
        attempts: letter.attempts,
        stage: letter.stage,
        original: `${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`,
        replayCount: replayCount(letter.originalHeaders),
      };
    } catch (err) {
      return {
        ...base,
        error: errorMessage(err),
        errorClass: header(record, "x-error-class"),
        errorCode: header(record, "x-error-code"),
        errorMessage: null,
        attempts: null,
        stage: null,
        original: null,
        replayCount: 0,
      };
    }
  };

  return {
    ingest(record) {
      const key = `${record.topic}:${record.partition}`;
      const next = BigInt(record.offset) + 1n;
      if (next > (high.get(key) ?? 0n)) high.set(key, next);
      if (record.topic === topics.stats) {
        try {
          const snapshot = parseStatsSnapshot(record.value);
          if (snapshot.groupId === topics.groupId) {
            if (snapshot.topic === topics.orders) snapshots.set(snapshot.partition, snapshot);
            if (snapshot.topic === topics.retry) retrySnapshots.set(snapshot.partition, snapshot);
          }
        } catch {
          // Not a snapshot of ours: the stats topic is shared with nobody, but tolerate it.
        }
      } else if (record.topic === topics.dlq) {
        const errorClass = header(record, "x-error-class") ?? "unknown";
        byClass[errorClass] = (byClass[errorClass] ?? 0) + 1;
        push(tables.dlq, deadLetterRow(record));
        dlqRecords.unshift(record);
        if (dlqRecords.length > tableSize) dlqRecords.pop();
      } else if (record.topic === topics.retry) {
        push(tables.retry, row(record));
      } else if (record.topic === topics.orders) {
        push(tables.orders, row(record));
      }
    },
    setOffsets(topic, offsets) {
      for (const o of offsets) {
        const key = `${topic}:${o.partition}`;
        low.set(key, o.low);
        if (o.high > (high.get(key) ?? 0n)) high.set(key, o.high);
      }
    },
    setReader(topic, status) {
      readers[topic] = status;
    },
    sample() {
      const t = now();
      const { average, count } = aggregate();
      if (average !== null) {
        history.push([t, average]);
        if (history.length > historySize) history.shift();
      }
      processedSamples.push([t, count]);
      while (processedSamples.length > 6) processedSamples.shift();
      const [t0, c0] = processedSamples[0];
      throughput = t > t0 ? Math.max(0, (count - c0) / ((t - t0) / 1000)) : 0;
    },
    deadLetter(partition, offset) {
      return dlqRecords.find((r) => r.partition === partition && r.offset === offset);
    },
    view() {
      const agg = aggregate();
      const partitions: DashboardView["partitions"] = [];
      for (const [key, h] of high) {
        if (!key.startsWith(`${topics.orders}:`)) continue;
        const partition = Number(key.slice(topics.orders.length + 1));
        const snapshot = snapshots.get(partition);
        const start = snapshot ? BigInt(snapshot.nextOffset) : (low.get(key) ?? 0n);
        partitions.push({
          partition,
          count: snapshot?.count ?? 0,
          average: snapshot && snapshot.count > 0 ? snapshot.sum / snapshot.count : null,
          nextOffset: snapshot?.nextOffset ?? null,
          endOffset: h.toString(),
          lag: Number(h > start ? h - start : 0n),
          updatedAt: snapshot?.updatedAt ?? null,
        });
      }
      partitions.sort((a, b) => a.partition - b.partition);
      return {
        topics,
        aggregate: agg,
        // History is sampled once a second; ending it at the current value keeps
        // the chart in step with the number beside it.
        history: agg.average === null ? [...history] : [...history, [now(), agg.average]],
        processed: agg.count,
        throughput,
        stored: {
          orders: stored(topics.orders),
          retry: stored(topics.retry),
          dlq: stored(topics.dlq),
        },
        deadLetteredByClass: { ...byClass },
        partitions,
        tables: {
          orders: [...tables.orders],
          retry: [...tables.retry],
          dlq: [...tables.dlq],
        },
        readers: { ...readers },
        updatedAt: now(),
      };
    },
  };
}

function header(record: KafkaRecord, name: string): string | null {
  const bytes = record.headers[name];
  return bytes ? text(bytes) : null;
}

/** UTF-8 where the bytes are printable text, else `0x` and hex. */
function text(bytes: Uint8Array): string {
  try {
    const decoded = utf8.decode(bytes);
    // deno-lint-ignore no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001f\u007f]/.test(decoded)) return decoded;
  } catch {
    // not UTF-8: shown as hex below
  }
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
