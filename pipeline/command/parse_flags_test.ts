import assert from "node:assert/strict";
import { parseFlags, UsageError } from "./parse_flags.ts";

const FLAGS = {
  count: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** The message of the UsageError `call` throws. */
function usage(call: () => unknown): string {
  try {
    call();
  } catch (err) {
    assert.ok(err instanceof UsageError, `a UsageError, got ${err}`);
    return err.message;
  }
  assert.fail("no UsageError");
}

Deno.test("parseFlags() reads values, switches and the short -h", () => {
  const { values } = parseFlags("produce", ["--count", "5", "--json", "-h"], FLAGS);
  assert.deepEqual({ ...values }, { count: "5", json: true, help: true });
});

Deno.test("parseFlags() names an unknown flag and points at --help", () => {
  assert.equal(
    usage(() => parseFlags("produce", ["--cout", "5"], FLAGS)),
    "produce: unknown flag --cout (see --help)",
  );
});

Deno.test("parseFlags() names a flag given without its value", () => {
  assert.equal(
    usage(() => parseFlags("produce", ["--count"], FLAGS)),
    "produce: flag --count needs a value",
  );
});

Deno.test("parseFlags() takes a negative number as the flag's value, for the flag's own check", () => {
  assert.equal(parseFlags("produce", ["--count", "-1"], FLAGS).values.count, "-1");
  assert.equal(parseFlags("produce", ["--count", "-0.5"], FLAGS).values.count, "-0.5");
});

Deno.test("parseFlags() refuses positional arguments unless the command takes them", () => {
  assert.equal(
    usage(() => parseFlags("produce", ["now"], FLAGS)),
    "produce: unexpected argument now",
  );
  const { positionals, values } = parseFlags("dlq", ["inspect", "--json"], FLAGS, true);
  assert.deepEqual(positionals, ["inspect"]);
  assert.equal(values.json, true);
});

Deno.test("parseFlags() says a switch given a value takes none, and shows the value", () => {
  assert.equal(
    usage(() => parseFlags("produce", ["--json=yes"], FLAGS)),
    'produce: flag --json takes no value (it is on when given, off when left out), got "yes"',
  );
});
