import assert from "node:assert/strict";
import { testBrokers, uniqueTopic } from "../../tests/_shared_broker.ts";
import { createTopic, writeRecords } from "../../tests/_kafka_helpers.ts";
import { headerText, readAll } from "../../tests/_orders.ts";
import { buildDeadLetter } from "../dead_letter/dead_letter.ts";
import type { OutboundRecord } from "../kafka/kafka_producer.ts";
import { committedOffsets } from "../kafka/topics.ts";
import { replayDeadLetters, type ReplayEvent } from "./replay_dead_letters.ts";

const text = new TextEncoder();

function letter(orderId: string, target: string, replays: number) {
  return buildDeadLetter({
    record: {
      topic: target,
      partition: 0,
      offset: "0",
      timestamp: "1700000000000",
      key: text.encode(orderId),
      value: text.encode(`value of ${orderId}`),
      headers: replays > 0 ? { "x-replay-count": text.encode(String(replays)) } : {},
    },
    error: new Error(`${orderId} failed`),
    stage: "process",
    attempts: 1,
    firstFailureTime: 1,
    lastFailureTime: 2,
    consumerGroup: "g",
  });
}

/** A one-partition target and DLQ holding `letters`. */
async function setUp(label: string, letters: (target: string) => OutboundRecord[]) {
  const brokers = await testBrokers();
  const target = uniqueTopic(label);
  const dlq = `${target}-dlq`;
  await createTopic(brokers, target, 1);
  await createTopic(brokers, dlq, 1);
  await writeRecords(brokers, dlq, letters(target));
  return { brokers, target, dlq, group: `${dlq}-replay` };
}

Deno.test("replayDeadLetters() on chosen positions: a dry run sends nothing, the replay sends, parks and records progress", async () => {
  const { brokers, target, dlq, group } = await setUp("replay-core", (target) => [
    letter("ORD-A", target, 0),
    letter("ORD-B", target, 0),
    letter("ORD-C", target, 3),
    { key: "junk", value: text.encode("not an envelope") },
    letter("ORD-D", target, 0),
  ]);
  const positions = new Set(["0:1", "0:2", "0:3"]);

  const run = async (dryRun: boolean) => {
    const events: ReplayEvent[] = [];
    const summary = await replayDeadLetters({
      brokers,
      dlqTopic: dlq,
      group,
      start: "earliest",
      positions,
      dryRun,
      onEvent: (event) => events.push(event),
    });
    return { summary, outcomes: events.map((e) => [e.type, e.dlq]) };
  };

  const dry = await run(true);
  assert.deepEqual(dry.outcomes, [["would-send", "0:1"], ["parked", "0:2"], ["unreadable", "0:3"]]);
  const { sent: wouldSend, parked, unreadable, complete } = dry.summary;
  assert.deepEqual([wouldSend, parked, unreadable, complete], [1, 1, 1, true]);
  assert.deepEqual(await readAll(brokers, target), [], "a dry run sends nothing");

  const { summary: done, outcomes } = await run(false);
  assert.deepEqual(outcomes, [["sent", "0:1"], ["parked", "0:2"], ["unreadable", "0:3"]]);
  assert.deepEqual([done.sent, done.parked, done.skipped, done.complete], [1, 1, 0, true]);
  const sent = await readAll(brokers, target);
  assert.equal(sent.length, 1);
  assert.equal(new TextDecoder().decode(sent[0].value!), "value of ORD-B");
  assert.equal(headerText(sent[0], "x-replay-count"), "1");
  // The progress covers what was read: up to the last chosen letter, not past it.
  assert.equal((await committedOffsets(brokers, group, dlq)).get(0), 4n);
});

Deno.test("replayDeadLetters() goes on from the group's progress and selects with a predicate", async () => {
  const { brokers, target, dlq, group } = await setUp("replay-select", (target) => [
    letter("ORD-A", target, 0),
    letter("ORD-B", target, 0),
  ]);
  const onlyB = ({ letter }: { letter: { originalKey: Uint8Array | null } | null }) =>
    new TextDecoder().decode(letter?.originalKey ?? new Uint8Array()) === "ORD-B";
  const first = await replayDeadLetters({ brokers, dlqTopic: dlq, group, select: onlyB });
  assert.deepEqual([first.sent, first.skipped, first.complete], [1, 1, true]);
  const again = await replayDeadLetters({ brokers, dlqTopic: dlq, group, select: onlyB });
  assert.deepEqual([again.sent, again.skipped], [0, 0], "nothing is sent twice");
  assert.equal((await readAll(brokers, target)).length, 1);
});
