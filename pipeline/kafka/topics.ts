/**
 * Topic setup and offset queries: creates missing topics with the settings
 * ARCHITECTURE.md gives, and never changes a topic that exists.
 *
 * @module
 */
import { coordinatorNotFoundError, isCoordinatorNotFound } from "./_coordinator_rejoin.ts";
import { DEFAULTS } from "../config.ts";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { createKafka } from "./client.ts";
import { retryRetriable } from "./_retriable.ts";

/** A topic the pipeline needs. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic configs such as `retention.ms` or `cleanup.policy`. */
  config?: Record<string, string>;
  /**
   * The topic whose records this one must hold wrapped in an envelope (the
   * DLQ and the retry topic wrap records of the orders topic): it is created
   * with a `max.message.bytes` of {@link roomFor} that topic's limit, unless
   * `config` sets one.
   */
  holdsRecordsOf?: string;
}

/**
 * What an envelope adds at most to the record it wraps, beyond a second copy
 * of the record's key and headers: the error message and stack trace, in the
 * envelope and in the headers (at most 5,000 characters, up to 3 bytes each),
 * the order's fields and the context, with room to spare.
 */
const ENVELOPE_ALLOWANCE = 64 * 1024;

/**
 * The `max.message.bytes` a topic needs to hold any record of a topic whose
 * limit is `sourceLimit`, wrapped: the record's value, key and headers sum to
 * at most `sourceLimit`; the envelope holds all three, and the key and headers
 * travel once more on the record itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roomFor } from "./topics.ts";
 * assert.equal(roomFor(1_048_588), 2_162_712);
 * ```
 */
export function roomFor(sourceLimit: number): number {
  return 2 * sourceLimit + ENVELOPE_ALLOWANCE;
}

const MAX_MESSAGE_BYTES = "max.message.bytes";

/** What {@link ensureTopics} found and did. */
export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** Existing topics whose partition count differs from the spec; left as they are. */
  mismatched: Array<{ name: string; partitions: number; wanted: number }>;
}

/**
 * Creates the topics in `specs` that do not exist yet.
 *
 * @example
 * ```ts ignore
 * import { ensureTopics } from "./topics.ts";
 * await ensureTopics(["127.0.0.1:9092"], [{ name: "orders", partitions: 3 }]);
 * ```
 */
export async function ensureTopics(
  brokers: readonly string[],
  specs: readonly TopicSpec[],
): Promise<EnsureTopicsResult> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    const names = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !names.has(s.name));
    const create = async (batch: readonly TopicSpec[]) => {
      if (batch.length === 0) return;
      await retryRetriable(() =>
        admin.createTopics({
          waitForLeaders: true,
          topics: batch.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        })
      );
    };
    const sized = (s: TopicSpec) =>
      s.holdsRecordsOf !== undefined && s.config?.[MAX_MESSAGE_BYTES] === undefined;
    if (missing.length > 0) {
      // Topics that wrap another's records are sized from that topic's limit,
      // so they are created once it exists.
      await create(missing.filter((s) => !sized(s)));
      const wrapping = missing.filter(sized);
      const limits = new Map<string, number>();
      for (const source of new Set(wrapping.map((s) => s.holdsRecordsOf as string))) {
        limits.set(source, await maxMessageBytes(admin, source));
      }
      await create(wrapping.map((s) => ({
        ...s,
        config: {
          ...s.config,
          [MAX_MESSAGE_BYTES]: String(roomFor(limits.get(s.holdsRecordsOf as string) as number)),
        },
      })));
      // Leaders are elected, but a partition can still refuse requests for a
      // moment; callers expect a topic they can use at once.
      for (const spec of missing) await retryRetriable(() => admin.fetchTopicOffsets(spec.name));
    }
    const present = specs.filter((s) => names.has(s.name));
    const mismatched: EnsureTopicsResult["mismatched"] = [];
    if (present.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((s) => s.name) });
      for (const meta of topics) {
        const wanted = present.find((s) => s.name === meta.name)?.partitions ?? 0;
        if (meta.partitions.length !== wanted) {
          mismatched.push({ name: meta.name, partitions: meta.partitions.length, wanted });
        }
      }
    }
    return {
      created: missing.map((s) => s.name),
      existing: present.map((s) => s.name),
      mismatched,
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * A topic's effective `max.message.bytes`: its own setting or the broker's
 * default, the largest record batch it accepts.
 *
 * @example
 * ```ts ignore
 * import { topicMaxMessageBytes } from "./topics.ts";
 * console.log(await topicMaxMessageBytes(["127.0.0.1:9092"], "orders-dlq"));
 * ```
 */
export async function topicMaxMessageBytes(
  brokers: readonly string[],
  topic: string,
): Promise<number> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    return await maxMessageBytes(admin, topic);
  } finally {
    await admin.disconnect();
  }
}

async function maxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const { resources } = await retryRetriable(() =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configNames: [MAX_MESSAGE_BYTES],
      }],
    })
  );
  const entry = resources[0]?.configEntries.find((e) => e.configName === MAX_MESSAGE_BYTES);
  const limit = Number(entry?.configValue);
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new Error(
      `Cannot size topics for ${topic}: its ${MAX_MESSAGE_BYTES} is ${entry?.configValue}`,
    );
  }
  return limit;
}

/** Offsets of one partition. */
export interface PartitionOffsets {
  partition: number;
  /** The next offset a producer will write (the high watermark). */
  high: bigint;
  /** The earliest offset still stored. */
  low: bigint;
}

/** The stored offset range of every partition of `topic`. */
export async function topicOffsets(
  brokers: readonly string[],
  topic: string,
): Promise<PartitionOffsets[]> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic));
    return offsets.map((o) => ({
      partition: o.partition,
      high: BigInt(o.high),
      low: BigInt(o.low),
    })).sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The offsets `groupId` committed on each partition of `topic`: the next
 * offset it will read, or -1 where it committed nothing.
 */
export async function committedOffsets(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const positions = await committedPositions(brokers, groupId, topic);
  return new Map([...positions].map(([partition, { offset }]) => [partition, offset]));
}

/** A group's committed position on one partition. */
export interface CommittedPosition {
  /** The next offset the group reads, or -1 where it committed nothing. */
  offset: bigint;
  /** The commit's metadata (our consumer's map of settled offsets beyond it), or null. */
  metadata: string | null;
}

/** The positions `groupId` committed on each partition of `topic`, with their metadata. */
export async function committedPositions(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<Map<number, CommittedPosition>> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    // A coordinator still loading (a broker just started) is waited for, as
    // long as kafkajs says so; when no broker names one, that is one line.
    const [entry] = await retryRetriable(() => admin.fetchOffsets({ groupId, topics: [topic] }));
    return new Map(
      entry.partitions.map((p) => [
        p.partition,
        { offset: BigInt(p.offset), metadata: p.metadata ?? null },
      ]),
    );
  } catch (err) {
    throw isCoordinatorNotFound(err) ? coordinatorNotFoundError(groupId, err) : err;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Points a consumer group that has no active members at the current end of
 * every partition of `topic`, so it reads only what is written from now on.
 */
export async function startGroupAtEnd(
  brokers: readonly string[],
  groupId: string,
  topic: string,
): Promise<void> {
  const admin = createKafka({ brokers, clientId: `${DEFAULTS.clientId}-admin` }).admin();
  await admin.connect();
  try {
    const offsets = await retryRetriable(() => admin.fetchTopicOffsets(topic));
    await admin.setOffsets({
      groupId,
      topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })),
    });
  } finally {
    await admin.disconnect();
  }
}
