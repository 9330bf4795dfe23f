import assert from "node:assert/strict";
import type { ConsumerStats } from "../consumer/consumer_stats.ts";
import { formatStatus } from "./_status.ts";

const stats: ConsumerStats = {
  processed: 4,
  retried: 1,
  deadLettered: 1,
  deadLetteredByClass: { poison: 1, permanent: 0, transient: 0 },
  sentToRetry: 0,
  aggregate: { count: 4, sumCents: 1000, sum: 10, average: 2.5, min: 1, max: 4 },
  partitions: {},
  retryPartitions: {},
};
const since = Date.UTC(2026, 10, 24, 5, 30, 0);

Deno.test("formatStatus() starts the live line with the wait for the broker, and says nothing of it otherwise", () => {
  const waiting = formatStatus(stats, stats.aggregate, {}, 2, true, since);
  assert.ok(
    waiting.startsWith("waiting for the broker since 2026-11-24T05:30:00.000Z  processed 4"),
  );
  assert.ok(formatStatus(stats, stats.aggregate, {}, 2, true).startsWith("processed 4"));
});

Deno.test("formatStatus() puts the wait in JSON lines, null when none", () => {
  const line = JSON.parse(formatStatus(stats, stats.aggregate, {}, 2, false, since));
  assert.equal(line.waiting, "waiting for the broker since 2026-11-24T05:30:00.000Z");
  assert.equal(line.processed, 4);
  assert.equal(JSON.parse(formatStatus(stats, stats.aggregate, {}, 2, false)).waiting, null);
});

Deno.test("formatStatus() reports a wait before any message settled", () => {
  assert.equal(
    formatStatus(undefined, stats.aggregate, {}, 0, true, since),
    "waiting for the broker since 2026-11-24T05:30:00.000Z",
  );
  assert.deepEqual(JSON.parse(formatStatus(undefined, stats.aggregate, {}, 0, false, since)), {
    type: "status",
    waiting: "waiting for the broker since 2026-11-24T05:30:00.000Z",
  });
});

Deno.test("formatStatus() gives this run's figures at the top of a JSON line and the group's in running", () => {
  const group = { count: 40, sumCents: 20_000, sum: 200, average: 5, min: 1, max: 9 };
  const line = JSON.parse(formatStatus(stats, group, {}, 2, false));
  assert.equal(line.processed, 4);
  assert.equal(line.sum, 10);
  assert.equal(line.average, 2.5);
  assert.deepEqual(line.running, { average: 5, count: 40, sum: 200, min: 1, max: 9 });
  assert.match(formatStatus(stats, group, {}, 2, true), /^processed 4 {2}average 5\.00 /);
});
