import assert from "node:assert/strict";
import { OffsetLedger } from "./offset_ledger.ts";
import { decodeOffsetMap, encodeOffsetMap } from "./offset_map.ts";

Deno.test("OffsetLedger advances its prefix only over settled records", () => {
  const ledger = new OffsetLedger(0);
  for (let offset = 0; offset < 6; offset++) assert.ok(ledger.admit(offset));
  ledger.settle(1);
  ledger.settle(2);
  ledger.settle(4);
  assert.equal(ledger.nextOffset, 0);
  assert.deepEqual(ledger.settledBeyond(), [1, 2, 4]);
  ledger.settle(0);
  assert.equal(ledger.nextOffset, 3);
  assert.deepEqual(ledger.settledBeyond(), [4]);
  assert.equal(ledger.settledBeyondCount, 1);
  ledger.settle(3);
  ledger.settle(5);
  assert.equal(ledger.nextOffset, 6);
  assert.equal(ledger.settledBeyondCount, 0);
});

Deno.test("OffsetLedger settles offsets a fetch skipped over (markers, compacted records)", () => {
  const ledger = new OffsetLedger(10);
  assert.ok(ledger.admit(10));
  assert.ok(ledger.admit(14));
  ledger.settle(10);
  assert.equal(ledger.nextOffset, 14);
});

Deno.test("OffsetLedger jumps over a long gap when nothing is in flight", () => {
  const ledger = new OffsetLedger(0);
  assert.ok(ledger.admit(5_000_000));
  assert.equal(ledger.nextOffset, 5_000_000);
  ledger.settle(5_000_000);
  assert.equal(ledger.nextOffset, 5_000_001);
});

Deno.test("OffsetLedger does not deliver a record again when a fetch starts over", () => {
  const ledger = new OffsetLedger(0);
  assert.ok(ledger.admit(0));
  assert.ok(ledger.admit(1));
  ledger.settle(1);
  // After a rebalance the fetch starts again at the committed offset 0.
  assert.equal(ledger.admit(0), false, "0 is still in flight");
  assert.equal(ledger.admit(1), false, "1 is settled");
  assert.ok(ledger.admit(2));
});

Deno.test("OffsetLedger: after a consumer restart, records out before count as settled with their first delivery", () => {
  const ledger = new OffsetLedger(0);
  for (let offset = 0; offset < 5; offset++) assert.ok(ledger.admit(offset));
  ledger.settle(0);
  ledger.settle(2);
  // kafkajs restarted the consumer (a broker outage): it fetches again from the last commit, 0.
  const again = [0, 1, 2, 3, 4, 5].filter((offset) => ledger.admit(offset));
  assert.deepEqual(again, [5], "only the record never handed out is delivered");
  for (const offset of [1, 3, 4]) ledger.settle(offset);
  assert.equal(ledger.nextOffset, 5);
  ledger.settle(5);
  assert.equal(ledger.nextOffset, 6);
});

Deno.test("OffsetLedger skips restored settled offsets on assignment", () => {
  const before = new OffsetLedger(100);
  for (let offset = 100; offset < 110; offset++) before.admit(offset);
  for (const offset of [101, 102, 105, 109]) before.settle(offset);
  const after = OffsetLedger.restore(before.nextOffset, before.metadata());
  const delivered = [];
  for (let offset = 100; offset < 112; offset++) if (after.admit(offset)) delivered.push(offset);
  assert.deepEqual(delivered, [100, 103, 104, 106, 107, 108, 110, 111]);
  for (const offset of delivered) after.settle(offset);
  assert.equal(after.nextOffset, 112);
});

Deno.test("OffsetLedger keeps a long window of settled records in a bitset", () => {
  const ledger = new OffsetLedger(0);
  for (let offset = 0; offset < 200_000; offset++) ledger.admit(offset);
  for (let offset = 1; offset < 200_000; offset++) ledger.settle(offset);
  assert.equal(ledger.nextOffset, 0);
  assert.equal(ledger.settledBeyondCount, 199_999);
  ledger.settle(0);
  assert.equal(ledger.nextOffset, 200_000);
  // The window moved on: new offsets far above the old ones still fit.
  ledger.admit(200_000);
  ledger.admit(200_001);
  ledger.settle(200_001);
  assert.deepEqual(ledger.settledBeyond(), [200_001]);
});

Deno.test("OffsetLedger metadata stays within the bound and records only settled offsets", () => {
  const ledger = new OffsetLedger(0);
  for (let offset = 0; offset < 100_000; offset++) ledger.admit(offset);
  // The worst case for both encodings: every other record settled.
  for (let offset = 1; offset < 100_000; offset += 2) ledger.settle(offset);
  const metadata = ledger.metadata(4096);
  assert.ok(metadata.length <= 4096, `${metadata.length} characters`);
  const recorded = decodeOffsetMap(0, metadata);
  assert.ok(recorded.length > 10_000, `only ${recorded.length} offsets recorded`);
  for (const offset of recorded) assert.ok(ledger.isSettled(offset), `${offset} is not settled`);
});

Deno.test("OffsetLedger refuses a negative start", () => {
  assert.throws(() => new OffsetLedger(-1), /'nextOffset' must be a whole number >= 0, got -1/);
});

Deno.test("OffsetLedger takes back a record that was not handed out", () => {
  const ledger = new OffsetLedger(0);
  assert.ok(ledger.admit(0));
  assert.ok(ledger.admit(1));
  ledger.unadmit(1);
  assert.ok(ledger.admit(1), "fetched again, it is delivered");
});

Deno.test("OffsetLedger metadata lists only what a map could hold, and gives the map of the whole list", () => {
  let seed = 11;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const patterns: Array<[string, number, (offset: number) => boolean]> = [
    ["orders in backoff: one in ten waits", 280_000, () => random() >= 0.1],
    ["one gap, then a long settled run", 300_000, () => true],
    ["sparse: one in fifty settled", 100_000, () => random() < 0.02],
    ["long runs and gaps", 200_000, (offset) => Math.floor(offset / 700) % 3 !== 0],
  ];
  for (const [name, count, settled] of patterns) {
    const ledger = new OffsetLedger(1_000);
    for (let offset = 1_000; offset < 1_000 + count; offset++) {
      ledger.admit(offset);
      if (offset > 1_000 && settled(offset)) ledger.settle(offset);
    }
    const all = ledger.settledBeyond();
    for (const maxBytes of [4096, 300, 24]) {
      assert.equal(
        ledger.metadata(maxBytes),
        encodeOffsetMap(ledger.nextOffset, all, maxBytes),
        `${name}, ${maxBytes} bytes`,
      );
    }
  }
});

Deno.test("OffsetLedger settledRuns gives the settled offsets beyond as runs, across whole words", () => {
  let seed = 5;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const patterns: Array<(offset: number) => boolean> = [
    () => random() >= 0.1,
    () => random() < 0.02,
    (offset) => Math.floor(offset / 64) % 2 === 0, // whole words settled, whole words not
    (offset) => offset % 97 !== 0,
  ];
  for (const [i, settled] of patterns.entries()) {
    const ledger = new OffsetLedger(37);
    for (let offset = 37; offset < 37 + 20_000; offset++) {
      ledger.admit(offset);
      if (offset > 37 && settled(offset)) ledger.settle(offset);
    }
    const next = ledger.nextOffset;
    const expanded = ledger.settledRuns().flatMap(([distance, length]) =>
      Array.from({ length }, (_, k) => next + distance + k)
    );
    assert.deepEqual(expanded, ledger.settledBeyond(), `pattern ${i}`);
    assert.ok(
      ledger.settledRuns().every(([d, l], k, runs) =>
        d >= 1 && l >= 1 &&
        (k === 0 || runs[k - 1][0] + runs[k - 1][1] < d)
      ),
      `pattern ${i}: separate runs`,
    );
  }
  assert.deepEqual(new OffsetLedger(5).settledRuns(), []);
});
