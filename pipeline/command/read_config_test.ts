import assert from "node:assert/strict";
import { boolean, DEFAULTS, integer, name, parseDuration } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { UsageError } from "./parse_flags.ts";
import { readConfig, settingFlags } from "./read_config.ts";

const SETTINGS = {
  topic: { env: "ORDERS_TOPIC", default: DEFAULTS.topics.orders, parse: name },
  maxRetries: { env: "MAX_RETRIES", default: DEFAULTS.consumer.maxRetries, parse: integer(0, 20) },
  drainTimeout: { default: DEFAULTS.consumer.drainTimeoutMs, parse: parseDuration },
  json: { default: false, parse: boolean },
  secret: { env: "SECRET", default: undefined as string | undefined, parse: name, flag: false },
};
const HELP = "Usage: deno task test [flags]";
const noEnv = () => undefined;

/** What `call` prints with console.log, and what it returns. */
function printed<T>(call: () => T): { lines: string[]; result: T } {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    return { lines, result: call() };
  } finally {
    console.log = log;
  }
}

Deno.test("settingFlags() gives a switch for a boolean setting, a value flag for the others, none for flag: false", () => {
  assert.deepEqual(settingFlags(SETTINGS), {
    topic: { type: "string" },
    "max-retries": { type: "string" },
    "drain-timeout": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
});

Deno.test("readConfig() without flags or environment gives the defaults of DEFAULTS", () => {
  const config = readConfig("consume", [], HELP, SETTINGS, noEnv);
  assert.deepEqual({ ...config }, {
    topic: DEFAULTS.topics.orders,
    maxRetries: DEFAULTS.consumer.maxRetries,
    drainTimeout: DEFAULTS.consumer.drainTimeoutMs,
    json: false,
    secret: undefined,
  });
});

Deno.test("readConfig() takes a flag over its environment variable over the default", () => {
  const env = (n: string) => ({ ORDERS_TOPIC: "from-env", MAX_RETRIES: "7" })[n];
  const config = readConfig("consume", ["--max-retries", "2", "--json"], HELP, SETTINGS, env);
  assert.equal(config?.topic, "from-env");
  assert.equal(config?.maxRetries, 2);
  assert.equal(config?.json, true);
});

Deno.test("readConfig() reads an environment-only setting and refuses it as a flag", () => {
  const env = (n: string) => n === "SECRET" ? "s3cret" : undefined;
  assert.equal(readConfig("consume", [], HELP, SETTINGS, env)?.secret, "s3cret");
  assert.throws(
    () => readConfig("consume", ["--secret", "x"], HELP, SETTINGS, env),
    new UsageError("consume: unknown flag --secret (see --help)"),
  );
});

Deno.test("readConfig() names every bad flag and variable at once", () => {
  const env = (n: string) => n === "ORDERS_TOPIC" ? "no spaces" : undefined;
  assert.throws(
    () =>
      readConfig(
        "consume",
        ["--max-retries", "99", "--drain-timeout", "soon"],
        HELP,
        SETTINGS,
        env,
      ),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, [
        `consume: ORDERS_TOPIC (for --topic) must be 1 to 249 letters, digits, '.', '_' or '-', got "no spaces"`,
        'consume: flag --max-retries must be a whole number from 0 to 20, got "99"',
        'consume: flag --drain-timeout must be a duration such as 500ms, 2s or 1m (0 for none), got "soon"',
      ]);
      return true;
    },
  );
});

Deno.test("readConfig() prints the help for --help and -h, before any value is checked", () => {
  for (const args of [["--help"], ["-h", "--max-retries", "99"]]) {
    const { lines, result } = printed(() => readConfig("consume", args, HELP, SETTINGS, noEnv));
    assert.equal(result, undefined);
    assert.deepEqual(lines, [HELP]);
  }
});

Deno.test("readConfig() names an unknown flag before reading any value", () => {
  assert.throws(
    () => readConfig("consume", ["--max-retries", "99", "--retries", "1"], HELP, SETTINGS, noEnv),
    new UsageError("consume: unknown flag --retries (see --help)"),
  );
});
