/**
 * The record a replay sends: the dead letter's original key, value and
 * headers, byte for byte, with the replay count raised by one.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { DeadLetter } from "./dead_letter.ts";
import { REPLAY_COUNT } from "../headers.ts";

/**
 * How many times a dead letter's message was replayed before it failed again:
 * the `x-replay-count` header among its original headers, 0 when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayCount } from "./build_replay_record.ts";
 * assert.equal(replayCount({ "x-replay-count": new TextEncoder().encode("2") }), 2);
 * assert.equal(replayCount({}), 0);
 * ```
 */
export function replayCount(originalHeaders: Readonly<Record<string, Uint8Array>>): number {
  const bytes = originalHeaders[REPLAY_COUNT];
  const text = bytes ? new TextDecoder().decode(bytes) : "0";
  return /^\d+$/.test(text) ? Number(text) : 0;
}

/**
 * Builds the replay of `letter`: `originalKey`, `payload` (or null for an
 * empty payload, which is how a null value was kept) and `originalHeaders`
 * unchanged, plus `x-replay-count` one higher. The partition is left to the
 * key, as the original producer left it.
 *
 * @throws {Error} for a letter written without its payload (`payloadOmitted`):
 * its original must be read back first (`replayRecordFor`), never replayed empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 * import { buildReplayRecord } from "./build_replay_record.ts";
 *
 * const text = new TextEncoder();
 * const letter = decodeDeadLetter(buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 0, offset: "7", timestamp: "1700000000000",
 *     key: text.encode("ORD-1"), value: new Uint8Array([1, 2]),
 *     headers: { "x-correlation-id": text.encode("c-1") },
 *   },
 *   error: new Error("boom"), stage: "process", attempts: 4,
 *   firstFailureTime: 1, lastFailureTime: 2, consumerGroup: "g",
 * }).value);
 * const replay = buildReplayRecord(letter);
 * assert.deepEqual([...replay.value!], [1, 2]);
 * assert.equal(new TextDecoder().decode(replay.headers["x-replay-count"]), "1");
 * assert.equal(new TextDecoder().decode(replay.headers["x-correlation-id"]), "c-1");
 * ```
 */
export function buildReplayRecord(letter: DeadLetter): {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, Uint8Array>;
} {
  if (letter.payloadOmitted) {
    throw new Error(
      `Cannot replay ${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset} from the dead letter alone: it was written without its payload; read the original from its topic`,
    );
  }
  return {
    key: letter.originalKey,
    value: letter.payload.byteLength === 0 ? null : letter.payload,
    headers: {
      ...letter.originalHeaders,
      [REPLAY_COUNT]: Buffer.from(String(replayCount(letter.originalHeaders) + 1)),
    },
  };
}
