// The money fields of the stats snapshot (issue 16): exact cents on the wire,
// and snapshots written before cents still read.
import assert from "node:assert/strict";
import { parseStatsSnapshot, snapshotAggregate, snapshotRecord } from "./stats_snapshot.ts";

const base = {
  topic: "orders",
  partition: 0,
  count: 3,
  min: 0.1,
  max: 0.2,
  nextOffset: "3",
  groupId: "g",
  updatedAt: 1,
};
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("a snapshot carries its sum in whole cents, and sum in currency units beside it", () => {
  const { value } = snapshotRecord({ ...base, sumCents: 40 });
  const wire = JSON.parse(new TextDecoder().decode(value));
  assert.equal(wire.sumCents, 40);
  assert.equal(wire.sum, 0.4);
  assert.deepEqual(parseStatsSnapshot(value), { ...base, sumCents: 40 });
});

Deno.test("a snapshot written before cents is read with its float sum rounded to cents", () => {
  const old = { ...base, sum: Math.fround(0.1) + Math.fround(0.1) + Math.fround(0.2) };
  assert.notEqual(old.sum, 0.4);
  const snapshot = parseStatsSnapshot(json(old));
  assert.equal(snapshot.sumCents, 40);
  assert.equal("sum" in snapshot, false);
  assert.deepEqual(snapshotAggregate(snapshot), {
    count: 3,
    sumCents: 40,
    sum: 0.4,
    average: 0.4 / 3,
    min: 0.1,
    max: 0.2,
  });
});

Deno.test("a snapshot whose sumCents is not a whole number of cents is refused, naming it", () => {
  assert.throws(
    () => parseStatsSnapshot(json({ ...base, sumCents: 4.5 })),
    /'sumCents' must be a whole number of cents, got 4\.5/,
  );
  assert.throws(() => parseStatsSnapshot(json({ ...base })), /'sum' must be a number/);
});
