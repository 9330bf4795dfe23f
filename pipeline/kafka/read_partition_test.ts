import assert from "node:assert/strict";
import { text } from "../../tests/_kafka_helpers.ts";
import { testBrokers } from "../../tests/_shared_broker.ts";
import { topicWithTexts } from "./_test_topic.ts";
import { readPartition } from "./read_partition.ts";

Deno.test("readPartition() reads a page of one partition from an offset, and an empty page past its end", async () => {
  const brokers = await testBrokers();
  const topic = await topicWithTexts(brokers, "read-partition", 2, {
    0: ["p0-a"],
    1: ["p1-a", "p1-b", "p1-c", "p1-d"],
  });
  const page = await readPartition({ brokers, topic, partition: 1, from: 1n, count: 2 });
  assert.deepEqual(page.records.map((r) => [r.partition, r.offset, text(r.value)]), [
    [1, "1", "p1-b"],
    [1, "2", "p1-c"],
  ]);
  assert.deepEqual([page.low, page.high, page.start], [0n, 4n, 1n]);
  const past = await readPartition({ brokers, topic, partition: 1, from: 9n });
  assert.deepEqual([past.records, past.start], [[], 4n]);
  await assert.rejects(
    readPartition({ brokers, topic, partition: 2, from: 0n }),
    /Cannot read .*: it has no partition 2 \(it has 2\)/,
  );
});
