// kafkajs's message shape to our KafkaRecord, shared by the readers.
import type { KafkaMessage } from "kafkajs";
import { headerBytes, type KafkaRecord } from "./kafka_record.ts";

export function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  const headers: Record<string, Uint8Array> = {};
  if (message.headers) {
    for (const name in message.headers) {
      const bytes = headerBytes(message.headers[name]);
      if (bytes) headers[name] = bytes;
    }
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
    timestamp: message.timestamp,
  };
}
