// For tests: moves a group's committed offsets, as an operator does with
// `kafka-consumer-groups.sh --reset-offsets` (the group must have no members).
import { createKafka } from "./client.ts";

/** Commits `offset` on every partition of `topic` for `groupId`, with no metadata. */
export async function resetGroupOffsets(
  brokers: readonly string[],
  groupId: string,
  topic: string,
  offset: bigint,
): Promise<void> {
  const admin = createKafka({ brokers, clientId: "reset-group-offsets-test" }).admin();
  await admin.connect();
  try {
    const partitions = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: partitions.map((p) => ({ partition: p.partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
}
