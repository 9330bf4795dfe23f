// The settings several commands share, each defined once: its flag, its
// environment variable, its parser and its default (from DEFAULTS).
import {
  boolean,
  brokerList,
  DEFAULTS,
  integer,
  name,
  parseDuration,
  type Setting,
} from "../config.ts";

/** Pick what a command has: `const { brokers, topic } = SHARED_SETTINGS`. */
export const SHARED_SETTINGS = {
  brokers: { env: "KAFKA_BROKERS", default: DEFAULTS.brokers, parse: brokerList },
  topic: { env: "ORDERS_TOPIC", default: DEFAULTS.topics.orders, parse: name },
  retryTopic: { env: "RETRY_TOPIC", default: DEFAULTS.topics.retry, parse: name },
  dlqTopic: { env: "DLQ_TOPIC", default: DEFAULTS.topics.dlq, parse: name },
  statsTopic: { env: "STATS_TOPIC", default: DEFAULTS.topics.stats, parse: name },
  group: { env: "CONSUMER_GROUP", default: DEFAULTS.groupId, parse: name },
  seed: { env: "SEED", default: undefined, parse: integer(0) } as Setting<number | undefined>,
  json: { default: false, parse: boolean },
  maxReplays: { default: DEFAULTS.replay.maxReplays, parse: integer(0) },
  writeTimeout: { env: "WRITE_TIMEOUT", default: DEFAULTS.writeTimeoutMs, parse: parseDuration },
} satisfies Record<string, Setting<unknown>>;
