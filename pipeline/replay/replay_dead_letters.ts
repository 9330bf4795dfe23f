/**
 * The one replay of dead letters, for `deno task dlq replay` and the
 * dashboard's redrive: reads the DLQ, sends each chosen letter's original
 * record back (to its original topic, for the letter's group only, or to `to`,
 * for every reader: `replay_group.ts`), parks letters already replayed
 * `maxReplays` times, and commits the replay group's DLQ offsets in the same
 * Kafka transaction as each send, so nothing is sent twice.
 *
 * @module
 */
import { DEFAULTS } from "../config.ts";
import type { DeadLetter } from "../dead_letter/dead_letter.ts";
import { decodeDeadLetter } from "../dead_letter/decode_dead_letter.ts";
import { replayCount } from "../dead_letter/build_replay_record.ts";
import { replayRecordFor } from "../dead_letter/replay_record_for.ts";
import { errorMessage } from "../errors.ts";
import type { OutboundRecord } from "../kafka/kafka_producer.ts";
import { addressedTo, replayGroupFor } from "./replay_group.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import { readRecordAt } from "../kafka/read_record_at.ts";
import { readTopic } from "../kafka/read_topic.ts";
import { committedOffsets } from "../kafka/topics.ts";
import {
  connectTransactionalProducer,
  type TransactionalSink,
} from "../kafka/transactional_producer.ts";

/** A DLQ record as the replay sees it, for `select`. */
export interface ReplayCandidate {
  record: KafkaRecord;
  /** The envelope, or null when the value is not one. */
  letter: DeadLetter | null;
}

/** What happened to one letter; `dlq` is `partition:offset` on the DLQ. */
export type ReplayEvent =
  | {
    type: "sent" | "would-send" | "parked";
    dlq: string;
    to: string;
    /** The group the replay is for (`x-replay-group`); null for every reader of `to`. */
    group: string | null;
    orderId: string | null;
    correlationId: string | null;
    /** Replays before this one. */
    replays: number;
  }
  | { type: "unreadable"; dlq: string; problem: string };

/** The outcome of a replay. */
export interface ReplaySummary {
  type: "summary";
  dryRun: boolean;
  /** Sent, or would be sent in a dry run. */
  sent: number;
  parked: number;
  /** Read but not chosen. */
  skipped: number;
  unreadable: number;
  /** False when stopped (signal, limit) before the end of the DLQ or of `positions`. */
  complete: boolean;
}

/** Options for {@link replayDeadLetters}. */
export interface ReplayDeadLettersOptions {
  brokers: readonly string[];
  dlqTopic: string;
  /** The consumer group holding the replay's progress (its DLQ offsets). */
  group: string;
  /**
   * Where reading starts: `"committed"` goes on from the group's progress (a
   * replay run again sends nothing twice); `"earliest"` reads the whole DLQ.
   * @default "committed"
   */
  start?: "committed" | "earliest";
  /** Only these letters (`partition:offset`); reading starts at the lowest and stops after the last. */
  positions?: ReadonlySet<string>;
  /** Chooses letters; every one when left out. */
  select?: (candidate: ReplayCandidate) => boolean;
  /**
   * Send to this topic instead of each letter's original topic. A replay to
   * the original topic is for the letter's group only; one to another topic
   * names no group.
   */
  to?: string;
  /** Park letters already replayed this many times. @default DEFAULTS.replay.maxReplays */
  maxReplays?: number;
  /** Send at most this many. */
  limit?: number;
  /** Sends per second at most. */
  ratePerSecond?: number;
  /** Report what would be sent; send and commit nothing. @default false */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Told each letter's outcome as it happens: the progress records. */
  onEvent?: (event: ReplayEvent) => void;
  /**
   * The record to send for a letter; a rejection counts the letter as
   * unreadable, with the error's message as the problem.
   * @default the letter's own key, payload and headers; for a letter written
   * without its payload, the original read back from `letter.originalTopic`
   * at `originalPartition`/`originalOffset` (replayRecordFor)
   */
  originalRecord?: (letter: DeadLetter) => Promise<OutboundRecord>;
}

// Beyond any real offset: a partition started here is read not at all.
const NOWHERE = 2n ** 62n;

/**
 * Replays dead letters and resolves to the summary.
 *
 * @example
 * ```ts ignore
 * import { replayDeadLetters } from "./replay_dead_letters.ts";
 * const summary = await replayDeadLetters({
 *   brokers: ["127.0.0.1:9092"], dlqTopic: "orders-dlq", group: "orders-dlq-replay",
 *   select: ({ letter }) => letter?.errorClass === "transient",
 *   onEvent: (event) => console.log(event.type, event.dlq),
 * });
 * console.log(`sent ${summary.sent}, parked ${summary.parked}`);
 * ```
 */
export async function replayDeadLetters(
  options: ReplayDeadLettersOptions,
): Promise<ReplaySummary> {
  const {
    brokers,
    dlqTopic,
    group,
    start = "committed",
    positions,
    select = () => true,
    to,
    maxReplays = DEFAULTS.replay.maxReplays,
    limit,
    ratePerSecond,
    dryRun = false,
    onEvent = () => {},
    originalRecord = (letter: DeadLetter) =>
      replayRecordFor(
        letter,
        (topic, partition, offset) => readRecordAt(brokers, topic, partition, offset),
      ),
  } = options;
  if (!Number.isInteger(maxReplays) || maxReplays < 0) {
    throw new RangeError(
      `Cannot replay: 'maxReplays' must be a whole number >= 0, got ${maxReplays}`,
    );
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(`Cannot replay: 'limit' must be a whole number >= 1, got ${limit}`);
  }
  if (ratePerSecond !== undefined && !(ratePerSecond > 0)) {
    throw new RangeError(`Cannot replay: 'ratePerSecond' must be above 0, got ${ratePerSecond}`);
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
  const wanted = positions && new Set(positions);
  if (wanted?.size === 0) return { ...summary, complete: true };
  // Connecting first fences an earlier replay of this group and aborts what it left open.
  const sink: TransactionalSink | undefined = dryRun
    ? undefined
    : await connectTransactionalProducer({
      brokers,
      transactionalId: `${DEFAULTS.clientId}-replay-${group}`,
    });
  try {
    const from = await startOffsets(brokers, dlqTopic, group, start, wanted);
    const enough = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, enough.signal])
      : enough.signal;
    // Offsets of records passed over, committed with the next send (or at the end).
    const pending = new Map<number, bigint>();
    const progress = () => ({
      groupId: group,
      topic: dlqTopic,
      partitions: [...pending].map(([partition, offset]) => ({ partition, offset })),
    });
    let nextSendAt = 0;

    const onRecord = async (record: KafkaRecord) => {
      const dlq = `${record.partition}:${record.offset}`;
      pending.set(record.partition, BigInt(record.offset) + 1n);
      if (wanted && !wanted.delete(dlq)) {
        summary.skipped += 1;
        return;
      }
      let letter: DeadLetter | null = null;
      let problem = "";
      try {
        letter = decodeDeadLetter(record.value);
      } catch (err) {
        problem = `not a dead-letter envelope: ${errorMessage(err)}`;
      }
      if (!select({ record, letter })) summary.skipped += 1;
      else if (letter === null) {
        summary.unreadable += 1;
        onEvent({ type: "unreadable", dlq, problem });
      } else {
        const replays = replayCount(letter.originalHeaders);
        const target = to ?? letter.originalTopic;
        const event = {
          dlq,
          to: target,
          group: replayGroupFor(letter, target),
          orderId: letter.orderId,
          correlationId: letter.correlationId,
          replays,
        };
        if (replays >= maxReplays) {
          summary.parked += 1;
          onEvent({ type: "parked", ...event });
        } else {
          if (ratePerSecond !== undefined) {
            const wait = nextSendAt - Date.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            nextSendAt = Math.max(nextSendAt, Date.now()) + 1000 / ratePerSecond;
          }
          let original: OutboundRecord | undefined;
          try {
            if (sink) original = await originalRecord(letter);
          } catch (err) {
            problem = errorMessage(err);
          }
          if (problem) {
            summary.unreadable += 1;
            onEvent({ type: "unreadable", dlq, problem });
          } else {
            if (sink && original) {
              await sink.sendWithOffsets(
                event.to,
                [addressedTo(original, event.group)],
                progress(),
              );
              pending.clear();
            }
            summary.sent += 1;
            onEvent({ type: dryRun ? "would-send" : "sent", ...event });
          }
        }
      }
      if (
        (limit !== undefined && summary.sent >= limit) ||
        (wanted !== undefined && wanted.size === 0)
      ) enough.abort();
    };

    const result = await readTopic({ brokers, topic: dlqTopic, from, signal }, onRecord);
    summary.complete = result.complete || (wanted !== undefined && wanted.size === 0);
    if (sink && pending.size > 0) await sink.commitOffsets(progress());
    return summary;
  } finally {
    await sink?.disconnect();
  }
}

/** Where each DLQ partition's read starts. */
async function startOffsets(
  brokers: readonly string[],
  dlqTopic: string,
  group: string,
  start: "committed" | "earliest",
  wanted: ReadonlySet<string> | undefined,
): Promise<Map<number, bigint>> {
  const from = new Map<number, bigint>();
  if (wanted) {
    const lowest = new Map<number, bigint>();
    for (const position of wanted) {
      const [partition, offset] = position.split(":");
      const p = Number(partition);
      const o = BigInt(offset);
      if (!lowest.has(p) || o < lowest.get(p)!) lowest.set(p, o);
    }
    const partitions = await committedOffsets(brokers, group, dlqTopic);
    for (const [partition] of partitions) from.set(partition, lowest.get(partition) ?? NOWHERE);
    for (const [partition, offset] of lowest) from.set(partition, offset);
    return from;
  }
  if (start === "earliest") return from;
  for (const [partition, offset] of await committedOffsets(brokers, group, dlqTopic)) {
    if (offset >= 0n) from.set(partition, offset);
  }
  return from;
}
