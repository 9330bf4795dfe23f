import assert from "node:assert/strict";
import { text } from "../../tests/_kafka_helpers.ts";
import { testBrokers } from "../../tests/_shared_broker.ts";
import { topicWithTexts } from "./_test_topic.ts";
import { readRecordAt } from "./read_record_at.ts";

Deno.test("readRecordAt() finds a record by its position, and nothing where the topic holds none", async () => {
  const brokers = await testBrokers();
  const topic = await topicWithTexts(brokers, "record-at", 2, {
    0: ["p0-0"],
    1: ["p1-0", "p1-1"],
  });
  const found = await readRecordAt(brokers, topic, 1, 1n);
  assert.equal(found?.partition, 1);
  assert.equal(found?.offset, "1");
  assert.equal(text(found?.value), "p1-1");
  assert.equal(text((await readRecordAt(brokers, topic, 0, 0n))?.value), "p0-0");
  assert.equal(await readRecordAt(brokers, topic, 1, 2n), undefined, "past the end");
  assert.equal(await readRecordAt(brokers, topic, 0, -1n), undefined, "below the earliest");
  assert.equal(await readRecordAt(brokers, topic, 5, 0n), undefined, "no such partition");
});
