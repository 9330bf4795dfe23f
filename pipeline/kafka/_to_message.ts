// Our OutboundRecord to kafkajs's message shape, shared by the producer and the
// transactional producer. kafkajs sends a Node Buffer as raw bytes but takes
// any other Uint8Array for something else, so this is the one place where
// bytes become Buffers: a Buffer as it is, any other Uint8Array wrapped
// without a copy.
import { Buffer } from "node:buffer";
import type { IHeaders, Message } from "kafkajs";
import type { OutboundRecord } from "./kafka_record.ts";

export function toMessage(record: OutboundRecord): Message {
  return {
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    headers: record.headers && toHeaders(record.headers),
    partition: record.partition,
  };
}

function toHeaders(headers: Readonly<Record<string, Uint8Array | string>>): IHeaders {
  const out: IHeaders = {};
  for (const name in headers) out[name] = toBuffer(headers[name]) ?? "";
  return out;
}

function toBuffer(bytes: Uint8Array | string | null | undefined): Buffer | string | null {
  if (bytes === undefined || bytes === null) return null;
  if (typeof bytes === "string" || Buffer.isBuffer(bytes)) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
