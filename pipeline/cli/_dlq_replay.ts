// `dlq replay`: sends dead letters back, committing the replay group's DLQ
// offsets in the same transaction as each send, so nothing is sent twice.
import { replayRecordFor } from "../dead_letter/replay_record_for.ts";
import { errorMessage } from "../errors.ts";
import { readRecordAt } from "../kafka/read_record_at.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import { readTopic } from "../kafka/read_topic.ts";
import { committedOffsets } from "../kafka/topics.ts";
import {
  connectTransactionalProducer,
  type TransactionalSink,
} from "../kafka/transactional_producer.ts";
import { type DlqFilter, matches, toEntry } from "./_dlq_read.ts";

export interface ReplayOptions {
  brokers: readonly string[];
  dlqTopic: string;
  group: string;
  filter: DlqFilter;
  to?: string;
  maxReplays: number;
  ratePerSecond?: number;
  dryRun: boolean;
  json: boolean;
  signal: AbortSignal;
  write: (line: string) => void;
}

export interface ReplaySummary {
  type: "summary";
  dryRun: boolean;
  sent: number;
  parked: number;
  skipped: number;
  unreadable: number;
  complete: boolean;
}

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { brokers, dlqTopic, group, filter, to, maxReplays, ratePerSecond, dryRun, json, write } =
    options;
  // Connecting first fences an earlier replay of this group and aborts what it left open.
  const sink: TransactionalSink | undefined = dryRun
    ? undefined
    : await connectTransactionalProducer({
      brokers,
      transactionalId: `order-pipeline-replay-${group}`,
    });
  const from = new Map<number, bigint>();
  for (const [partition, offset] of await committedOffsets(brokers, group, dlqTopic)) {
    if (offset >= 0n) from.set(partition, offset);
  }
  const summary: ReplaySummary = {
    type: "summary",
    dryRun,
    sent: 0,
    parked: 0,
    skipped: 0,
    unreadable: 0,
    complete: false,
  };
  const limitReached = new AbortController();
  const signal = AbortSignal.any([options.signal, limitReached.signal]);
  // Offsets of records passed over, committed with the next send (or at the end).
  const pending = new Map<number, bigint>();
  const offsets = () => ({
    groupId: group,
    topic: dlqTopic,
    partitions: [...pending].map(([partition, offset]) => ({ partition, offset })),
  });
  let nextSendAt = 0;
  const say = (event: Record<string, unknown>, text: string) =>
    write(json ? JSON.stringify(event) : text);

  const onRecord = async (record: KafkaRecord) => {
    const entry = toEntry(record);
    const where = `${record.partition}:${record.offset}`;
    pending.set(record.partition, BigInt(record.offset) + 1n);
    const letter = entry.letter;
    if (!matches(entry, filter)) {
      summary.skipped += 1;
      return;
    }
    if (letter === null) {
      summary.unreadable += 1;
      say(
        { type: "unreadable", dlq: where, problem: entry.problem },
        `unreadable ${where}: ${entry.problem}`,
      );
      return;
    }
    const event = {
      dlq: where,
      to: to ?? letter.originalTopic,
      orderId: letter.orderId,
      correlationId: entry.correlationId,
      replays: entry.replays,
    };
    if (entry.replays >= maxReplays) {
      summary.parked += 1;
      say(
        { type: "parked", ...event },
        `parked  ${where}  order ${letter.orderId ?? "-"}  correlation ${
          entry.correlationId ?? "-"
        }: ` +
          `already replayed ${entry.replays} times (--max-replays ${maxReplays})`,
      );
      return;
    }
    if (ratePerSecond !== undefined) {
      const wait = nextSendAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      nextSendAt = Math.max(nextSendAt, Date.now()) + 1000 / ratePerSecond;
    }
    if (sink) {
      let original;
      try {
        original = await replayRecordFor(letter, (t, p, o) => readRecordAt(brokers, t, p, o));
      } catch (err) {
        summary.unreadable += 1;
        say({ type: "unreadable", dlq: where, problem: errorMessage(err) }, errorMessage(err));
        return;
      }
      await sink.sendWithOffsets(event.to, [original], offsets());
      pending.clear();
    }
    summary.sent += 1;
    say(
      { type: dryRun ? "would-send" : "sent", ...event, replay: entry.replays + 1 },
      `${dryRun ? "would send" : "sent"}  ${where} -> ${event.to}  order ${
        letter.orderId ?? "-"
      }  ` +
        `correlation ${entry.correlationId ?? "-"}  replay #${entry.replays + 1}`,
    );
    if (filter.limit !== undefined && summary.sent >= filter.limit) limitReached.abort();
  };

  try {
    const result = await readTopic({ brokers, topic: dlqTopic, from, signal }, onRecord);
    summary.complete = result.complete;
    if (sink && pending.size > 0) await sink.commitOffsets(offsets());
  } finally {
    await sink?.disconnect();
  }
  return summary;
}
