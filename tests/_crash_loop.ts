// The crash loop of issue 10: a backlog of valid orders plus some garbage on 3
// partitions, the consume CLI killed with SIGKILL at random moments while it
// drains and restarted each time, then left to finish and stopped with SIGINT.
// What counts is what an operator sees: the merge of the latest snapshot of
// every partition on the stats topic, against the orders written.
//
// As a test helper: `runCrashLoop({ brokers, ... })`. By hand, against a broker:
//   KAFKA_BROKERS=127.0.0.1:19192 deno run -A tests/_crash_loop.ts [orders] [kills] [-- consume flags]
import { equal } from "node:assert/strict";
import { topicSpecs } from "../pipeline/config.ts";
import { readDeadLetterHeaders } from "../pipeline/dead_letter/read_dead_letter_headers.ts";
import { loadLatestSnapshots } from "../pipeline/consumer/load_latest_snapshots.ts";
import { snapshotAggregate, type StatsSnapshot } from "../pipeline/consumer/stats_snapshot.ts";
import { committedOffsets, ensureTopics, topicOffsets } from "../pipeline/kafka/topics.ts";
import type { OutboundRecord } from "../pipeline/kafka/kafka_producer.ts";
import { type Aggregate, mergeAggregates, toCents } from "../pipeline/operators/aggregate.ts";
import {
  type ConsumerProcess,
  outcomes,
  SLOW_DRAIN_ARGS,
  startConsumer,
} from "./_consumer_process.ts";
import { quietNegativeTimeoutWarning } from "../pipeline/kafka/quiet_negative_timeout_warning.ts";
import { writeRecords } from "./_kafka_helpers.ts";
import { orderRecord, readAll } from "./_orders.ts";

/** Options for {@link runCrashLoop}. */
export interface CrashLoopOptions {
  brokers: string[];
  /** Names the topics and the group; made unique per run. @default "crash-loop" */
  label?: string;
  /** Valid orders in the backlog, spread over the 3 partitions; 3 late ones follow. @default 100_000 */
  orders?: number;
  /** Garbage records (not Avro) written among them. @default 30 */
  garbage?: number;
  /** SIGKILLs that must land mid-stream. @default 12 */
  kills?: number;
  /** Longest random wait between a restarted consumer's first outcome and its kill, in ms. @default 1500 */
  maxKillDelayMs?: number;
  /** More consume flags (such as a mode under test). @default none */
  args?: string[];
  /** Progress lines. @default nothing */
  log?: (line: string) => void;
}

/** What a crash loop left behind. */
export interface CrashLoopResult {
  /** The topics it made and consumed. */
  topics: { orders: string; retry: string; dlq: string; stats: string };
  groupId: string;
  /** Valid orders written, the 3 late ones (one per partition, before the last run) included. */
  orders: number;
  garbage: number;
  /** Kills that landed while something was still uncommitted. */
  kills: number;
  /** Sum of the float32 prices written, added in writing order. */
  expectedSum: number;
  /** Sum of the prices written in whole cents, as the aggregate keeps it: exact. */
  expectedCents: number;
  /** The merge's sum in whole cents. */
  snapshotCents: number;
  /** The merge of the latest snapshot of every input partition. */
  snapshotCount: number;
  snapshotSum: number;
  /** The latest snapshot per partition, keyed `<topic>:<partition>`. */
  snapshots: Map<string, StatsSnapshot>;
  /** Records on the dead-letter topic (read committed). */
  deadLetters: number;
  /** Distinct original offsets among them. */
  distinctDeadLetters: number;
}

/** Runs the crash loop and reports what the stats and dead-letter topics hold. */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const {
    brokers,
    label = "crash-loop",
    orders = 100_000,
    garbage = 30,
    kills = 12,
    maxKillDelayMs = 1500,
    args: extra = [],
    log = () => {},
  } = options;
  const backlog = await prepareBacklog({ brokers, label, orders, garbage, args: extra });
  const { topics, groupId, args, total, committedTotal } = backlog;
  const topic = topics.orders;
  log(`wrote ${orders} orders and ${garbage} garbage records to ${topic}`);

  let landed = 0;
  while (landed < kills) {
    const consumer = startConsumer(args);
    const before = await committedTotal();
    await consumer.waitFor((lines) => outcomes(lines).length > 0, 120_000);
    await sleep(Math.random() * maxKillDelayMs);
    consumer.kill("SIGKILL");
    await consumer.finished();
    const after = await committedTotal();
    if (after >= total) {
      log(`kill ${landed + 1} came too late: the backlog was drained`);
      break;
    }
    landed += 1;
    log(
      `kill ${landed}: ${
        outcomes(consumer.lines).length
      } outcomes, committed ${before} -> ${after} of ${total}`,
    );
  }

  // One late order per partition, so the last run has each partition in hand
  // and its final snapshots cover every partition to its end.
  const late = Array.from({ length: 3 }, (_, partition) => {
    const price = Math.fround(1 + Math.random() * 999);
    return { price, record: orderRecord(`LATE-${partition}`, price, partition) };
  });
  await writeRecords(brokers, topic, late.map((l) => l.record));
  const lateSum = late.reduce((sum, l) => sum + l.price, 0);
  const lateCents = late.reduce((sum, l) => sum + toCents(l.price), 0);
  const totalWithLate = total + late.length;

  const last = startConsumer(args);
  await waitUntil(async () => await committedTotal() >= totalWithLate, last, 600_000);
  last.kill("SIGINT");
  const code = await last.finished();
  log(`the last run drained the backlog and stopped with exit code ${code}`);

  const { snapshots, merged, letters, origins } = await finalCounts(brokers, topics, groupId);
  return {
    topics,
    groupId,
    orders: orders + late.length,
    garbage,
    kills: landed,
    expectedSum: backlog.expectedSum + lateSum,
    expectedCents: backlog.expectedCents + lateCents,
    snapshotCents: merged.sumCents,
    snapshotCount: merged.count,
    snapshotSum: merged.sum,
    snapshots,
    deadLetters: letters.length,
    distinctDeadLetters: origins.size,
  };
}

/** A backlog on fresh topics, and the consume flags that drain it. */
export interface Backlog {
  topics: { orders: string; retry: string; dlq: string; stats: string };
  groupId: string;
  /** Consume flags: the topics, the group, the slow drain and the extra ones. */
  args: string[];
  /** Records written (orders and garbage). */
  total: number;
  expectedSum: number;
  /** The prices' sum in whole cents. */
  expectedCents: number;
  /** The group's committed offsets, summed over the partitions. */
  committedTotal(): Promise<number>;
}

/** Makes the topics and writes `orders` valid orders and `garbage` garbage records on 3 partitions. */
export async function prepareBacklog(options: {
  brokers: string[];
  label: string;
  orders: number;
  garbage: number;
  args?: string[];
}): Promise<Backlog> {
  const { brokers, label, orders, garbage, args: extra = [] } = options;
  const topic = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  const topics = {
    orders: topic,
    retry: `${topic}-retry`,
    dlq: `${topic}-dlq`,
    stats: `${topic}-stats`,
  };
  const groupId = `${topic}-g`;
  await ensureTopics(brokers, topicSpecs(topics));
  const { sum, cents } = await writeBacklog(brokers, topic, orders, garbage);
  const args = [
    `--brokers=${brokers.join(",")}`,
    `--topic=${topics.orders}`,
    `--retry-topic=${topics.retry}`,
    `--dlq-topic=${topics.dlq}`,
    `--stats-topic=${topics.stats}`,
    `--group=${groupId}`,
    "--from-beginning",
    // Every valid order stays out of the retry tier and the DLQ, so all of
    // them belong in the aggregate.
    ...SLOW_DRAIN_ARGS,
    ...extra,
  ];
  const committedTotal = async () => {
    let total = 0n;
    for (const offset of (await committedOffsets(brokers, groupId, topic)).values()) {
      if (offset > 0n) total += offset;
    }
    return Number(total);
  };
  return {
    topics,
    groupId,
    args,
    total: orders + garbage,
    expectedSum: sum,
    expectedCents: cents,
    committedTotal,
  };
}

/** What the stats and dead-letter topics hold (read committed). */
export interface FinalCounts {
  /** The latest snapshot per partition, keyed `<topic>:<partition>`. */
  snapshots: Map<string, StatsSnapshot>;
  /** Their merge. */
  merged: Aggregate;
  /** The dead letters. */
  letters: Awaited<ReturnType<typeof readAll>>;
  /** Their original positions, `<partition>@<offset>`. */
  origins: Set<string>;
}

/** Reads {@link FinalCounts}. */
export async function finalCounts(
  brokers: string[],
  topics: Backlog["topics"],
  groupId: string,
): Promise<FinalCounts> {
  const snapshots = await loadLatestSnapshots({ brokers, statsTopic: topics.stats, groupId });
  const merged = mergeAggregates(...[...snapshots.values()].map(snapshotAggregate));
  const letters = await readAll(brokers, topics.dlq);
  const origins = new Set(letters.map((r) => {
    const { originalPartition, originalOffset } = readDeadLetterHeaders(r.headers);
    return `${originalPartition}@${originalOffset}`;
  }));
  return { snapshots, merged, letters, origins };
}

/**
 * Asserts what issue 10 calls exact: the merged snapshots count `orders` and
 * their exact sum, every garbage record was dead-lettered, and (exactly once)
 * none twice.
 */
export async function assertExact(
  brokers: string[],
  backlog: Backlog,
  expected: { orders: number; garbage: number; exactlyOnce: boolean },
): Promise<void> {
  const { merged, letters, origins } = await finalCounts(brokers, backlog.topics, backlog.groupId);
  equal(merged.count, expected.orders, "every order counted once");
  equal(merged.sumCents, backlog.expectedCents, "the sum is exact");
  equal(origins.size, expected.garbage, "every garbage record was dead-lettered");
  if (expected.exactlyOnce) {
    equal(letters.length, expected.garbage, "no dead letter twice (read committed)");
  }
}

/** Writes the backlog, garbage spread evenly among the orders; returns the sum of the prices. */
async function writeBacklog(
  brokers: string[],
  topic: string,
  orders: number,
  garbage: number,
): Promise<{ sum: number; cents: number }> {
  let sum = 0;
  let cents = 0;
  let junk = 0;
  const every = garbage > 0 ? Math.max(1, Math.floor(orders / garbage)) : Infinity;
  let batch: OutboundRecord[] = [];
  for (let i = 0; i < orders; i++) {
    const price = Math.fround(1 + Math.random() * 999);
    sum += price;
    cents += toCents(price);
    batch.push(orderRecord(`ORD-${i}`, price, i % 3));
    if (junk < garbage && i % every === every - 1) {
      junk += 1;
      batch.push({
        key: `JUNK-${i}`,
        value: new TextEncoder().encode(`junk ${i}`),
        partition: i % 3,
      });
    }
    if (batch.length >= 5_000 || i === orders - 1) {
      await writeRecords(brokers, topic, batch);
      batch = [];
    }
  }
  const written = (await topicOffsets(brokers, topic)).reduce((n, p) => n + p.high, 0n);
  if (written !== BigInt(orders + junk)) {
    throw new Error(`Wrote ${written} records, meant ${orders} orders and ${garbage} garbage`);
  }
  if (junk !== garbage) throw new Error(`Wrote ${junk} garbage records, meant ${garbage}`);
  return { sum, cents };
}

/** Waits until `ready`; on timeout kills `consumer` and throws. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  consumer: ConsumerProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      consumer.kill("SIGKILL");
      await consumer.finished();
      throw new Error("The last run did not drain the backlog in time");
    }
    await sleep(500);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (import.meta.main) {
  quietNegativeTimeoutWarning();
  const [orders = "100000", kills = "12", ...rest] = Deno.args.filter((a) => a !== "--");
  const brokers = (Deno.env.get("KAFKA_BROKERS") ?? "").split(",").filter(Boolean);
  if (brokers.length === 0) throw new Error("Set KAFKA_BROKERS to the broker to run against");
  const started = Date.now();
  const result = await runCrashLoop({
    brokers,
    orders: Number(orders),
    kills: Number(kills),
    args: rest,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(
    {
      ...result,
      snapshots: Object.fromEntries(
        [...result.snapshots].map((
          [key, s],
        ) => [key, { count: s.count, nextOffset: s.nextOffset }]),
      ),
      seconds: Math.round((Date.now() - started) / 1000),
    },
    null,
    2,
  ));
}
