import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { timer } from "rxjs";
import { CoalescingScheduler, type SchedulerClock } from "./coalescing_scheduler.ts";

// A clock that moves only when told, and runs the timers that come due.
class ManualClock implements SchedulerClock {
  time = 0;
  timers: Array<{ at: number; run: () => void }> = [];

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, delayMs: number): void {
    this.timers.push({ at: this.time + delayMs, run });
  }

  advanceTo(time: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > time) break;
      this.timers.shift();
      this.time = next.at;
      next.run();
    }
    this.time = time;
  }
}

Deno.test("actions due in the same slot share one timer and run in the order scheduled", () => {
  const clock = new ManualClock();
  const scheduler = new CoalescingScheduler(10, clock);
  const ran: string[] = [];
  scheduler.schedule(() => ran.push("a"), 13);
  scheduler.schedule(() => ran.push("b"), 11);
  scheduler.schedule(() => ran.push("c"), 20);
  scheduler.schedule(() => ran.push("d"), 21);
  equal(clock.timers.length, 2, "11..20 share the slot ending at 20; 21 starts the next");
  clock.advanceTo(19);
  deepEqual(ran, []);
  clock.advanceTo(20);
  deepEqual(ran, ["a", "b", "c"]);
  clock.advanceTo(30);
  deepEqual(ran, ["a", "b", "c", "d"]);
});

Deno.test("an action never runs before it is due, and at most one slot after", () => {
  const clock = new ManualClock();
  const scheduler = new CoalescingScheduler(10, clock);
  const ranAt: number[] = [];
  for (const delay of [0, 1, 9, 10, 11, 99, 100, 1234]) {
    clock.time = 7;
    scheduler.schedule(() => ranAt.push(clock.now() - 7 - delay), delay);
  }
  clock.advanceTo(10_000);
  equal(ranAt.length, 8);
  for (const late of ranAt) ok(late >= 0 && late < 10, `ran ${late} ms after it was due`);
});

Deno.test("an unsubscribed action does not run; one scheduled again runs once, at its new time", () => {
  const clock = new ManualClock();
  const scheduler = new CoalescingScheduler(10, clock);
  const ran: string[] = [];
  const cancelled = scheduler.schedule(() => ran.push("cancelled"), 10);
  cancelled.unsubscribe();
  let runs = 0;
  scheduler.schedule(function (this: { schedule(state?: unknown, delay?: number): unknown }) {
    runs++;
    ran.push(`again ${clock.now()}`);
    if (runs < 3) this.schedule(undefined, 50);
  }, 10);
  clock.advanceTo(1000);
  deepEqual(ran, ["again 10", "again 60", "again 110"]);
});

Deno.test("a failing action does not keep the others of its slot from running", () => {
  const clock = new ManualClock();
  const scheduler = new CoalescingScheduler(10, clock);
  const ran: string[] = [];
  scheduler.schedule(() => {
    throw new Error("boom");
  }, 5);
  scheduler.schedule(() => ran.push("after"), 5);
  throws(() => clock.advanceTo(10), /boom/);
  deepEqual(ran, ["after"]);
});

Deno.test("RxJS timers run on it, on real time", async () => {
  const scheduler = new CoalescingScheduler(5);
  const started = Date.now();
  const at = await new Promise<number>((done) =>
    timer(30, scheduler).subscribe(() => done(Date.now()))
  );
  ok(at - started >= 30, `fired after ${at - started} ms`);
});

Deno.test("the resolution is a whole number of milliseconds >= 1", () => {
  throws(() => new CoalescingScheduler(0), /'resolutionMs' must be a whole number >= 1, got 0/);
  throws(() => new CoalescingScheduler(2.5), /got 2.5/);
});
