import assert from "node:assert/strict";
import { BrokerError, ConfigError } from "../errors.ts";
import { showKafkaLogs } from "../kafka/client.ts";
import { UsageError } from "./parse_flags.ts";
import { runCommand } from "./run_command.ts";

/** Runs `main` as command `test` with `args`; gives the exit codes and the lines written. */
async function run(main: (args: string[]) => Promise<number>, args: string[] = []) {
  const codes: number[] = [];
  const lines: string[] = [];
  await runCommand("test", main, {
    args,
    exit: (code) => {
      codes.push(code);
      return undefined as never;
    },
    error: (line) => lines.push(line),
  });
  return { codes, lines };
}

Deno.test("runCommand() exits with the code main gives, and writes nothing", async () => {
  assert.deepEqual(await run(() => Promise.resolve(0)), { codes: [0], lines: [] });
  assert.deepEqual(await run(() => Promise.resolve(3)), { codes: [3], lines: [] });
});

Deno.test("runCommand() hands main the arguments without --verbose", async () => {
  let seen: string[] = [];
  try {
    await run((args) => {
      seen = args;
      return Promise.resolve(0);
    }, ["--count", "5", "--verbose"]);
  } finally {
    showKafkaLogs("nothing");
  }
  assert.deepEqual(seen, ["--count", "5"]);
});

Deno.test("runCommand() turns a usage mistake into its line and exit code 2", async () => {
  const { codes, lines } = await run(() => {
    throw new UsageError("test: unknown flag --cout (see --help)");
  });
  assert.deepEqual(codes, [2]);
  assert.deepEqual(lines, ["test: unknown flag --cout (see --help)"]);
});

Deno.test("runCommand() writes each configuration problem on its own line, exit code 2", async () => {
  const { codes, lines } = await run(() => {
    throw new ConfigError(['test: flag --count must be a whole number >= 1, got "0"', "test: b"]);
  });
  assert.deepEqual(codes, [2]);
  assert.deepEqual(lines, ['test: flag --count must be a whole number >= 1, got "0"', "test: b"]);
});

Deno.test("runCommand() turns a pipeline fault into one line naming the command, exit code 1", async () => {
  const { codes, lines } = await run(() => {
    throw new BrokerError("no broker answers at 127.0.0.1:1", "BROKER_UNAVAILABLE");
  });
  assert.deepEqual(codes, [1]);
  assert.deepEqual(lines, ["test: no broker answers at 127.0.0.1:1"]);
});

Deno.test("runCommand() shows any other failure as one line, no stack, unless --verbose", async () => {
  const fail = () => {
    throw new TypeError("bad thing\n    at somewhere");
  };
  const quiet = await run(fail);
  assert.deepEqual(quiet.codes, [1]);
  assert.deepEqual(quiet.lines, ["test: TypeError: bad thing (--verbose shows more)"]);
  try {
    const verbose = await run(fail, ["--verbose"]);
    assert.deepEqual(verbose.codes, [1]);
    assert.equal(verbose.lines.length, 1);
    assert.match(verbose.lines[0], /^test: TypeError: bad thing\nTypeError: bad thing/);
  } finally {
    showKafkaLogs("nothing");
  }
  const thrown = await run(() => Promise.reject("a string"));
  assert.deepEqual(thrown, { codes: [1], lines: ["test: a string"] });
});
