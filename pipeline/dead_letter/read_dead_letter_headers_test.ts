import assert from "node:assert/strict";
import { DecodeError, TransientError } from "../errors.ts";
import { buildDeadLetter } from "./dead_letter.ts";
import { readDeadLetterHeaders } from "./read_dead_letter_headers.ts";

Deno.test("readDeadLetterHeaders() reads back every header buildDeadLetter wrote", () => {
  const { headers } = buildDeadLetter({
    record: {
      topic: "orders",
      partition: 1,
      offset: "123456789012",
      timestamp: "1700000000123",
      key: null,
      value: new Uint8Array([1]),
      headers: { "x-correlation-id": new TextEncoder().encode("corr-1") },
    },
    error: new TransientError("Processing order ORD-0001 timed out (simulated)"),
    stage: "retry",
    attempts: 4,
    firstFailureTime: 1700000001000,
    lastFailureTime: 1700000009000,
    consumerGroup: "order-stats",
  });
  const { exceptionStacktrace, ...context } = readDeadLetterHeaders(headers);
  assert.deepEqual(context, {
    originalTopic: "orders",
    originalPartition: 1,
    originalOffset: "123456789012",
    originalTimestamp: "1700000000123",
    originalTimestampType: "CreateTime",
    consumerGroup: "order-stats",
    exceptionFqcn: "TransientError",
    exceptionMessage: "Processing order ORD-0001 timed out (simulated)",
    errorClass: "transient",
    errorCode: "PROCESSING_TIMEOUT",
    stage: "retry",
    attempts: 4,
    correlationId: "corr-1",
  });
  assert.match(exceptionStacktrace ?? "", /^TransientError/);
});

Deno.test("readDeadLetterHeaders() reads headers as Spring Kafka writes them", () => {
  const context = readDeadLetterHeaders({
    "kafka_dlt-original-topic": new TextEncoder().encode("orders"),
    "kafka_dlt-original-partition": new Uint8Array([0, 0, 1, 0]),
    "kafka_dlt-original-offset": new Uint8Array([0, 0, 0, 0, 0, 0, 0x01, 0x02]),
    "kafka_dlt-original-timestamp": new Uint8Array([0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0x00]),
    "kafka_dlt-exception-fqcn": "org.apache.kafka.common.errors.SerializationException",
  });
  assert.deepEqual(context, {
    originalTopic: "orders",
    originalPartition: 256,
    originalOffset: "258",
    originalTimestamp: "1700000000000",
    exceptionFqcn: "org.apache.kafka.common.errors.SerializationException",
  });
});

Deno.test("readDeadLetterHeaders() takes the last value of a repeated header", () => {
  const context = readDeadLetterHeaders({
    "x-stage": ["decode", new TextEncoder().encode("retry")],
  });
  assert.deepEqual(context, { stage: "retry" });
});

Deno.test("readDeadLetterHeaders() gives nothing for a record without dead-letter headers", () => {
  assert.deepEqual(readDeadLetterHeaders({ other: "x", "x-stage": undefined }), {});
});

Deno.test("readDeadLetterHeaders() rejects a numeric header of the wrong width", () => {
  assert.throws(
    () => readDeadLetterHeaders({ "kafka_dlt-original-partition": new Uint8Array([0, 1]) }),
    new DecodeError(
      "Cannot read dead-letter headers: 'kafka_dlt-original-partition' must be 4 bytes big-endian, got 2 bytes",
    ),
  );
});

Deno.test("readDeadLetterHeaders() rejects a numeric header given as a string", () => {
  assert.throws(
    () => readDeadLetterHeaders({ "kafka_dlt-original-offset": "42" }),
    /'kafka_dlt-original-offset' must be 8 bytes big-endian, got a string/,
  );
});

Deno.test("readDeadLetterHeaders() rejects attempts that are not a whole number", () => {
  assert.throws(
    () => readDeadLetterHeaders({ "x-attempts": "two" }),
    /'x-attempts' must be a whole number, got "two"/,
  );
});
