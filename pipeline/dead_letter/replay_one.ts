/**
 * Turns one dead-letter record back into the record that failed, so it can be
 * sent to its original topic again.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { decodeDeadLetter } from "./decode_dead_letter.ts";

/** The header counting how many times a record was replayed from the dead-letter topic. */
export const REPLAY_COUNT_HEADER = "x-replay-count";

/** What to send again, and where. */
export interface Replay {
  /** The record's original topic. */
  topic: string;
  /** The original key, byte for byte. */
  key: Uint8Array | null;
  /** The original value, byte for byte (a null value comes back as empty bytes). */
  value: Uint8Array;
  /** The original headers byte for byte, plus `x-replay-count` one higher. */
  headers: Record<string, Uint8Array>;
  /** The replay count the record now carries. */
  replayCount: number;
}

/**
 * The replay of a dead letter, from its envelope (not its headers, which a
 * topic UI could have edited): original key, value and headers restored
 * exactly, and `x-replay-count` set to one more than the original carried
 * (a missing or unreadable count counts as 0).
 *
 * @throws {DecodeError} When `value` is not a dead-letter envelope.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { replayOne } from "./replay_one.ts";
 * const letter = buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 0, offset: "7", timestamp: "1700000000000",
 *     key: new Uint8Array([1]), value: new Uint8Array([2, 3]), headers: {},
 *   },
 *   error: new Error("boom"), stage: "process", attempts: 4,
 *   firstFailureTime: 1700000001000, lastFailureTime: 1700000009000, consumerGroup: "g",
 * });
 * const replay = replayOne(letter.value);
 * assert.equal(replay.topic, "orders");
 * assert.deepEqual([...replay.value], [2, 3]);
 * assert.equal(replay.replayCount, 1);
 * ```
 */
export function replayOne(value: Uint8Array | null): Replay {
  const letter = decodeDeadLetter(value);
  const previous = letter.originalHeaders[REPLAY_COUNT_HEADER];
  const text = previous ? Buffer.from(previous).toString("utf8") : "";
  const replayCount = (/^\d{1,9}$/.test(text) ? Number(text) : 0) + 1;
  return {
    topic: letter.originalTopic,
    key: letter.originalKey,
    value: letter.payload,
    headers: { ...letter.originalHeaders, [REPLAY_COUNT_HEADER]: Buffer.from(String(replayCount)) },
    replayCount,
  };
}
