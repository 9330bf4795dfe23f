import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import {
  parseStatsSnapshot,
  settledBeyondOffsets,
  settledBeyondRuns,
  snapshotRecord,
  type StatsSnapshot,
} from "./stats_snapshot.ts";

const base: StatsSnapshot = {
  topic: "orders",
  partition: 2,
  count: 3,
  sumCents: 3000,
  min: 5,
  max: 15,
  nextOffset: "40",
  groupId: "g",
  updatedAt: 1,
};
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("parseStatsSnapshot() reads a snapshot written before settledBeyond existed", () => {
  const parsed = parseStatsSnapshot(bytes(base));
  assert.deepEqual(parsed, base);
  assert.equal("settledBeyond" in parsed, false);
});

Deno.test("a snapshot with settled offsets beyond nextOffset round-trips", () => {
  const snapshot = { ...base, settledBeyond: settledBeyondRuns(40n, [41n, 42n, 45n]) };
  assert.deepEqual(snapshot.settledBeyond, [[1, 2], [5, 1]]);
  const parsed = parseStatsSnapshot(snapshotRecord(snapshot).value);
  assert.deepEqual(parsed, snapshot);
  assert.deepEqual(settledBeyondOffsets(parsed), [41n, 42n, 45n]);
});

Deno.test("settledBeyondRuns() merges neighbours, drops repeats and covered offsets", () => {
  assert.deepEqual(settledBeyondRuns(10n, [14n, 12n, 13n, 12n, 9n, 10n, 20n]), [[2, 3], [10, 1]]);
  assert.equal(settledBeyondRuns(10n, [3n, 10n]), undefined);
});

Deno.test("parseStatsSnapshot() refuses settledBeyond runs that overlap, touch, start at 0 or are empty", () => {
  for (const settledBeyond of [[[1, 3], [2, 1]], [[1, 2], [3, 1]], [[0, 1]], [[1, 0]], "1-2"]) {
    assert.throws(
      () => parseStatsSnapshot(bytes({ ...base, settledBeyond })),
      (err: unknown) => err instanceof DecodeError && /'settledBeyond'/.test(err.message),
      JSON.stringify(settledBeyond),
    );
  }
});
