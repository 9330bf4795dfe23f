/**
 * Typed configuration from flags and environment variables, validated in one
 * pass that reports every problem at once, then frozen. Defaults live here.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** The pipeline's name: its default consumer group and its client id in broker logs. */
const PIPELINE = "order-pipeline";

const TOPICS = {
  orders: "orders",
  retry: "orders-retry",
  dlq: "orders-dlq",
  stats: "orders-stats",
};

/**
 * Every default of the pipeline, in one place: the commands' flags, their
 * help texts and the library options all read it, so a value changes here and
 * nowhere else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULTS } from "./config.ts";
 * assert.equal(DEFAULTS.topics.dlq, "orders-dlq");
 * ```
 */
export const DEFAULTS = deepFreeze({
  /** Kafka bootstrap servers. */
  brokers: ["localhost:9092"],
  /** Topic names (ARCHITECTURE.md, Topics). */
  topics: TOPICS,
  /**
   * How long a write waits for an unreachable broker, in ms: the producer's
   * orders, and the consumer's dead letters, retry records and snapshots.
   */
  writeTimeoutMs: 300_000,
  /** The consumer group whose offsets and snapshots the pipeline keeps. */
  groupId: PIPELINE,
  /** Names a client in broker logs. */
  clientId: PIPELINE,
  /** The order consumer (`consume`, `consumeOrders`). */
  consumer: {
    /** Retries of a transient failure in the process. */
    maxRetries: 3,
    /** First backoff delay in ms; it doubles each retry, with full jitter. */
    backoffMs: 1000,
    /** Longest backoff delay in ms. */
    maxBackoffMs: 30_000,
    /** Chance that the simulated processor times out on an order. */
    failRate: 0.1,
    /** Which records wait for which (`key`, `partition` or `unordered`). */
    ordering: "key" as const,
    /**
     * Unsettled records per partition at most. Under failures most of them
     * are records in backoff: with 10% failing and held about 0.6 s, a
     * partition settling R records/s holds about 0.06 R (Little's law), so
     * 1000 capped a partition near 16,000/s, and bursts of a whole fetch hit
     * it sooner. At the defaults, a consumer whose every order fails (30 s
     * backoff) holds 24,000 in backoff within its 96 MB heap bound.
     */
    maxInFlight: 8000,
    /** Unsettled records in the whole process at most. */
    maxInFlightTotal: 24_000,
    /** Wait before each round on the retry topic, in ms. */
    retryDelayMs: 30_000,
    /** Rounds through the retry topic before the DLQ; 0 turns the tier off. */
    maxRetryRounds: 3,
    /** How often each partition's transaction commits in exactly-once mode, in ms. */
    transactionIntervalMs: 200,
    /** How long a graceful stop waits for in-flight records, in ms. */
    drainTimeoutMs: 10_000,
    /** How long the group waits for a silent member after a crash, in ms. */
    sessionTimeoutMs: 30_000,
    /** Shortest time between two snapshots of the aggregate, in ms. */
    snapshotIntervalMs: 1000,
    /** How often the command's status line updates, in ms. */
    statusIntervalMs: 1000,
    /** Address the metrics server listens on. */
    metricsHost: "127.0.0.1",
  },
  /** The Kafka source (`fromKafka`). */
  source: {
    /** Partitions handled at once. */
    partitionsConsumedConcurrently: 3,
    /** Fetch size ceiling per partition in bytes. */
    maxBytesPerPartition: 1_048_576,
    /** How often settled offsets are committed, in ms. */
    commitIntervalMs: 1000,
    /** Wait before running a consumer again whose group coordinator no broker named, in ms. */
    coordinatorRetryMs: 1000,
    /** How long after its last join a consumer waits for a group coordinator at most, in ms. */
    coordinatorPatienceMs: 120_000,
    /**
     * How long a stop waits for a consumer still joining its group to leave,
     * in ms: it holds nothing, and a join can wait out a crashed member's
     * session.
     */
    leaveWhileJoiningMs: 2000,
  },
  /** The order producer (`produce`, `produceOrders`). */
  producer: {
    /** Pause between orders in ms; 0 sends batches back to back. */
    intervalMs: 2000,
    /** Share of poison bytes and invalid orders, 0 to 1. */
    badRate: 0,
    /** Records per request when the interval is 0. */
    batchSize: 1000,
  },
  /** The demo: a short run with some bad orders and failures to see. */
  demo: {
    count: 50,
    badRate: 0.1,
    intervalMs: 100,
    failRate: 0.1,
    backoffMs: 500,
  },
  /** The dashboard. */
  dashboard: {
    /** Address to listen on. */
    host: "127.0.0.1",
    /** Port; 0 picks a free one. */
    port: 8080,
    /** Rows per table. */
    tableSize: 20,
    /** How often the consumer group is described, in ms. */
    groupIntervalMs: 2000,
    /** A group with members but no snapshot for this long while records wait is stalled, in ms. */
    staleAfterMs: 10_000,
  },
  /** Replays of dead letters (`dlq replay`, the dashboard). */
  replay: {
    /** Letters already replayed this many times are parked. */
    maxReplays: 3,
    /** The consumer group holding `dlq replay`'s progress. */
    groupId: `${TOPICS.dlq}-replay`,
  },
  /** The embedded broker (`broker start`). */
  broker: {
    /** Client port. */
    port: 9092,
    /** JVM heap ceiling. */
    heap: "512m",
  },
});

/** Freezes `value` and everything in it. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === "object" && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}

/** Partitions of the orders topic (and of the retry topic, which mirrors it). */
const ORDER_PARTITIONS = 3;

const SEVEN_DAYS_MS = String(7 * 24 * 60 * 60 * 1000);

/** How one topic is created when missing (the shape `ensureTopics` takes). */
export interface TopicSettings {
  name: string;
  partitions: number;
  config?: Record<string, string>;
  /** The topic whose records it wraps; its size limit follows from that topic's. */
  holdsRecordsOf?: string;
}

/** The settings each topic is created with when missing. */
export function topicSpecs(topics: {
  orders: string;
  retry?: string;
  dlq?: string;
  stats?: string;
}): TopicSettings[] {
  const specs: TopicSettings[] = [{ name: topics.orders, partitions: ORDER_PARTITIONS }];
  // The retry topic and the DLQ wrap orders records: they are sized to hold the largest.
  if (topics.retry) {
    specs.push({
      name: topics.retry,
      partitions: ORDER_PARTITIONS,
      holdsRecordsOf: topics.orders,
    });
  }
  if (topics.dlq) {
    specs.push({
      name: topics.dlq,
      partitions: 1,
      config: { "retention.ms": SEVEN_DAYS_MS },
      holdsRecordsOf: topics.orders,
    });
  }
  if (topics.stats) {
    specs.push({ name: topics.stats, partitions: 1, config: { "cleanup.policy": "compact" } });
  }
  return specs;
}

/**
 * The first two roles in `topics` given one topic, or undefined when each
 * role has its own (or none). The consumer reads the orders topic and the
 * retry topic and writes the others: one topic in two roles would have the
 * consumer read its own dead letters or snapshots, without end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedTopic } from "./config.ts";
 *
 * assert.deepEqual(sharedTopic({ topic: "orders", dlqTopic: "orders" }), ["topic", "dlqTopic", "orders"]);
 * assert.equal(sharedTopic({ topic: "orders", dlqTopic: "orders-dlq", statsTopic: undefined }), undefined);
 * ```
 */
export function sharedTopic(
  topics: Readonly<Record<string, string | undefined>>,
): [string, string, string] | undefined {
  const seen = new Map<string, string>();
  for (const [role, topic] of Object.entries(topics)) {
    if (topic === undefined) continue;
    const first = seen.get(topic);
    if (first !== undefined) return [first, role, topic];
    seen.set(topic, role);
  }
  return undefined;
}

/** Describes one setting: its flag, its environment variable and its parser. */
export interface Setting<T> {
  /** Environment variable consulted when the flag is absent. */
  env?: string;
  /** Value when neither flag nor variable is given. */
  default: T;
  /**
   * Turns text into a value, or throws an Error whose message ends the
   * sentence "must …". A setting parsed by {@link boolean} is a switch: its
   * flag takes no value.
   */
  parse: (text: string) => T;
  /** `false` for a setting read from the environment only: no flag sets it. @default true */
  flag?: boolean;
  /**
   * Checks this setting against the others once all are read (a combination
   * that is wrong, such as a TLS CA without TLS); returns the problem, a
   * sentence naming the flags, or nothing. A setting that failed to parse is
   * `undefined` in `values`.
   */
  check?(value: T, values: Readonly<Record<string, unknown>>): string | undefined;
}

/** Settings by name (camelCase; the flag is its kebab-case form). */
export type Settings = Record<string, Setting<unknown>>;
/** The values {@link loadConfig} reads for `S`. */
export type Values<S extends Settings> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/**
 * Reads every setting from `flags` (as `parseArgs` gives them, flag names in
 * kebab-case) or the environment, and throws one {@link ConfigError} naming
 * every flag that is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { integer, loadConfig } from "./config.ts";
 * const config = loadConfig("produce", { count: "5" }, () => undefined, {
 *   count: { default: 50, parse: integer(1) },
 * });
 * assert.equal(config.count, 5);
 * ```
 */
export function loadConfig<S extends Settings>(
  command: string,
  flags: Record<string, string | boolean | undefined>,
  env: (name: string) => string | undefined,
  settings: S,
): Values<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const flag = flagName(key);
    const given = setting.flag === false ? undefined : flags[flag];
    const fromEnv = setting.env ? env(setting.env) : undefined;
    if (given === "") {
      problems.push(`${command}: flag --${flag} needs a value, got ""`);
      continue;
    }
    const text = given !== undefined ? String(given) : fromEnv;
    if (text === undefined || text === "") {
      out[key] = setting.default;
      continue;
    }
    try {
      out[key] = setting.parse(text);
    } catch (err) {
      const source = given !== undefined ? `flag --${flag}` : `${setting.env} (for --${flag})`;
      const why = err instanceof Error ? err.message : String(err);
      problems.push(`${command}: ${source} ${why}, got ${JSON.stringify(text)}`);
    }
  }
  for (const [key, setting] of Object.entries(settings)) {
    const problem = key in out ? setting.check?.(out[key], out) : undefined;
    if (problem) problems.push(`${command}: ${problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Values<S>;
}

/** The flag of a setting: `maxRetries` is `--max-retries`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parser for a whole number within bounds. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
      throw new Error(
        max === Number.MAX_SAFE_INTEGER
          ? `must be a whole number >= ${min}`
          : `must be a whole number from ${min} to ${max}`,
      );
    }
    return value;
  };
}

/** Parser for a number within bounds. */
export function decimal(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`must be a number from ${min} to ${max}`);
    }
    return value;
  };
}

/** Parser for a yes/no value (`true`, `false`, `1`, `0`). */
export function boolean(text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new Error("must be true or false");
}

/** Parser for a non-empty name. */
export function name(text: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text)) {
    throw new Error("must be 1 to 249 letters, digits, '.', '_' or '-'");
  }
  return text;
}

/** Parser for a comma-separated list of `host:port`. */
export function brokerList(text: string): string[] {
  const list = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (list.length === 0 || list.some((b) => !/^[^:\s]+:\d{1,5}$/.test(b))) {
    throw new Error("must be a comma-separated list of host:port");
  }
  const badPort = list.find((b) => !(Number(b.slice(b.lastIndexOf(":") + 1)) <= 65535));
  if (badPort !== undefined) throw new Error(`must name ports up to 65535 (${badPort})`);
  return list;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// The longest wait a timer takes (2^31 - 1 ms, about 24.8 days); a longer one
// fires at once.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Parses a duration such as `500ms`, `2s`, `1.5m` or `0` into milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./config.ts";
 * assert.equal(parseDuration("2s"), 2000);
 * assert.throws(() => parseDuration("600h"), /at most 596h/); // past what a timer waits
 * ```
 */
export function parseDuration(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!match || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new Error("must be a duration such as 500ms, 2s or 1m (0 for none)");
  }
  const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]);
  if (ms > LONGEST_TIMER_MS) {
    throw new Error(
      `must be a duration of at most ${
        formatDuration(Math.floor(LONGEST_TIMER_MS / 3_600_000) * 3_600_000)
      }`,
    );
  }
  return ms;
}

/**
 * Parser for a duration within bounds, in ms; its message names them as
 * durations.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationWithin } from "./config.ts";
 *
 * assert.equal(durationWithin(1000, 60_000)("2s"), 2000);
 * assert.throws(() => durationWithin(1000, 60_000)("0"), /must be a duration from 1s to 1m/);
 * ```
 */
export function durationWithin(minMs: number, maxMs: number): (text: string) => number {
  return (text) => {
    const ms = parseDuration(text);
    if (ms < minMs || ms > maxMs) {
      throw new Error(
        `must be a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`,
      );
    }
    return ms;
  };
}

/**
 * Writes milliseconds as the largest whole unit {@link parseDuration} reads
 * back: `30s`, `5m`, `200ms`, `0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./config.ts";
 * assert.equal(formatDuration(300_000), "5m");
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  const unit = Object.entries(UNITS).reverse().find(([, size]) => ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}
