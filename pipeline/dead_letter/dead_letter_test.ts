import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  ConfigError,
  DecodeError,
  EncodeError,
  TransientError,
  ValidationError,
} from "../errors.ts";
import { buildDeadLetter, type DeadLetterInput } from "./dead_letter.ts";
import { decodeDeadLetter } from "./decode_dead_letter.ts";

const utf8 = new TextEncoder();

function input(overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return {
    record: {
      topic: "orders",
      partition: 2,
      offset: "4503599627370495",
      timestamp: "1700000000123",
      key: utf8.encode("ORD-0007"),
      value: new Uint8Array([0x10, 0x4f, 0x52, 0x44, 0xff, 0x00]),
      headers: {
        "x-correlation-id": utf8.encode("corr-7"),
        "trace": new Uint8Array([0, 1, 2, 255]),
      },
    },
    error: new ValidationError("price", "Order ORD-0007 has an invalid price: -5 is negative"),
    stage: "validate",
    attempts: 1,
    firstFailureTime: 1700000000500,
    lastFailureTime: 1700000000600,
    consumerGroup: "order-stats",
    order: { orderId: "ORD-0007", product: "Laptop", price: -5 },
    ...overrides,
  };
}

function bytes(value: Uint8Array | null | undefined): number[] | null | undefined {
  return value ? [...value] : value as null | undefined;
}

function text(value: Uint8Array | undefined): string | undefined {
  return value && new TextDecoder().decode(value);
}

Deno.test("buildDeadLetter() keeps the payload, key and headers byte for byte", () => {
  const given = input();
  const built = buildDeadLetter(given);
  const letter = decodeDeadLetter(built.value);
  assert.deepEqual(bytes(letter.payload), bytes(given.record.value));
  assert.deepEqual(bytes(letter.originalKey), bytes(given.record.key));
  assert.deepEqual(bytes(built.key), bytes(given.record.key));
  assert.deepEqual(Object.keys(letter.originalHeaders), ["x-correlation-id", "trace"]);
  for (const [name, value] of Object.entries(given.record.headers)) {
    assert.deepEqual(bytes(letter.originalHeaders[name]), bytes(value));
    assert.deepEqual(bytes(built.headers[name]), bytes(value));
  }
});

Deno.test("buildDeadLetter() fills the envelope with the failure and its context", async () => {
  const given = input();
  const letter = decodeDeadLetter(buildDeadLetter(given).value);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new Uint8Array(given.record.value ?? [])),
  );
  const { payload: _p, originalKey: _k, originalHeaders: _h, stackTrace, ...rest } = letter;
  assert.deepEqual({ ...rest }, {
    orderId: "ORD-0007",
    product: "Laptop",
    price: -5,
    errorClass: "permanent",
    errorCode: "INVALID_ORDER",
    errorMessage: "Order ORD-0007 has an invalid price: -5 is negative",
    stage: "validate",
    attempts: 1,
    firstFailureTime: 1700000000500,
    lastFailureTime: 1700000000600,
    originalTopic: "orders",
    originalPartition: 2,
    originalOffset: 4503599627370495,
    originalTimestamp: 1700000000123,
    consumerGroup: "order-stats",
    correlationId: "corr-7",
    payloadOmitted: false,
    payloadSize: 6,
    payloadSha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
  });
  assert.match(stackTrace ?? "", /^ValidationError: Order ORD-0007/);
});

Deno.test("buildDeadLetter() writes Spring's numeric headers big-endian at Spring's widths", () => {
  const { headers } = buildDeadLetter(input());
  assert.deepEqual(bytes(headers["kafka_dlt-original-partition"]), [0, 0, 0, 2]);
  assert.deepEqual(
    bytes(headers["kafka_dlt-original-offset"]),
    [0x00, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  );
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64BE(1700000000123n);
  assert.deepEqual(bytes(headers["kafka_dlt-original-timestamp"]), [...timestamp]);
});

Deno.test("buildDeadLetter() writes the text context headers as UTF-8", () => {
  const { headers } = buildDeadLetter(input());
  assert.equal(text(headers["kafka_dlt-original-topic"]), "orders");
  assert.equal(text(headers["kafka_dlt-original-timestamp-type"]), "CreateTime");
  assert.equal(text(headers["kafka_dlt-original-consumer-group"]), "order-stats");
  assert.equal(text(headers["kafka_dlt-exception-fqcn"]), "ValidationError");
  assert.equal(
    text(headers["kafka_dlt-exception-message"]),
    "Order ORD-0007 has an invalid price: -5 is negative",
  );
  assert.match(text(headers["kafka_dlt-exception-stacktrace"]) ?? "", /ValidationError/);
  assert.equal(text(headers["x-error-class"]), "permanent");
  assert.equal(text(headers["x-error-code"]), "INVALID_ORDER");
  assert.equal(text(headers["x-stage"]), "validate");
  assert.equal(text(headers["x-attempts"]), "1");
  assert.equal(text(headers["x-correlation-id"]), "corr-7");
});

Deno.test("buildDeadLetter() gives kafkajs Buffers, which it sends as raw bytes", () => {
  const built = buildDeadLetter(input());
  assert.ok(Buffer.isBuffer(built.value));
  assert.ok(Buffer.isBuffer(built.key));
  for (const value of Object.values(built.headers)) assert.ok(Buffer.isBuffer(value));
});

Deno.test("buildDeadLetter() records poison with no order and no key", () => {
  const given = input({
    error: new DecodeError("Cannot decode order: the value is empty", "EMPTY_VALUE"),
    stage: "decode",
    order: null,
  });
  given.record = { ...given.record, key: null, value: null, headers: {} };
  const built = buildDeadLetter(given);
  const letter = decodeDeadLetter(built.value);
  assert.equal(built.key, null);
  assert.equal(letter.payload.length, 0);
  assert.equal(letter.originalKey, null);
  assert.deepEqual({ ...letter.originalHeaders }, {});
  assert.equal(letter.orderId, null);
  assert.equal(letter.price, null);
  assert.equal(letter.correlationId, null);
  assert.equal(letter.errorClass, "poison");
  assert.equal(letter.errorCode, "EMPTY_VALUE");
  assert.equal(built.headers["x-correlation-id"], undefined);
});

Deno.test("buildDeadLetter() records a transient error whose retries ran out", () => {
  const letter = decodeDeadLetter(
    buildDeadLetter(input({
      error: new TransientError("Processing order ORD-0007 timed out (simulated)"),
      stage: "retry",
      attempts: 4,
    })).value,
  );
  assert.equal(letter.errorClass, "transient");
  assert.equal(letter.errorCode, "PROCESSING_TIMEOUT");
  assert.equal(letter.attempts, 4);
});

Deno.test("buildDeadLetter() classifies a foreign thrown value as transient UNEXPECTED", () => {
  const built = buildDeadLetter(input({ error: "socket hang up" }));
  const letter = decodeDeadLetter(built.value);
  assert.equal(letter.errorClass, "transient");
  assert.equal(letter.errorCode, "UNEXPECTED");
  assert.equal(letter.errorMessage, "socket hang up");
  assert.equal(letter.stackTrace, null);
  assert.equal(text(built.headers["kafka_dlt-exception-fqcn"]), "String");
  assert.equal(built.headers["kafka_dlt-exception-stacktrace"], undefined);
});

Deno.test("buildDeadLetter() records a fatal error as permanent", () => {
  const letter = decodeDeadLetter(buildDeadLetter(input({ error: new ConfigError(["x"]) })).value);
  assert.equal(letter.errorClass, "permanent");
  assert.equal(letter.errorCode, "CONFIG_INVALID");
});

Deno.test("buildDeadLetter() truncates the message to 1,000 and the stack to 4,000 chars", () => {
  const error = new Error("m".repeat(5_000));
  error.stack = "s".repeat(10_000);
  const built = buildDeadLetter(input({ error }));
  const letter = decodeDeadLetter(built.value);
  assert.equal(letter.errorMessage.length, 1_000);
  assert.ok(letter.errorMessage.endsWith("m… [truncated]"));
  assert.equal(letter.stackTrace?.length, 4_000);
  assert.ok(letter.stackTrace?.endsWith("s… [truncated]"));
  assert.equal(text(built.headers["kafka_dlt-exception-message"]), letter.errorMessage);
  assert.equal(text(built.headers["kafka_dlt-exception-stacktrace"]), letter.stackTrace);
});

Deno.test("buildDeadLetter() keeps a message of exactly 1,000 chars whole", () => {
  const message = "m".repeat(1_000);
  const letter = decodeDeadLetter(buildDeadLetter(input({ error: new Error(message) })).value);
  assert.equal(letter.errorMessage, message);
});

Deno.test("buildDeadLetter() never cuts a surrogate pair in half", () => {
  const message = "m".repeat(986) + "😀".repeat(100);
  const letter = decodeDeadLetter(buildDeadLetter(input({ error: new Error(message) })).value);
  assert.equal(letter.errorMessage, "m".repeat(986) + "… [truncated]");
});

Deno.test("buildDeadLetter() names the field that does not fit the envelope", () => {
  const given = input();
  given.record = { ...given.record, offset: "not-a-number" };
  assert.throws(
    () => buildDeadLetter(given),
    (err) =>
      err instanceof EncodeError &&
      err.message === "Cannot encode dead letter: field 'originalOffset' expected long, got NaN",
  );
});
