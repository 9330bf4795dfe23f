import assert from "node:assert/strict";
import type { Delivery, KafkaRecord } from "../kafka/kafka_record.ts";
import { OffsetLedger } from "../kafka/offset_ledger.ts";
import { held, HELD_CHUNK_BYTES } from "./held_record.ts";

const text = new TextEncoder();
const ledger = new OffsetLedger(0);

function delivery(record: Partial<KafkaRecord>): Delivery {
  const full: KafkaRecord = {
    topic: "orders",
    partition: 2,
    offset: "41",
    key: null,
    value: null,
    headers: {},
    timestamp: "1700000000000",
    ...record,
  };
  return { record: full, ledger, settle() {} };
}

// The plain form of a record, to compare held and original.
function plain(record: KafkaRecord) {
  const headers: Record<string, number[]> = {};
  for (const name in record.headers) headers[name] = [...record.headers[name]];
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key && [...record.key],
    value: record.value && [...record.value],
    headers,
  };
}

Deno.test("a held record reads back its key, value, headers and coordinates after the fetch response is reused", () => {
  const response = text.encode("ORD-1|order bytes|avro/binary|2");
  const original = delivery({
    key: response.subarray(0, 5),
    value: response.subarray(6, 17),
    headers: { "content-type": response.subarray(18, 29), "schema-version": response.subarray(30) },
  });
  const before = plain(original.record);
  const kept = held(original);
  response.fill(0);
  assert.deepEqual(plain(kept.record), before);
  assert.equal(kept.ledger, original.ledger);
  assert.equal(kept.settle, original.settle);
});

Deno.test("a missing key or value stays missing, and an empty one stays empty", () => {
  const cases: Partial<KafkaRecord>[] = [
    { key: null, value: text.encode("v") },
    { key: text.encode("k"), value: null },
    { key: new Uint8Array(0), value: new Uint8Array(0), headers: { empty: new Uint8Array(0) } },
    { key: null, value: null, headers: { only: text.encode("h") } },
  ];
  for (const record of cases) {
    const original = delivery(record);
    assert.deepEqual(plain(held(original).record), plain(original.record));
  }
});

Deno.test("held records share chunks without overlapping, and a large one gets its own bytes", () => {
  const records = Array.from(
    { length: 100 },
    (_, i) => delivery({ key: text.encode(`k${i}`), value: new Uint8Array(40).fill(i) }),
  );
  const large = delivery({ value: new Uint8Array(HELD_CHUNK_BYTES).fill(7) });
  const kept = [...records, large].map(held);
  for (const [i, { record }] of kept.slice(0, 100).entries()) {
    assert.deepEqual([...record.value!], new Array(40).fill(i));
    assert.equal(new TextDecoder().decode(record.key!), `k${i}`);
  }
  const buffers = new Set(kept.slice(0, 100).map(({ record }) => record.value!.buffer));
  assert.ok(buffers.size < 10, `100 small records in ${buffers.size} chunks`);
  const own = kept[100].record.value!;
  assert.equal(own.byteLength, HELD_CHUNK_BYTES);
  assert.ok(!buffers.has(own.buffer));
  assert.deepEqual(own, new Uint8Array(HELD_CHUNK_BYTES).fill(7));
});

Deno.test("a held record's headers are the same object at every read", () => {
  const { record } = held(delivery({ headers: { a: text.encode("1") } }));
  assert.equal(record.headers, record.headers);
});
