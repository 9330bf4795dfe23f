// Readers of the topics the exactly-once mode writes in transactions (dead
// letters, retry records, snapshots) must read committed. kafkajs consumers do
// by default (`readUncommitted: false`), and its admin's end offsets are the
// last stable offset; these tests hold our readers to it.
import assert from "node:assert/strict";
import { firstValueFrom, map, takeWhile, toArray } from "rxjs";
import { createTopic } from "../../tests/_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { createKafka } from "./client.ts";
import { readTopic } from "./read_topic.ts";
import { tailTopics } from "./tail_topics.ts";

const text = (value: Uint8Array | null) => value && new TextDecoder().decode(value);

Deno.test("readTopic() and tailTopics() never hand out records of an open or aborted transaction", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("read-committed");
  await createTopic(brokers, topic, 1);
  const kafka = createKafka({ brokers, clientId: "read-committed-test" });
  const producer = kafka.producer({
    transactionalId: `${topic}-tx`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const committed = async (value: string) => {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: [{ value: value }] });
      await transaction.commit();
    };
    await committed("before");
    const open = await producer.transaction();
    await open.send({ topic, messages: [{ value: "aborted" }] });

    // The read ends at the open transaction, without waiting for it.
    const seen: Array<string | null> = [];
    const result = await readTopic({ brokers, topic }, (r) => void seen.push(text(r.value)));
    assert.deepEqual(seen, ["before"]);
    assert.equal(result.complete, true);

    await open.abort();
    await committed("after");
    const tailed = await firstValueFrom(
      tailTopics({ brokers, topics: [{ name: topic }] }).pipe(
        map((r) => text(r.value)),
        takeWhile((value) => value !== "after", true),
        toArray(),
      ),
    );
    assert.deepEqual(tailed, ["before", "after"]);
    const again: Array<string | null> = [];
    await readTopic({ brokers, topic }, (r) => void again.push(text(r.value)));
    assert.deepEqual(again, ["before", "after"]);
  } finally {
    await producer.disconnect();
  }
});
