import assert from "node:assert/strict";
import { DueHolds, type HoldClock } from "./due_holds.ts";

// A clock that moves only when told to.
function manualClock() {
  let now = 1_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  const clock: HoldClock = {
    now: () => now,
    setTimeout: (run, ms) => {
      timers.set(nextId, { at: now + ms, run });
      return nextId++;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= now) {
        timers.delete(id);
        timer.run();
      }
    }
  };
  return { clock, advance, pending: () => timers.size };
}

Deno.test("DueHolds resumes a partition when its record is due, not before", () => {
  const { clock, advance } = manualClock();
  const holds = new DueHolds(clock);
  const resumed: string[] = [];
  holds.hold("retry/0", 1_500, () => resumed.push("retry/0"));
  holds.hold("retry/1", 3_000, () => resumed.push("retry/1"));
  advance(499);
  assert.deepEqual(resumed, []);
  assert.ok(holds.isHeld("retry/0"));
  advance(1);
  assert.deepEqual(resumed, ["retry/0"]);
  assert.equal(holds.isHeld("retry/0"), false);
  advance(1_500);
  assert.deepEqual(resumed, ["retry/0", "retry/1"]);
});

Deno.test("DueHolds resumes at once a record already due", () => {
  const { clock, advance } = manualClock();
  const holds = new DueHolds(clock);
  let resumed = 0;
  holds.hold("retry/0", 0, () => resumed++);
  advance(0);
  assert.equal(resumed, 1);
});

Deno.test("DueHolds replaces an earlier hold of the same partition", () => {
  const { clock, advance, pending } = manualClock();
  const holds = new DueHolds(clock);
  const resumed: number[] = [];
  holds.hold("retry/0", 5_000, () => resumed.push(1));
  holds.hold("retry/0", 2_000, () => resumed.push(2));
  assert.equal(pending(), 1);
  advance(5_000);
  assert.deepEqual(resumed, [2]);
});

Deno.test("DueHolds.clear() drops every hold without resuming", () => {
  const { clock, advance, pending } = manualClock();
  const holds = new DueHolds(clock);
  let resumed = 0;
  holds.hold("retry/0", 1_100, () => resumed++);
  holds.hold("retry/1", 1_200, () => resumed++);
  holds.clear();
  advance(10_000);
  assert.equal(resumed, 0);
  assert.equal(pending(), 0);
});
