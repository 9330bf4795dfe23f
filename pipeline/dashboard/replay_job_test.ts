import assert from "node:assert/strict";
import { createReplayJob } from "./replay_job.ts";

const letter = {
  dlq: "0:1",
  to: "orders",
  group: "g",
  orderId: "ORD-1",
  correlationId: null,
  replays: 0,
};
const summary = {
  type: "summary" as const,
  dryRun: false,
  sent: 1,
  parked: 1,
  skipped: 0,
  unreadable: 0,
  complete: true,
};

Deno.test("a replay job counts sent and parked letters and calls the rest skipped when it ends", () => {
  let clock = 100;
  const job = createReplayJob("r1", 3, () => clock);
  job.event({ type: "sent", ...letter });
  job.event({ type: "parked", ...letter, replays: 3 });
  assert.deepEqual(
    [job.view().state, job.view().sent, job.view().parked, job.view().skipped],
    ["running", 1, 1, 0],
  );
  clock = 250;
  job.finish(summary);
  assert.deepEqual(job.view(), {
    id: "r1",
    state: "done",
    total: 3,
    sent: 1,
    parked: 1,
    skipped: 1,
    startedAt: 100,
    finishedAt: 250,
    error: null,
  });
});

Deno.test("a failed replay job keeps its counts and the reason", () => {
  const job = createReplayJob("r2", 2, () => 5);
  job.event({ type: "sent", ...letter });
  job.fail("Kafka at 127.0.0.1:9 did not answer");
  assert.deepEqual([job.view().state, job.view().sent, job.view().error], [
    "failed",
    1,
    "Kafka at 127.0.0.1:9 did not answer",
  ]);
});
