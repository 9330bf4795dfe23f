// What a new user meets first, through the CLIs as they are run: one line per
// failure within the bound, the consumer's account of where it starts, bad
// values refused by name, and the newest dead letters first.
import assert from "node:assert/strict";
import { topicSpecs } from "../pipeline/config.ts";
import { buildDeadLetter } from "../pipeline/dead_letter/dead_letter.ts";
import { ValidationError } from "../pipeline/errors.ts";
import { committedOffsets, ensureTopics } from "../pipeline/kafka/topics.ts";
import { testBrokers, uniqueTopic } from "./_shared_broker.ts";
import { orderRecord, until } from "./_orders.ts";
import { writeRecords } from "./_kafka_helpers.ts";

const decoder = new TextDecoder();

async function cli(name: string, args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `pipeline/cli/${name}.ts`, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr).trimEnd(),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The consume flags of a test's own topics and group, named after `topic`. */
function ownTopics(brokers: string[], topic: string): string[] {
  return [
    ...["--brokers", brokers.join(","), "--topic", topic, "--group", `${topic}-group`],
    ...["--dlq-topic", `${topic}-dlq`, "--retry-topic", `${topic}-retry`],
    ...["--stats-topic", `${topic}-stats`],
  ];
}

/** An address where nothing listens: a port taken and let go. */
function deadAddress(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `127.0.0.1:${port}`;
}

Deno.test("every task facing an unreachable broker says so in one line within 15 s and exits 1", async () => {
  const address = deadAddress();
  const tasks: Array<[string, string[]]> = [
    ["produce", ["--count", "5"]],
    ["consume", []],
    ["dlq", ["inspect"]],
    ["dlq", ["stats"]],
    ["dlq", ["replay"]],
    ["dashboard", ["--port", "0"]],
  ];
  const results = await Promise.all(
    tasks.map(([name, args]) => cli(name, args, { KAFKA_BROKERS: address })),
  );
  results.forEach((result, i) => {
    const [name] = tasks[i];
    assert.equal(result.code, 1, `${name}: ${result.stderr}`);
    assert.equal(
      result.stderr,
      `${name}: no Kafka broker answers at ${address} (connection refused): start one with ` +
        "`deno task broker start`, or set KAFKA_BROKERS to a broker that runs",
    );
    assert.ok(result.seconds < 15, `${name} took ${result.seconds.toFixed(1)} s`);
  });
});

Deno.test("a missing topic is named in one line: the dead-letter topic, and replay's --to", async () => {
  const brokers = (await testBrokers()).join(",");
  const topic = uniqueTopic("first-run-missing");
  const inspect = await cli("dlq", [
    "inspect",
    "--dlq-topic",
    `${topic}-dlq`,
    "--brokers",
    brokers,
  ]);
  assert.equal(inspect.code, 2);
  assert.equal(
    inspect.stderr,
    `dlq inspect: topic ${topic}-dlq does not exist: no consumer has run on this cluster yet, ` +
      "or name the dead-letter topic with --dlq-topic",
  );
  await ensureTopics(brokers.split(","), topicSpecs({ orders: topic, dlq: `${topic}-dlq` }));
  const replay = await cli("dlq", [
    "replay",
    "--dlq-topic",
    `${topic}-dlq`,
    "--to",
    `${topic}-staging`,
    "--brokers",
    brokers,
  ]);
  assert.equal(replay.code, 2);
  assert.equal(
    replay.stderr,
    `dlq replay: topic ${topic}-staging (flag --to) does not exist: create it, ` +
      "or leave --to out to replay to each letter's original topic",
  );
});

Deno.test("a new consumer group at the end of a topic that holds messages says where it starts and how to read them", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("first-run-start");
  await ensureTopics(brokers, topicSpecs({ orders: topic }));
  await writeRecords(brokers, topic, [
    orderRecord("A-1", 10, 0),
    orderRecord("A-2", 20, 0),
    orderRecord("A-3", 30, 1),
    orderRecord("A-4", 40, 2),
    orderRecord("A-5", 50, 2),
  ]);
  const group = `${topic}-group`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "pipeline/cli/consume.ts",
      "--json",
      ...ownTopics(brokers, topic),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let pending = "";
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    const parts = (pending + chunk).split("\n");
    pending = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.some((l) => l.startsWith("consume: holds partitions"))) break;
  }
  // Where the new group starts is committed, though it settled nothing there:
  // orders produced before its next run are read by that run.
  const committed = async () =>
    [...(await committedOffsets(brokers, group, topic)).values()].filter((o) => o >= 0n);
  await until(async () => (await committed()).length === 3, "the group's starts to be committed");
  assert.deepEqual(await committed(), [2n, 1n, 2n]);
  child.kill("SIGTERM");
  await child.status;
  assert.deepEqual(lines.slice(0, 7), [
    `consume: group ${group} on topic ${topic}, 3 partitions (a new group: nothing committed yet)`,
    "consume:   partition 0 starts at the end, offset 2 (0 waiting)",
    "consume:   partition 1 starts at the end, offset 1 (0 waiting)",
    "consume:   partition 2 starts at the end, offset 2 (0 waiting)",
    "consume: 0 messages waiting",
    `consume: ${topic} holds 5 messages that a new group starting at the end does not read: ` +
    "run with --from-beginning to read them",
    `consume: holds partitions 0, 1, 2 of ${topic}`,
  ]);
});

Deno.test("every bad value is refused naming its flag, before any broker is asked", async () => {
  // Nothing listens here: a value that slipped through would fail on the broker instead.
  const env = { KAFKA_BROKERS: deadAddress() };
  const cases: Array<[string, string[], string]> = [
    [
      "dlq",
      ["replay", "--rate", "50"],
      'dlq replay: flag --rate must be a rate such as 10/s (above 0), got "50"',
    ],
    ["produce", ["--brokers", ""], 'produce: flag --brokers needs a value, got ""'],
    ["consume", ["--brokers="], 'consume: flag --brokers needs a value, got ""'],
    ["produce", ["--count", "-1"], 'produce: flag --count must be a whole number >= 1, got "-1"'],
    ["produce", ["--count", "0"], 'produce: flag --count must be a whole number >= 1, got "0"'],
    ["produce", ["--seed", "-3"], 'produce: flag --seed must be a whole number >= 0, got "-3"'],
    [
      "produce",
      ["--interval", "-1s"],
      'produce: flag --interval must be a duration such as 500ms, 2s or 1m (0 for none), got "-1s"',
    ],
    [
      "consume",
      ["--max-retries", "-2"],
      'consume: flag --max-retries must be a whole number from 0 to 20, got "-2"',
    ],
    [
      "consume",
      ["--backoff", "10s", "--max-backoff", "1s"],
      "consume: flag --backoff (10000 ms) must not exceed --max-backoff (1000 ms)",
    ],
    [
      "consume",
      ["--status-interval", "0"],
      "consume: flag --status-interval must be above 0, such as 1s",
    ],
    [
      "consume",
      ["--from-beginning=true"],
      'consume: flag --from-beginning takes no value (it is on when given, off when left out), got "true"',
    ],
    [
      "consume",
      ["--transaction-interval", "0"],
      'consume: flag --transaction-interval must be a duration from 10ms to 1m, got "0"',
    ],
    [
      "consume",
      ["--session-timeout", "1ms"],
      'consume: flag --session-timeout must be a duration from 1s to 30m, got "1ms"',
    ],
    [
      "dlq",
      ["inspect", "--limit", "-3"],
      'dlq inspect: flag --limit must be a whole number >= 1, got "-3"',
    ],
    ["dlq", ["stats", "--oldest-first"], "dlq stats: flag --oldest-first is for inspect only"],
    [
      "dlq",
      ["replay", "--to", "orders-dlq"],
      "dlq replay: flag --to must name another topic than the dead-letter topic (orders-dlq)",
    ],
    [
      "dashboard",
      ["--port", "-1"],
      'dashboard: flag --port must be a whole number from 0 to 65535, got "-1"',
    ],
    [
      "demo",
      ["--count", "-5"],
      'demo: flag --count must be a whole number from 1 to 1000000, got "-5"',
    ],
  ];
  const results = await Promise.all(cases.map(([name, args]) => cli(name, args, env)));
  results.forEach((result, i) => {
    assert.equal(result.stderr, cases[i][2]);
    assert.equal(result.code, 2, cases[i][2]);
  });
});

Deno.test("a session timeout the broker refuses is one line naming the flag, exit 1", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("session-refused");
  await ensureTopics(brokers, topicSpecs({ orders: topic }));
  // The test broker keeps Kafka's bounds: 6s to 30m.
  const { code, stderr } = await cli("consume", [
    ...ownTopics(brokers, topic),
    "--session-timeout",
    "2s",
  ]);
  assert.equal(code, 1, stderr);
  // Whichever of its two groups (the orders' or the retry topic's) joins first.
  assert.match(
    stderr.split("\n").at(-1)!,
    /^consume: Cannot join group test-session-refused-\S+-group(-retry)?: the broker refuses a session timeout of 2s \(it allows what its group\.min\.session\.timeout\.ms and group\.max\.session\.timeout\.ms allow, 6s to 30m unless set otherwise\): set --session-timeout within them$/,
  );
});

Deno.test("dlq inspect shows the newest letters first, and the oldest with --oldest-first", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("first-run-inspect");
  const dlq = `${topic}-dlq`;
  await ensureTopics(brokers, topicSpecs({ orders: topic, dlq }));
  const letters = ["L-1", "L-2", "L-3"].map((id, i) => {
    const record = orderRecord(id, -1, 0);
    const now = Date.now();
    return buildDeadLetter({
      record: {
        topic,
        partition: 0,
        offset: String(i),
        timestamp: String(now),
        key: new TextEncoder().encode(id),
        value: record.value,
        headers: record.headers as Record<string, Uint8Array>,
      },
      error: new ValidationError("price", `Order ${id} has an invalid price`),
      stage: "validate",
      attempts: 1,
      firstFailureTime: now,
      lastFailureTime: now,
      consumerGroup: `${topic}-group`,
    });
  });
  // One at a time, so their order in the topic is the order written.
  for (const letter of letters) await writeRecords(brokers, dlq, [letter]);
  const inspect = async (extra: string[]) => {
    const args = ["inspect", "--json", "--dlq-topic", dlq, "--brokers", brokers.join(",")];
    const { code, stdout, stderr } = await cli("dlq", [...args, ...extra]);
    assert.equal(code, 0, stderr);
    return stdout.trim().split("\n").map((line) => JSON.parse(line).correlationId);
  };
  assert.deepEqual(await inspect([]), ["corr-L-3", "corr-L-2", "corr-L-1"]);
  assert.deepEqual(await inspect(["--limit", "2"]), ["corr-L-3", "corr-L-2"]);
  assert.deepEqual(await inspect(["--limit", "2", "--oldest-first"]), ["corr-L-1", "corr-L-2"]);
});

Deno.test("dlq inspect and stats print what a producer wrote safely: control characters escaped, long fields cut", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("hostile-letters");
  const dlq = `${topic}-dlq`;
  await ensureTopics(brokers, topicSpecs({ orders: topic, dlq }));
  const hostileId = `ORD-\u001b[2J\u001b]0;pwned\u0007\u202e${"9".repeat(5000)}`;
  const record = orderRecord("ANY", -1, 0);
  const now = Date.now();
  const letter = buildDeadLetter({
    record: {
      topic,
      partition: 0,
      offset: "0",
      timestamp: String(now),
      key: null,
      value: record.value,
      headers: { "x-evil\u001b[31m": new TextEncoder().encode("red\u001b[0m") },
    },
    order: { orderId: hostileId, product: "Desk", price: -1 },
    error: new ValidationError("price", `Order ${hostileId} has an invalid price\r\n\u001b[1A`),
    stage: "validate",
    attempts: 1,
    firstFailureTime: now,
    lastFailureTime: now,
    consumerGroup: `${topic}-group`,
  });
  await writeRecords(brokers, dlq, [letter]);
  for (const command of ["inspect", "stats"]) {
    const { code, stdout, stderr } = await cli("dlq", [
      command,
      "--dlq-topic",
      dlq,
      "--brokers",
      brokers.join(","),
    ]);
    assert.equal(code, 0, stderr);
    // deno-lint-ignore no-control-regex -- no control character may reach the terminal
    assert.doesNotMatch(stdout, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, command);
    for (const line of stdout.trimEnd().split("\n")) {
      assert.ok(line.length < 1200, `${command}: a line of ${line.length} characters`);
    }
    if (command === "inspect") {
      assert.match(stdout, /ORD-\\u001b\[2J\\u001b\]0;pwned\\u0007\\u202e9+…/);
      assert.match(stdout, /x-evil\\u001b\[31m=red\\u001b\[0m/);
    }
  }
});
