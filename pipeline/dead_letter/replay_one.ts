/**
 * Turns one dead-letter record back into the record that failed, so it can be
 * sent to its original topic again.
 *
 * @module
 */
import { buildReplayRecord, replayCount } from "./build_replay_record.ts";
import { decodeDeadLetter } from "./decode_dead_letter.ts";

/** A dead letter turned back into the record that failed. */
export interface Replay {
  /** The record's original topic. */
  topic: string;
  /** The original key, byte for byte. */
  key: Uint8Array | null;
  /** The original value, byte for byte (null when it was empty or null). */
  value: Uint8Array | null;
  /** The original headers byte for byte, plus `x-replay-count` one higher. */
  headers: Record<string, Uint8Array>;
  /** The replay count the record now carries. */
  replayCount: number;
}

/**
 * Decodes a dead-letter value and rebuilds the original record exactly as
 * `deno task dlq replay` sends it, with its original topic.
 *
 * @throws {DecodeError} if `value` is not a dead-letter envelope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { type Replay, replayOne } from "./replay_one.ts";
 *
 * const letter = buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 0, offset: "3", timestamp: "1700000000000",
 *     key: null, value: new Uint8Array([9]), headers: {},
 *   },
 *   error: new Error("boom"), stage: "process", attempts: 1,
 *   firstFailureTime: 1, lastFailureTime: 1, consumerGroup: "g",
 * });
 * const replay: Replay = replayOne(letter.value);
 * assert.equal(replay.topic, "orders");
 * assert.equal(replay.replayCount, 1);
 * ```
 */
export function replayOne(value: Uint8Array | null): Replay {
  const letter = decodeDeadLetter(value);
  return {
    topic: letter.originalTopic,
    ...buildReplayRecord(letter),
    replayCount: replayCount(letter.originalHeaders) + 1,
  };
}
