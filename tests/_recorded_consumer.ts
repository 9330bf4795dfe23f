// A test's own topics and a consumer of them whose outcomes are recorded: the
// retry-tier and replay tests share them.
import { lastValueFrom } from "rxjs";
import { topicSpecs } from "../pipeline/config.ts";
import {
  consumeOrders,
  type ConsumeOrdersOptions,
  type OutcomeReport,
} from "../pipeline/consumer/order_consumer.ts";
import type { ConsumerStats } from "../pipeline/consumer/consumer_stats.ts";
import { ensureTopics } from "../pipeline/kafka/topics.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";

/** A test's brokers, topics and consumer group. */
export interface TestTopics {
  brokers: string[];
  orders: string;
  retry: string;
  dlq: string;
  stats: string;
  group: string;
}

/** A consumer whose outcomes are recorded. */
export interface RecordedConsumer {
  readonly outcomes: OutcomeReport[];
  /** Stops gracefully; resolves to the last statistics. */
  stop(): Promise<ConsumerStats>;
}

/** Fresh orders, retry, DLQ and stats topics, and a group name, for one test. */
export async function setUp(label: string): Promise<TestTopics> {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const topics = {
    orders: topic,
    retry: `${topic}-retry`,
    dlq: `${topic}-dlq`,
    stats: `${topic}-stats`,
  };
  await ensureTopics(brokers, topicSpecs(topics));
  return { brokers, ...topics, group: `${topic}-group` };
}

// A consumer of a test's topics whose outcomes are recorded (then told to
// `more.onOutcome`), with no simulated failures, from the beginning, rounds
// 300 ms apart; stop() ends it gracefully and gives its last statistics.
export function consumeRecorded(
  { brokers, orders, retry, dlq, group }: TestTopics,
  more: Partial<ConsumeOrdersOptions> = {},
): RecordedConsumer {
  const outcomes: OutcomeReport[] = [];
  const controller = new AbortController();
  const done = lastValueFrom(
    consumeOrders({
      brokers,
      topic: orders,
      groupId: group,
      dlqTopic: dlq,
      retryTopic: retry,
      retryDelayMs: 300,
      failRate: 0,
      fromBeginning: true,
      ...more,
      signal: controller.signal,
      onOutcome: (report) => {
        outcomes.push(report);
        more.onOutcome?.(report);
      },
    }),
  );
  return {
    outcomes,
    stop: () => {
      controller.abort();
      return done;
    },
  };
}

// The commit moves by itself, after each partition's snapshot, and in each
// partition's transaction.
export const COMMIT_MODES = [
  { mode: "at least once", more: (_stats: string): Partial<ConsumeOrdersOptions> => ({}) },
  { mode: "at least once with snapshots", more: (statsTopic: string) => ({ statsTopic }) },
  { mode: "exactly once", more: (statsTopic: string) => ({ statsTopic, exactlyOnce: true }) },
];
