/**
 * The record a replay sends for any dead letter: built from the letter, or,
 * for a letter written without its payload, from the original read back from
 * its topic and checked against the letter's size and hash.
 *
 * @module
 */
import type { DeadLetter } from "./dead_letter.ts";
import { buildReplayRecord } from "./build_replay_record.ts";
import { sha256Hex } from "./_sha256.ts";

/** Reads the record at a topic, partition and offset; undefined when it is gone. */
export type ReadRecordAt = (
  topic: string,
  partition: number,
  offset: bigint,
) => Promise<
  | { key: Uint8Array | null; value: Uint8Array | null; headers: Record<string, Uint8Array> }
  | undefined
>;

/**
 * The replay of `letter` (see `buildReplayRecord`). A letter flagged
 * `payloadOmitted` gets its original's key, value and headers from
 * `readAt`; the value must have the letter's `payloadSize` and
 * `payloadSha256`.
 *
 * @throws {Error} when the original is gone from its topic or is not the
 * record the letter describes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 * import { withoutPayload } from "./without_payload.ts";
 * import { replayRecordFor } from "./replay_record_for.ts";
 *
 * const original = {
 *   topic: "orders", partition: 0, offset: "5", timestamp: "1700000000000",
 *   key: null, value: new Uint8Array([1, 2, 3]), headers: {},
 * };
 * const full = buildDeadLetter({
 *   record: original, error: new Error("boom"), stage: "decode", attempts: 1,
 *   firstFailureTime: 1, lastFailureTime: 1, consumerGroup: "g",
 * });
 * const letter = decodeDeadLetter(withoutPayload(full).value);
 * const replay = await replayRecordFor(letter, async () => original);
 * assert.deepEqual([...replay.value!], [1, 2, 3]);
 * await assert.rejects(replayRecordFor(letter, async () => undefined), /no longer holds/);
 * ```
 */
export async function replayRecordFor(
  letter: DeadLetter,
  readAt: ReadRecordAt,
): Promise<ReturnType<typeof buildReplayRecord>> {
  if (!letter.payloadOmitted) return buildReplayRecord(letter);
  const where = `${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`;
  const original = await readAt(
    letter.originalTopic,
    letter.originalPartition,
    BigInt(letter.originalOffset),
  );
  if (!original) {
    throw new Error(
      `Cannot replay ${where}: the dead letter was written without its payload, and ${letter.originalTopic} no longer holds the original (retention)`,
    );
  }
  const value = original.value ?? new Uint8Array(0);
  if (value.byteLength !== letter.payloadSize || sha256Hex(value) !== letter.payloadSha256) {
    throw new Error(
      `Cannot replay ${where}: the record there (${value.byteLength} bytes) is not the one dead-lettered (${letter.payloadSize} bytes, sha256 ${letter.payloadSha256})`,
    );
  }
  return buildReplayRecord({
    ...letter,
    payload: value,
    originalKey: original.key,
    originalHeaders: original.headers,
    payloadOmitted: false,
  });
}
