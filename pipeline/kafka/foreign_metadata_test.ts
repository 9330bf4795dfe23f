// A group's commit metadata is read back as a map of settled offsets only
// when it is ours and was written for the offset it sits beside. Anything
// else (another tool's words, Confluent Parallel Consumer's maps, our map
// left beside an offset that was moved) skips nothing: every record from the
// committed offset on is handed out. On the shared broker.
import assert from "node:assert/strict";
import { firstValueFrom, map, take, tap, timeout, toArray } from "rxjs";
import { createTopic, writeRecords } from "../../tests/_kafka_helpers.ts";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { createKafka } from "./client.ts";
import { fromKafka } from "./from_kafka.ts";
import { encodeOffsetMap } from "./offset_map.ts";

const RECORDS = 30;
const COMMITTED = 5;

// Commits `offset` with `metadata` for `groupId`, as a member of the group
// (the only way a commit carries metadata), then leaves.
async function commitWithMetadata(
  brokers: string[],
  groupId: string,
  topic: string,
  offset: number,
  metadata: string,
): Promise<void> {
  const consumer = createKafka({ brokers, clientId: "foreign-metadata-test" }).consumer({
    groupId,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, pause }) => {
          pause();
          await consumer.commitOffsets([{
            topic,
            partition: batch.partition,
            offset: String(offset),
            metadata,
          }]).then(resolve, reject);
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

// A topic of RECORDS records, and a group whose commit is COMMITTED with `metadata`.
async function committedGroup(label: string, metadata: string) {
  const brokers = await testBrokers();
  const topic = uniqueTopic(label);
  const groupId = `${topic}-group`;
  await createTopic(brokers, topic, 1);
  const bytes = (text: string) => new TextEncoder().encode(text);
  await writeRecords(
    brokers,
    topic,
    Array.from({ length: RECORDS }, (_, i) => ({ key: `K${i}`, value: bytes(`V${i}`) })),
  );
  await commitWithMetadata(brokers, groupId, topic, COMMITTED, metadata);
  return { brokers, topic, groupId };
}

// The offsets the group's next member is handed, the first `count` of them.
function handedOut(group: { brokers: string[]; topic: string; groupId: string }, count: number) {
  const { brokers, topic, groupId } = group;
  return firstValueFrom(
    fromKafka({ brokers, groupId, topics: [topic] }).pipe(
      tap(({ settle }) => settle()),
      map(({ record }) => Number(record.offset)),
      take(count),
      toArray(),
      timeout({
        first: 30_000,
        with: () => {
          throw new Error(`fewer than ${count} records in 30 s: some were skipped`);
        },
      }),
    ),
  );
}

const FROM_COMMITTED = Array.from({ length: RECORDS - COMMITTED }, (_, i) => COMMITTED + i);

const cases: Array<[string, string]> = [
  ["a word another tool wrote", "bloop"],
  // Parallel Consumer's bitset map: magic byte 'l', then the bits, in base64.
  ["a Parallel Consumer map", btoa(String.fromCharCode(0x6c, 0xff, 0xff, 0xff, 0xff, 0xff))],
  ["a map of the version before the mark", "r" + btoa(String.fromCharCode(1, 20))],
  ["our map, written for another offset", encodeOffsetMap(COMMITTED - 2, [4, 6, 7, 8, 9, 10])],
];

for (const [label, metadata] of cases) {
  Deno.test(`commit metadata that is not our map of that offset skips nothing: ${label}`, async () => {
    const group = await committedGroup("foreign-metadata", metadata);
    assert.deepEqual(await handedOut(group, FROM_COMMITTED.length), FROM_COMMITTED);
  });
}

Deno.test("commit metadata that is our map of that offset skips what it records", async () => {
  const settled = [6, 7, 9, 20];
  const group = await committedGroup("own-metadata", encodeOffsetMap(COMMITTED, settled));
  const expected = FROM_COMMITTED.filter((offset) => !settled.includes(offset));
  assert.deepEqual(await handedOut(group, expected.length), expected);
});
