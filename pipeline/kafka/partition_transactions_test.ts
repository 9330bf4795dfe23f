import assert from "node:assert/strict";
import { readAll } from "../../tests/_orders.ts";
import { createTopic } from "../../tests/_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { ProducerFencedError } from "../errors.ts";
import { createPartitionTransactions } from "./partition_transactions.ts";
import { committedOffsets } from "./topics.ts";

Deno.test("a consumer that takes over a partition fences the old owner's producer of that partition only", async () => {
  const brokers = await testBrokers();
  const topic = uniqueTopic("eos-handover");
  const dlq = `${topic}-dlq`;
  await createTopic(brokers, topic, 3);
  await createTopic(brokers, dlq, 1);
  const groupId = `${topic}-group`;
  const batch = (partition: number, offset: bigint, letter: string) => ({
    writes: [{ topic: dlq, records: [{ value: new TextEncoder().encode(letter) }] }],
    offsets: { groupId, topic, partitions: [{ partition, offset }] },
  });

  const zombie = createPartitionTransactions({ brokers, groupId, topic });
  const successor = createPartitionTransactions({ brokers, groupId, topic });
  try {
    await zombie.assign([0, 1]);
    await zombie.writer(0).commit(batch(0, 5n, "zombie p0"));
    // The group moved partition 0 on, but the zombie has not noticed.
    await successor.assign([0]);
    await assert.rejects(zombie.writer(0).commit(batch(0, 9n, "late p0")), ProducerFencedError);
    await zombie.writer(1).commit(batch(1, 3n, "zombie p1"));
    await successor.writer(0).commit(batch(0, 8n, "successor p0"));
    assert.throws(() => successor.writer(1), RangeError);
    // A revoked partition's producer is disconnected.
    await zombie.assign([1]);
    assert.throws(() => zombie.writer(0), /not assigned/);
  } finally {
    await zombie.close();
    await successor.close();
  }
  const deadline = Date.now() + 30_000;
  let letters: string[] = [];
  while (letters.length < 3 && Date.now() < deadline) {
    letters = (await readAll(brokers, dlq)).map((r) => new TextDecoder().decode(r.value!));
  }
  assert.deepEqual(letters.sort(), ["successor p0", "zombie p0", "zombie p1"]);
  assert.deepEqual([...await committedOffsets(brokers, groupId, topic)].sort(), [
    [0, 8n],
    [1, 3n],
    [2, -1n],
  ]);
});
