import assert from "node:assert/strict";
import { coverageOf, isCovered } from "./is_covered.ts";
import { settledBeyondOffsets, settledBeyondRuns } from "./stats_snapshot.ts";
import { createRandom } from "../orders/random.ts";

const offsets = (from: bigint, to: bigint) => {
  const all: bigint[] = [];
  for (let o = from; o <= to; o++) all.push(o);
  return all;
};

Deno.test("isCovered() covers exactly the offsets below nextOffset when nothing is settled beyond", () => {
  const coverage = { nextOffset: 4n };
  assert.deepEqual(offsets(0n, 6n).filter((o) => isCovered(coverage, o)), [0n, 1n, 2n, 3n]);
});

Deno.test("isCovered() also covers the settled-beyond offsets, given as a set or as a list", () => {
  for (const settledBeyond of [new Set([6n, 7n, 10n]), [6n, 7n, 10n]]) {
    const coverage = { nextOffset: 4n, settledBeyond };
    assert.deepEqual(offsets(0n, 12n).filter((o) => isCovered(coverage, o)), [
      0n,
      1n,
      2n,
      3n,
      6n,
      7n,
      10n,
    ]);
  }
});

Deno.test("isCovered() reads decimal-string offsets beyond 2^53 exactly", () => {
  const coverage = { nextOffset: 9007199254740993n, settledBeyond: [9007199254740995n] };
  assert.equal(isCovered(coverage, "9007199254740992"), true);
  assert.equal(isCovered(coverage, "9007199254740993"), false);
  assert.equal(isCovered(coverage, "9007199254740994"), false);
  assert.equal(isCovered(coverage, "9007199254740995"), true);
});

Deno.test("coverageOf() a snapshot covers what was settled when it was written, and nothing else", () => {
  const settled = [0n, 1n, 2n, 5n, 6n, 9n];
  const nextOffset = 3n;
  const snapshot = {
    nextOffset: String(nextOffset),
    settledBeyond: settledBeyondRuns(nextOffset, settled),
  };
  const coverage = coverageOf(snapshot);
  assert.deepEqual(offsets(0n, 12n).filter((o) => isCovered(coverage, o)), settled);
});

Deno.test("coverageOf() an old snapshot without settledBeyond, or none at all", () => {
  assert.equal(isCovered(coverageOf({ nextOffset: "7" }), 6n), true);
  assert.equal(isCovered(coverageOf({ nextOffset: "7" }), 8n), false);
  assert.equal(isCovered(coverageOf(undefined), 0n), false);
});

Deno.test("coverageOf() answers from the snapshot's runs as the unpacked offsets would, for any runs", () => {
  const random = createRandom(11);
  for (let round = 0; round < 200; round++) {
    const nextOffset = BigInt(Math.floor(random() * 1_000_000));
    // Settled offsets beyond it at random, in gaps and stretches.
    const settled: bigint[] = [];
    const density = random();
    for (let at = nextOffset + 1n; at < nextOffset + 300n; at++) {
      if (random() < density) settled.push(at);
    }
    const snapshot = {
      nextOffset: String(nextOffset),
      settledBeyond: settledBeyondRuns(nextOffset, settled),
    };
    const coverage = coverageOf(snapshot);
    const unpacked = new Set(settledBeyondOffsets(snapshot));
    assert.deepEqual([...coverage.settledBeyond ?? []], [...unpacked]);
    for (let at = nextOffset - 2n; at < nextOffset + 302n; at++) {
      assert.equal(isCovered(coverage, at), at < nextOffset || unpacked.has(at), `offset ${at}`);
    }
  }
});

Deno.test("coverageOf() covers a million offsets beyond its position without listing them", () => {
  const snapshot = {
    nextOffset: "9007199254740000",
    settledBeyond: [[2, 1_000_000]] as [number, number][],
  };
  const coverage = coverageOf(snapshot);
  assert.equal(isCovered(coverage, "9007199254740001"), false);
  assert.equal(isCovered(coverage, "9007199254740002"), true);
  assert.equal(isCovered(coverage, "9007199255740001"), true);
  assert.equal(isCovered(coverage, "9007199255740002"), false);
});
