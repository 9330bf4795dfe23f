import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { fittingCommit } from "./_fitting_commit.ts";
import type { OffsetCommit } from "./_ledger_book.ts";
import { decodeOffsetMap, encodeOffsetMap } from "./offset_map.ts";

// What kafkajs throws when the broker refuses a commit's metadata.
class MetadataTooLarge extends Error {
  type = "OFFSET_METADATA_TOO_LARGE";
}

// A commit that refuses metadata over `limit` characters, as a broker set that way does.
function brokerCommit(limit: number) {
  const tried: string[] = [];
  const taken: OffsetCommit[] = [];
  const commit = (c: OffsetCommit) => {
    tried.push(c.metadata);
    if (c.metadata.length > limit) return Promise.reject(new MetadataTooLarge("too large"));
    taken.push(c);
    return Promise.resolve();
  };
  return { commit, tried, taken };
}

// Settled offsets beyond 1000 with a gap every seventh: a map of a few hundred characters.
const settled = Array.from({ length: 3000 }, (_, i) => 1001 + i).filter((o) => o % 7 !== 0);
const position = (offset = 1000): OffsetCommit => ({
  topic: "orders",
  partition: 0,
  offset: String(offset),
  metadata: encodeOffsetMap(offset, settled.filter((o) => o > offset)),
});

Deno.test("fittingCommit() passes a commit that fits as it is", async () => {
  const broker = brokerCommit(4096);
  await fittingCommit(broker.commit)(position());
  deepEqual(broker.taken, [position()]);
  equal(broker.tried.length, 1);
});

Deno.test("fittingCommit() cuts a refused map in half until the broker takes it, keeping its lowest offsets", async () => {
  const full = position();
  ok(full.metadata.length > 100, `the map is ${full.metadata.length} characters`);
  const broker = brokerCommit(100);
  await fittingCommit(broker.commit)(full);
  equal(broker.taken.length, 1);
  const [taken] = broker.taken;
  equal(taken.offset, full.offset);
  ok(taken.metadata.length > 0 && taken.metadata.length <= 100, taken.metadata);
  // Each try is at most half of the one refused before it.
  for (let i = 1; i < broker.tried.length; i++) {
    ok(broker.tried[i].length <= broker.tried[i - 1].length / 2, broker.tried.join(" | "));
  }
  // What the map keeps is the start of what it recorded, nothing else.
  const kept = decodeOffsetMap(1000, taken.metadata);
  ok(kept.length > 0);
  deepEqual(kept, decodeOffsetMap(1000, full.metadata).slice(0, kept.length));
});

Deno.test("fittingCommit() remembers the bound: the next commit is cut before it is sent", async () => {
  const broker = brokerCommit(100);
  const commit = fittingCommit(broker.commit);
  await commit(position(1000));
  const refusedFirst = broker.tried.length - 1;
  ok(refusedFirst > 0);
  await commit(position(1010));
  equal(broker.tried.length, refusedFirst + 2, "the second commit went through at its first try");
  ok(broker.taken[1].metadata.length <= 100);
});

Deno.test("fittingCommit() commits with no map when the broker takes none", async () => {
  const broker = brokerCommit(0);
  await fittingCommit(broker.commit)(position());
  deepEqual(broker.taken.map((c) => [c.offset, c.metadata]), [["1000", ""]]);
});

Deno.test("fittingCommit() passes any other failure on, untouched", async () => {
  const refused = new Error("NOT_COORDINATOR");
  const commit = fittingCommit(() => Promise.reject(refused));
  await rejects(commit(position()), (err) => err === refused);
});
