/**
 * The dashboard's redrive in progress: counts each letter's outcome as the
 * shared replay reports it, for the page's progress bar and result line.
 * Pure bookkeeping: the replay itself is `replayDeadLetters`.
 *
 * @module
 */
import type { ReplayEvent, ReplaySummary } from "../replay/replay_dead_letters.ts";

/** What the page shows of a replay job. */
export interface ReplayJobView {
  id: string;
  state: "running" | "done" | "failed";
  /** Letters confirmed for the replay. */
  total: number;
  sent: number;
  parked: number;
  /** Confirmed letters that were not sent nor parked (unreadable, or gone from the DLQ). */
  skipped: number;
  startedAt: number;
  finishedAt: number | null;
  /** Why it failed, one line. */
  error: string | null;
}

/** A replay job's bookkeeping. */
export interface ReplayJob {
  view(): ReplayJobView;
  /** Counts one letter's outcome. */
  event(event: ReplayEvent): void;
  /** Ends the job with the replay's summary. */
  finish(summary: ReplaySummary): void;
  /** Ends the job with a failure. */
  fail(reason: string): void;
}

/**
 * Starts the bookkeeping of a replay of `total` confirmed letters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReplayJob } from "./replay_job.ts";
 * const job = createReplayJob("r1", 2, () => 0);
 * job.event({
 *   type: "sent", dlq: "0:1", to: "orders", group: "g", orderId: "ORD-1", correlationId: null,
 *   replays: 0,
 * });
 * assert.equal(job.view().sent, 1);
 * ```
 */
export function createReplayJob(
  id: string,
  total: number,
  now: () => number = Date.now,
): ReplayJob {
  const state: ReplayJobView = {
    id,
    state: "running",
    total,
    sent: 0,
    parked: 0,
    skipped: 0,
    startedAt: now(),
    finishedAt: null,
    error: null,
  };
  return {
    view: () => ({ ...state }),
    event(event) {
      if (event.type === "sent") state.sent += 1;
      else if (event.type === "parked") state.parked += 1;
      else if (event.type === "unreadable") state.skipped += 1;
    },
    finish() {
      // What was confirmed but neither sent nor parked was skipped.
      state.skipped = Math.max(state.skipped, total - state.sent - state.parked);
      state.state = "done";
      state.finishedAt = now();
    },
    fail(reason) {
      state.state = "failed";
      state.error = reason;
      state.finishedAt = now();
    },
  };
}
