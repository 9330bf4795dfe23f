import { deepEqual, equal, throws } from "node:assert/strict";
import {
  brokerList,
  decimal,
  DEFAULTS,
  formatDuration,
  integer,
  loadConfig,
  parseDuration,
  topicSpecs,
} from "./config.ts";
import { ConfigError } from "./errors.ts";

const settings = {
  count: { default: 50, parse: integer(1) },
  failRate: { env: "FAIL_RATE", default: 0.1, parse: decimal(0, 1) },
  brokers: { env: "KAFKA_BROKERS", default: ["localhost:9092"], parse: brokerList },
};

Deno.test("loadConfig() takes flags over environment over defaults", () => {
  const env = (n: string) =>
    ({ FAIL_RATE: "0.5", KAFKA_BROKERS: "a:1,b:2" } as Record<string, string>)[n];
  const config = loadConfig("consume", { "fail-rate": "0.2" }, env, settings);
  deepEqual({ ...config }, { count: 50, failRate: 0.2, brokers: ["a:1", "b:2"] });
  equal(Object.isFrozen(config), true);
});

Deno.test("loadConfig() reports every bad value at once, naming each flag", () => {
  const env = (n: string) => n === "KAFKA_BROKERS" ? "nope" : undefined;
  let problems: readonly string[] = [];
  throws(() => {
    try {
      loadConfig("consume", { count: "zero", "fail-rate": "2" }, env, settings);
    } catch (err) {
      problems = (err as ConfigError).problems;
      throw err;
    }
  }, ConfigError);
  deepEqual(problems, [
    'consume: flag --count must be a whole number >= 1, got "zero"',
    'consume: flag --fail-rate must be a number from 0 to 1, got "2"',
    'consume: KAFKA_BROKERS (for --brokers) must be a comma-separated list of host:port, got "nope"',
  ]);
});

Deno.test("parseDuration() reads ms, s, m and h, and refuses a bare number but 0", () => {
  equal(parseDuration("500ms"), 500);
  equal(parseDuration("2s"), 2000);
  equal(parseDuration("1.5m"), 90_000);
  equal(parseDuration("0"), 0);
  throws(() => parseDuration("5"), /duration/);
  throws(() => parseDuration("-1s"), /duration/);
});

Deno.test("topicSpecs() gives the DLQ 7 days of retention and compacts the stats topic", () => {
  const specs = topicSpecs({ orders: "o", retry: "r", dlq: "d", stats: "s" });
  deepEqual(specs.map((s) => [s.name, s.partitions]), [["o", 3], ["r", 3], ["d", 1], ["s", 1]]);
  equal(specs[2].config?.["retention.ms"], "604800000");
  equal(specs[3].config?.["cleanup.policy"], "compact");
});

Deno.test("loadConfig() checks combinations after every value is read, skipping values that failed", () => {
  const combined = {
    low: { default: 0, parse: integer(0) },
    high: {
      default: 10,
      parse: integer(0),
      check: (high: number, values: Readonly<Record<string, unknown>>) =>
        typeof values.low === "number" && values.low > high
          ? "--low must not exceed --high"
          : undefined,
    },
  };
  const problems = (flags: Record<string, string>) => {
    try {
      loadConfig("range", flags, () => undefined, combined);
      return [];
    } catch (err) {
      return [...(err as ConfigError).problems];
    }
  };
  deepEqual(problems({ low: "3", high: "5" }), []);
  deepEqual(problems({ low: "7", high: "5" }), ["range: --low must not exceed --high"]);
  deepEqual(problems({ low: "x", high: "y" }), [
    'range: flag --low must be a whole number >= 0, got "x"',
    'range: flag --high must be a whole number >= 0, got "y"',
  ]);
});

Deno.test("formatDuration() writes what parseDuration() reads back, in the largest whole unit", () => {
  deepEqual(
    [0, 200, 1000, 1500, 30_000, 300_000, 7_200_000].map(formatDuration),
    ["0", "200ms", "1s", "1500ms", "30s", "5m", "2h"],
  );
  for (const ms of [0, 200, 1000, 1500, 30_000, 300_000, 7_200_000]) {
    equal(parseDuration(formatDuration(ms)), ms);
  }
});

Deno.test("DEFAULTS cannot be changed at run time, however deep", () => {
  equal(Object.isFrozen(DEFAULTS), true);
  equal(Object.isFrozen(DEFAULTS.consumer), true);
  equal(Object.isFrozen(DEFAULTS.brokers), true);
  throws(() => {
    (DEFAULTS.consumer as { maxRetries: number }).maxRetries = 9;
  }, TypeError);
});

Deno.test("loadConfig() reads a setting with flag: false from the environment only", () => {
  const config = loadConfig("consume", { secret: "from-flag" }, () => "from-env", {
    secret: { env: "SECRET", default: "none", parse: (text: string) => text, flag: false },
  });
  equal(config.secret, "from-env");
});

Deno.test("parseDuration() refuses a wait longer than a timer takes, which would fire at once", () => {
  equal(parseDuration("596h"), 596 * 3_600_000);
  for (const text of ["597h", "600h", "99999999h", "2147483648ms"]) {
    throws(() => parseDuration(text), /must be a duration of at most 596h/, text);
  }
});

Deno.test("brokerList() refuses a port above 65535, naming the address", () => {
  deepEqual(brokerList("a:9092,b:65535"), ["a:9092", "b:65535"]);
  throws(() => brokerList("a:9092,b:99999"), /ports up to 65535 \(b:99999\)/);
});
