/**
 * What the dashboard knows, built from the records it tails: the latest
 * aggregate snapshot of every input partition, the latest messages of the
 * orders, retry and dead-letter topics, decoded, and the topics' offsets.
 * Pure bookkeeping, no Kafka: the dashboard feeds it records.
 *
 * @module
 */
import { createOrderDecoder } from "../avro/order_decoder.ts";
import { DEFAULTS } from "../config.ts";
import {
  parseStatsSnapshot,
  snapshotAggregate,
  type StatsSnapshot,
} from "../consumer/stats_snapshot.ts";
import { decodeDeadLetter } from "../dead_letter/decode_dead_letter.ts";
import { replayCount } from "../dead_letter/build_replay_record.ts";
import { errorMessage } from "../errors.ts";
import { CORRELATION_ID, ERROR_CLASS, ERROR_CODE } from "../headers.ts";
import type { GroupDescription } from "../kafka/describe_group.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import type { TailStatus } from "../kafka/tail_topics.ts";
import { mergeAggregates } from "../operators/aggregate.ts";
import { readRetryContext } from "../retry/read_retry_context.ts";
import { bytesText as text } from "./bytes_text.ts";
import { invalidOrder } from "./describe_record.ts";
import type { ReplayJobView } from "./replay_job.ts";

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
  /** The order, where the value decoded; `price` is null in JSON when not finite, `priceText` never. */
  order: { orderId: string; product: string; price: number; priceText: string } | null;
  /** Why the value did not decode. */
  error: string | null;
  /** Why a decoded order breaks a business rule (it will be dead-lettered), or null. */
  invalid: string | null;
  /** Where a record of the retry topic stands: its round, when it is due (ms), attempts so far. */
  retry: { round: number; due: number; attempts: number } | null;
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
  /** Throughput over time: [ms since the epoch, orders/s]. */
  throughputHistory: Array<[number, number]>;
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
    /** Lag is higher than a few seconds ago. */
    lagGrowing: boolean;
    updatedAt: number | null;
  }>;
  /** The consumer group at a glance. */
  consumer: ConsumerHealth;
  /** The dashboard's replay in progress or last finished, if any. */
  replay: ReplayJobView | null;
  tables: { orders: MessageRow[]; retry: MessageRow[]; dlq: DeadLetterRow[] };
  /** How the reader of each tailed topic stands: tailing, or waiting for the broker since when and why. */
  readers: Record<string, TailStatus>;
  updatedAt: number;
}

/** How the consumer group stands. */
export interface ConsumerHealth {
  /**
   * `live`: members hold partitions and snapshots are fresh (or nothing is
   * waiting, or no snapshot was written yet); `stopped`: no member in the
   * group; `stalled`: members, but no new snapshot for `staleAfterMs` while
   * records wait; `unknown`: not asked yet.
   */
  state: "live" | "stopped" | "stalled" | "unknown";
  /** One line for the header. */
  detail: string;
  /** Kafka's group state. */
  groupState: string | null;
  members: Array<{ clientId: string; host: string; partitions: number[] }>;
  /** The newest snapshot's time, ms since the epoch. */
  lastSnapshotAt: number | null;
}

/** Options for {@link createDashboardState}. */
export interface DashboardStateOptions {
  topics: DashboardTopics;
  /** Rows kept per table. @default DEFAULTS.dashboard.tableSize */
  tableSize?: number;
  /** Rows kept in the dead-letter table, which the page filters. @default 200 */
  deadLetterTableSize?: number;
  /** A group with members but no snapshot for this long while records wait is stalled. @default DEFAULTS.dashboard.staleAfterMs */
  staleAfterMs?: number;
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
  /** Records the consumer group's members, or null when it could not be described. */
  setGroup(group: GroupDescription | null): void;
  /** Records the dashboard's replay job. */
  setReplay(job: ReplayJobView | null): void;
  /** Adds the current average to the chart and updates the throughput; call once a second. */
  sample(): void;
  /** The record at `topic`/`partition`/`offset` if a table still holds it. */
  record(topic: string, partition: number, offset: string): KafkaRecord | undefined;
  /** The view for the page. */
  view(): DashboardView;
}

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
  const {
    topics,
    tableSize = DEFAULTS.dashboard.tableSize,
    deadLetterTableSize = 200,
    historySize = 300,
    staleAfterMs = DEFAULTS.dashboard.staleAfterMs,
    now = Date.now,
  } = options;
  const codec = createOrderDecoder();
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
  // The records behind the table rows, for the detail panel.
  const records = new Map<string, KafkaRecord>();
  const recordKey = (topic: string, partition: number, offset: string) =>
    `${topic}\u0000${partition}\u0000${offset}`;
  const byClass: Record<string, number> = { poison: 0, permanent: 0, transient: 0 };
  const history: Array<[number, number]> = [];
  const processedSamples: Array<[number, number]> = [];
  let throughput = 0;
  const throughputHistory: Array<[number, number]> = [];
  const readers: Record<string, TailStatus> = {};
  let group: GroupDescription | null | undefined;
  let replayJob: ReplayJobView | null = null;
  // Per partition, total lag at the last few samples, oldest first.
  const lagSamples = new Map<number, number[]>();

  const aggregate = () =>
    mergeAggregates(
      ...[...snapshots.values(), ...retrySnapshots.values()].map((s) => snapshotAggregate(s)),
    );
  const push = <T extends MessageRow>(
    table: T[],
    row: T,
    record: KafkaRecord,
    size = tableSize,
  ) => {
    table.unshift(row);
    records.set(recordKey(record.topic, record.partition, record.offset), record);
    while (table.length > size) {
      const gone = table.pop()!;
      records.delete(recordKey(record.topic, gone.partition, gone.offset));
    }
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
    let invalid: string | null = null;
    try {
      const decoded = codec.decode(record.value);
      order = {
        orderId: decoded.orderId,
        product: decoded.product,
        price: decoded.price,
        priceText: String(decoded.price),
      };
      invalid = invalidOrder(decoded);
    } catch (err) {
      error = errorMessage(err);
    }
    return {
      partition: record.partition,
      offset: record.offset,
      timestamp: Number(record.timestamp),
      key: record.key ? text(record.key) : null,
      correlationId: header(record, CORRELATION_ID),
      headers: Object.entries(record.headers).map(([name, bytes]) => [name, text(bytes)]),
      order,
      error,
      invalid,
      retry: null,
    };
  };

  const deadLetterRow = (record: KafkaRecord): DeadLetterRow => {
    const base = { ...row(record), order: null, error: null, invalid: null };
    try {
      const letter = decodeDeadLetter(record.value);
      return {
        ...base,
        key: letter.originalKey ? text(letter.originalKey) : null,
        order: letter.orderId === null ? null : {
          orderId: letter.orderId,
          product: letter.product ?? "",
          price: letter.price ?? NaN,
          priceText: String(letter.price ?? "–"),
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
        errorClass: header(record, ERROR_CLASS),
        errorCode: header(record, ERROR_CODE),
        errorMessage: null,
        attempts: null,
        stage: null,
        original: null,
        replayCount: 0,
      };
    }
  };

  const partitionRows = () => {
    const partitions: Array<Omit<DashboardView["partitions"][number], "lagGrowing">> = [];
    for (const [key, h] of high) {
      if (!key.startsWith(`${topics.orders}:`)) continue;
      const partition = Number(key.slice(topics.orders.length + 1));
      const snapshot = snapshots.get(partition);
      const start = snapshot ? BigInt(snapshot.nextOffset) : (low.get(key) ?? 0n);
      partitions.push({
        partition,
        count: snapshot?.count ?? 0,
        average: snapshot ? snapshotAggregate(snapshot).average : null,
        nextOffset: snapshot?.nextOffset ?? null,
        endOffset: h.toString(),
        lag: Number(h > start ? h - start : 0n),
        updatedAt: snapshot?.updatedAt ?? null,
      });
    }
    return partitions.sort((a, b) => a.partition - b.partition);
  };

  const consumerHealth = (lag: number): ConsumerHealth => {
    const times = [...snapshots.values(), ...retrySnapshots.values()].map((s) => s.updatedAt);
    const lastSnapshotAt = times.length > 0 ? Math.max(...times) : null;
    const quiet = lastSnapshotAt === null
      ? "no snapshot yet"
      : `no snapshot for ${Math.round((now() - lastSnapshotAt) / 1000)} s`;
    const members = (group?.members ?? []).map((m) => ({
      clientId: m.clientId,
      host: m.host,
      partitions: (m.assignment[topics.orders] ?? []).toSorted((a, b) => a - b),
    }));
    const base = { groupState: group?.state ?? null, members, lastSnapshotAt };
    if (group === undefined || group === null) {
      return { state: "unknown", detail: `group ${topics.groupId}: not described yet`, ...base };
    }
    if (members.length === 0) {
      return {
        state: "stopped",
        detail: `consumer stopped: no member in ${topics.groupId}, ${quiet}`,
        ...base,
      };
    }
    // Before its first snapshot a new group may have started at the end, so
    // the lag seen here is not yet the group's: that is not called stalled.
    if (lastSnapshotAt !== null && lag > 0 && now() - lastSnapshotAt > staleAfterMs) {
      return { state: "stalled", detail: `consumer stalled: ${lag} waiting, ${quiet}`, ...base };
    }
    const count = `${members.length} member${members.length === 1 ? "" : "s"}`;
    const first = lastSnapshotAt === null ? `, ${quiet}` : "";
    return { state: "live", detail: `live: ${count} in ${topics.groupId}${first}`, ...base };
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
        const errorClass = header(record, ERROR_CLASS) ?? "unknown";
        byClass[errorClass] = (byClass[errorClass] ?? 0) + 1;
        push(tables.dlq, deadLetterRow(record), record, deadLetterTableSize);
      } else if (record.topic === topics.retry) {
        const { round, due, attempts } = readRetryContext(record);
        push(tables.retry, { ...row(record), retry: { round, due, attempts } }, record);
      } else if (record.topic === topics.orders) {
        push(tables.orders, row(record), record);
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
    setGroup(description) {
      group = description;
    },
    setReplay(job) {
      replayJob = job;
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
      throughputHistory.push([t, throughput]);
      if (throughputHistory.length > historySize) throughputHistory.shift();
      for (const p of partitionRows()) {
        const samples = lagSamples.get(p.partition) ?? [];
        samples.push(p.lag);
        if (samples.length > 5) samples.shift();
        lagSamples.set(p.partition, samples);
      }
    },
    record(topic, partition, offset) {
      return records.get(recordKey(topic, partition, offset));
    },
    view() {
      const agg = aggregate();
      const partitions = partitionRows().map((p) => {
        const samples = lagSamples.get(p.partition) ?? [];
        return { ...p, lagGrowing: samples.length > 1 && p.lag > 0 && p.lag > samples[0] };
      });
      return {
        topics,
        aggregate: agg,
        // History is sampled once a second; ending it at the current value keeps
        // the chart in step with the number beside it.
        history: agg.average === null ? [...history] : [...history, [now(), agg.average]],
        processed: agg.count,
        throughput,
        throughputHistory: [...throughputHistory],
        stored: {
          orders: stored(topics.orders),
          retry: stored(topics.retry),
          dlq: stored(topics.dlq),
        },
        deadLetteredByClass: { ...byClass },
        partitions,
        consumer: consumerHealth(partitions.reduce((sum, p) => sum + p.lag, 0)),
        replay: replayJob,
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
