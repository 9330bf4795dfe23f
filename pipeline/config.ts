/**
 * Typed configuration from flags and environment variables, validated in one
 * pass that reports every problem at once, then frozen. Defaults live here.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** Default topic names (ARCHITECTURE.md, Topics). */
export const DEFAULT_TOPICS = Object.freeze({
  orders: "orders",
  retry: "orders-retry",
  dlq: "orders-dlq",
  stats: "orders-stats",
});

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

/** Describes one setting: its flag, its environment variable and its parser. */
export interface Setting<T> {
  /** Environment variable consulted when the flag is absent. */
  env?: string;
  /** Value when neither flag nor variable is given. */
  default: T;
  /** Turns text into a value, or throws an Error whose message ends the sentence "must …". */
  parse: (text: string) => T;
  /**
   * Checks this setting against the others once all are read (a combination
   * that is wrong, such as a TLS CA without TLS); returns the problem, a
   * sentence naming the flags, or nothing. A setting that failed to parse is
   * `undefined` in `values`.
   */
  check?(value: T, values: Readonly<Record<string, unknown>>): string | undefined;
}

type Settings = Record<string, Setting<unknown>>;
type Values<S extends Settings> = {
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
    const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const given = flags[flag];
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
  return list;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `500ms`, `2s`, `1.5m` or `0` into milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDuration } from "./config.ts";
 * assert.equal(parseDuration("2s"), 2000);
 * ```
 */
export function parseDuration(text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!match || (match[2] === undefined && Number(match[1]) !== 0)) {
    throw new Error("must be a duration such as 500ms, 2s or 1m (0 for none)");
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? "ms"]);
}
