import { deepEqual } from "node:assert/strict";
import { describeStartPoints } from "./_start_points.ts";

Deno.test("describeStartPoints() starts a known group at its committed offsets and counts what waits", () => {
  const lines = describeStartPoints("g", "orders", [
    { partition: 0, committed: 5n, low: 0n, high: 9n, settledAhead: 0 },
    { partition: 1, committed: 3n, low: 0n, high: 3n, settledAhead: 0 },
  ], false);
  deepEqual(lines, [
    "group g on topic orders, 2 partitions",
    "  partition 0 starts at its committed offset 5 (4 waiting)",
    "  partition 1 starts at its committed offset 3 (0 waiting)",
    "4 messages waiting",
  ]);
});

Deno.test("describeStartPoints() starts a new group with --from-beginning at the earliest stored offset", () => {
  const lines = describeStartPoints("g", "orders", [
    { partition: 0, committed: null, low: 2n, high: 3n, settledAhead: 0 },
  ], true);
  deepEqual(lines, [
    "group g on topic orders, 1 partition (a new group: nothing committed yet)",
    "  partition 0 starts at the beginning, offset 2 (1 waiting)",
    "1 message waiting",
  ]);
});

Deno.test("describeStartPoints() gives the --from-beginning hint only when a new group skips messages", () => {
  const empty = describeStartPoints("g", "orders", [
    { partition: 0, committed: null, low: 4n, high: 4n, settledAhead: 0 },
  ], false);
  deepEqual(empty.at(-1), "0 messages waiting");
  const skipping = describeStartPoints("g", "orders", [
    { partition: 0, committed: null, low: 0n, high: 1n, settledAhead: 0 },
  ], false);
  deepEqual(
    skipping.at(-1),
    "orders holds 1 message that a new group starting at the end does not read: run with --from-beginning to read them",
  );
});

Deno.test("describeStartPoints() does not count as waiting what the commit's map marks as settled", () => {
  const lines = describeStartPoints("g", "orders", [
    { partition: 0, committed: 335n, low: 0n, high: 26_699n, settledAhead: 26_049 },
    { partition: 1, committed: 10n, low: 0n, high: 12n, settledAhead: 0 },
  ], false);
  deepEqual(lines, [
    "group g on topic orders, 2 partitions",
    "  partition 0 starts at its committed offset 335 (315 waiting, 26049 more already settled)",
    "  partition 1 starts at its committed offset 10 (2 waiting)",
    "317 messages waiting",
  ]);
});
