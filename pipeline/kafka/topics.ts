/**
 * Topic setup and offset queries: creates missing topics with the settings
 * ARCHITECTURE.md gives, and never changes a topic that exists.
 *
 * @module
 */
import { createKafka } from "./client.ts";
import { retryRetriable } from "./_retriable.ts";

/** A topic the pipeline needs. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic configs such as `retention.ms` or `cleanup.policy`. */
  config?: Record<string, string>;
}

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
  const admin = createKafka({ brokers, clientId: "order-pipeline-admin" }).admin();
  await admin.connect();
  try {
    const names = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !names.has(s.name));
    if (missing.length > 0) {
      await retryRetriable(() =>
        admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        })
      );
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
  const admin = createKafka({ brokers, clientId: "order-pipeline-admin" }).admin();
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
  const admin = createKafka({ brokers, clientId: "order-pipeline-admin" }).admin();
  await admin.connect();
  try {
    // A coordinator still loading (a broker just started) is waited for.
    const [entry] = await retryRetriable(() => admin.fetchOffsets({ groupId, topics: [topic] }));
    return new Map(entry.partitions.map((p) => [p.partition, BigInt(p.offset)]));
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
  const admin = createKafka({ brokers, clientId: "order-pipeline-admin" }).admin();
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
