import assert from "node:assert/strict";
import { DEFAULTS, formatDuration } from "../config.ts";
import { main as consume } from "./consume.ts";
import { main as dashboard } from "./dashboard.ts";
import { main as demo } from "./demo.ts";
import { main as dlq } from "./dlq.ts";
import { main as produce } from "./produce.ts";
import { SHARED_SETTINGS } from "./_shared_settings.ts";

/** What `main(["--help"])` prints, once it exited 0. */
async function help(main: (args: string[]) => Promise<number>): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

/** The help line of `flag`. */
function line(text: string, flag: string): string {
  const found = text.split("\n").find((l) => l.trimStart().startsWith(`${flag} `));
  assert.ok(found, `the help lists ${flag}`);
  return found;
}

Deno.test("the shared settings default to DEFAULTS", () => {
  assert.equal(SHARED_SETTINGS.brokers.default, DEFAULTS.brokers);
  assert.equal(SHARED_SETTINGS.topic.default, DEFAULTS.topics.orders);
  assert.equal(SHARED_SETTINGS.retryTopic.default, DEFAULTS.topics.retry);
  assert.equal(SHARED_SETTINGS.dlqTopic.default, DEFAULTS.topics.dlq);
  assert.equal(SHARED_SETTINGS.statsTopic.default, DEFAULTS.topics.stats);
  assert.equal(SHARED_SETTINGS.group.default, DEFAULTS.groupId);
  assert.equal(SHARED_SETTINGS.maxReplays.default, DEFAULTS.replay.maxReplays);
});

Deno.test("consume --help names the defaults of DEFAULTS", async () => {
  const text = await help(consume);
  const { consumer } = DEFAULTS;
  assert.match(line(text, "--brokers"), new RegExp(`\\(${DEFAULTS.brokers.join(",")}\\)$`));
  assert.match(line(text, "--group"), new RegExp(`\\(${DEFAULTS.groupId}\\)$`));
  assert.match(line(text, "--dlq-topic"), new RegExp(`\\(${DEFAULTS.topics.dlq}\\)$`));
  assert.match(line(text, "--max-retries"), new RegExp(`\\(${consumer.maxRetries}\\)$`));
  assert.match(line(text, "--backoff"), new RegExp(`\\(${formatDuration(consumer.backoffMs)}\\)$`));
  assert.match(line(text, "--fail-rate"), new RegExp(`\\(${consumer.failRate}\\)$`));
  assert.ok(text.includes(`[MAX_IN_FLIGHT_TOTAL] (${consumer.maxInFlightTotal})`));
  assert.ok(text.includes(`[WRITE_TIMEOUT] (${formatDuration(DEFAULTS.writeTimeoutMs)})`));
});

Deno.test("produce, demo, dashboard and dlq --help name the defaults of DEFAULTS", async () => {
  const produced = await help(produce);
  assert.match(
    line(produced, "--interval"),
    new RegExp(`\\(${formatDuration(DEFAULTS.producer.intervalMs)}\\)$`),
  );
  assert.match(line(produced, "--batch-size"), new RegExp(`\\(${DEFAULTS.producer.batchSize}\\)$`));
  const demoed = await help(demo);
  assert.match(line(demoed, "--count"), new RegExp(`\\(${DEFAULTS.demo.count}\\)$`));
  assert.match(
    line(demoed, "--interval"),
    new RegExp(`\\(${formatDuration(DEFAULTS.demo.intervalMs)}\\)$`),
  );
  const served = await help(dashboard);
  assert.match(line(served, "--port"), new RegExp(`\\(${DEFAULTS.dashboard.port}\\)$`));
  assert.match(line(served, "--host"), new RegExp(`\\(${DEFAULTS.dashboard.host}\\)$`));
  const letters = await help(dlq);
  assert.match(line(letters, "--max-replays"), new RegExp(`\\(${DEFAULTS.replay.maxReplays}\\)$`));
  assert.ok(letters.includes(`(${DEFAULTS.replay.groupId})`));
});
