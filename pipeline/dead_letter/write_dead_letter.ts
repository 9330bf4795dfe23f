/**
 * Writes a dead letter, falling back to one without the payload when the
 * dead-letter topic refuses it as too large, so one oversize poison message
 * never blocks its partition.
 *
 * @module
 */
import { errorCode } from "../errors.ts";
import { type DeadLetterRecord, withoutPayload } from "./without_payload.ts";

/**
 * Sends `record` with `send`; if that fails with `RECORD_TOO_LARGE`, sends
 * {@link withoutPayload}`(record)` instead and tells `onOmitted`. Any other
 * failure, or a payload-less letter that is still too large, rejects.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaWriteError } from "../errors.ts";
 * import { buildDeadLetter } from "./dead_letter.ts";
 * import { decodeDeadLetter } from "./decode_dead_letter.ts";
 * import { writeDeadLetter } from "./write_dead_letter.ts";
 *
 * const record = buildDeadLetter({
 *   record: {
 *     topic: "orders", partition: 0, offset: "3", timestamp: "1700000000000",
 *     key: null, value: new Uint8Array(2000), headers: {},
 *   },
 *   error: new Error("boom"), stage: "decode", attempts: 1,
 *   firstFailureTime: 1, lastFailureTime: 1, consumerGroup: "g",
 * });
 * const written: Uint8Array[] = [];
 * await writeDeadLetter(record, async (r) => {
 *   if (r.value.byteLength > 1000) throw new KafkaWriteError("RECORD_TOO_LARGE", "too large");
 *   written.push(r.value);
 * });
 * assert.equal(decodeDeadLetter(written[0]).payloadOmitted, true);
 * ```
 */
export async function writeDeadLetter(
  record: DeadLetterRecord,
  send: (record: DeadLetterRecord) => Promise<void>,
  onOmitted?: (record: DeadLetterRecord) => void,
): Promise<void> {
  try {
    await send(record);
  } catch (err) {
    if (errorCode(err) !== "RECORD_TOO_LARGE") throw err;
    const slim = withoutPayload(record);
    await send(slim);
    onOmitted?.(slim);
  }
}
