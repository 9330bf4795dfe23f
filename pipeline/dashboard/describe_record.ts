/**
 * `describeRecord()`: everything about one message for the detail panel and
 * the topic browser: the value decoded by what the topic carries (order, dead
 * letter, retry record, aggregate snapshot) or a hex dump when it does not
 * decode, every header decoded by its convention, the full error. Every value
 * is a string for the page to show as text.
 *
 * @module
 */
import { createOrderDecoder } from "../avro/order_decoder.ts";
import { loadOrderSchemas } from "../avro/order_schemas.ts";
import { parseSingleObject } from "../avro/single_object.ts";
import { parseStatsSnapshot } from "../consumer/stats_snapshot.ts";
import { decodeDeadLetter } from "../dead_letter/decode_dead_letter.ts";
import { readDeadLetterHeaders } from "../dead_letter/read_dead_letter_headers.ts";
import { errorMessage } from "../errors.ts";
import { deadLetterHeader } from "../headers.ts";
import type { KafkaRecord } from "../kafka/kafka_record.ts";
import type { Order } from "../orders/order.ts";
import { validateOrder } from "../orders/validate_order.ts";
import { readRetryContext } from "../retry/read_retry_context.ts";
import { bytesText, hexDump } from "./bytes_text.ts";

/** What a topic carries, which decides how its values decode. */
export type RecordKind = "order" | "dead-letter" | "retry" | "snapshot";

/** One message, described. */
export interface RecordDetail {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  /** How the value decoded; `raw` when it did not. */
  kind: RecordKind | "raw";
  /** The decoded fields, in a readable order. */
  fields: Array<[string, string]>;
  /** Why the value did not decode, or why a decoded order is invalid, or the dead letter's error. */
  problem: string | null;
  /** A dead letter's stack trace. */
  stack: string | null;
  /** Every header, decoded by its convention (Spring's binary numbers as numbers). */
  headers: Array<[string, string]>;
  /** The value's bytes as a hex dump (16 a line, with the printable characters). */
  hex: string;
  size: number;
}

// The consumer's own decoder: raw v1 and single-object messages of every known version.
const orderDecoder = createOrderDecoder();
const orderSchemas = loadOrderSchemas();

/**
 * Describes `record` as a value of `kind`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeRecord } from "./describe_record.ts";
 * const detail = describeRecord({
 *   topic: "orders", partition: 0, offset: "1", timestamp: "0",
 *   key: null, value: new Uint8Array([1, 2]), headers: {},
 * }, "order");
 * assert.equal(detail.kind, "raw");
 * assert.match(detail.hex, /^00000000  01 02/);
 * ```
 */
export function describeRecord(record: KafkaRecord, kind: RecordKind): RecordDetail {
  const base: RecordDetail = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: Number(record.timestamp),
    key: record.key ? bytesText(record.key) : null,
    kind: "raw",
    fields: [],
    problem: null,
    stack: null,
    headers: Object.entries(record.headers).map(([name, bytes]) => [name, bytesText(bytes)]),
    hex: hexDump(record.value ?? new Uint8Array()),
    size: record.value?.byteLength ?? 0,
  };
  try {
    return { ...base, ...decoders[kind](record) };
  } catch (err) {
    return {
      ...base,
      problem: `The value does not decode as ${kind === "order" ? "an order" : `a ${kind}`}: ${
        errorMessage(err)
      }`,
    };
  }
}

type Decoded = Pick<RecordDetail, "kind" | "fields" | "problem" | "stack"> & {
  headers?: RecordDetail["headers"];
};

const decoders: Record<RecordKind, (record: KafkaRecord) => Decoded> = {
  order(record) {
    const order = orderDecoder.decode(record.value);
    return {
      kind: "order",
      fields: orderFields(order, record.value!),
      problem: invalidOrder(order),
      stack: null,
    };
  },
  retry(record) {
    const order = orderDecoder.decode(record.value);
    const context = readRetryContext(record);
    const { original } = context;
    return {
      kind: "retry",
      fields: [
        ...orderFields(order, record.value!),
        ["round", String(context.round)],
        ["due", context.due > 0 ? new Date(context.due).toISOString() : "now"],
        ["attempts", String(context.attempts)],
        [
          "first failure",
          context.firstFailure === null ? "–" : new Date(context.firstFailure).toISOString(),
        ],
        ["original", `${original.topic}/${original.partition}@${original.offset}`],
      ],
      problem: invalidOrder(order),
      stack: null,
    };
  },
  "dead-letter"(record) {
    const letter = decodeDeadLetter(record.value);
    const spring = readDeadLetterHeaders(record.headers);
    const headers: Array<[string, string]> = Object.entries(record.headers).map(([name, bytes]) => {
      if (name === deadLetterHeader.ORIGINAL_PARTITION && spring.originalPartition !== undefined) {
        return [name, String(spring.originalPartition)];
      }
      if (name === deadLetterHeader.ORIGINAL_OFFSET && spring.originalOffset) {
        return [name, spring.originalOffset];
      }
      if (name === deadLetterHeader.ORIGINAL_TIMESTAMP && spring.originalTimestamp) {
        return [
          name,
          `${spring.originalTimestamp} (${
            new Date(Number(spring.originalTimestamp)).toISOString()
          })`,
        ];
      }
      return [name, bytesText(bytes)];
    });
    const time = (ms: number) => new Date(ms).toISOString();
    return {
      kind: "dead-letter",
      fields: [
        ["orderId", letter.orderId ?? "–"],
        ["product", letter.product ?? "–"],
        ["price", letter.price === null ? "–" : String(letter.price)],
        ["error class", letter.errorClass],
        ["error code", letter.errorCode],
        ["stage", letter.stage],
        ["attempts", String(letter.attempts)],
        ["first failure", time(letter.firstFailureTime)],
        ["last failure", time(letter.lastFailureTime)],
        [
          "original",
          `${letter.originalTopic}/${letter.originalPartition}@${letter.originalOffset}`,
        ],
        ["original time", time(letter.originalTimestamp)],
        ["consumer group", letter.consumerGroup],
        ["correlation id", letter.correlationId ?? "–"],
        ["original key", letter.originalKey ? bytesText(letter.originalKey) : "–"],
        ["payload", `${letter.payload.byteLength} bytes`],
        ...Object.entries(letter.originalHeaders).map(([name, bytes]): [string, string] => [
          `original header ${name}`,
          bytesText(bytes),
        ]),
      ],
      problem: letter.errorMessage,
      stack: letter.stackTrace,
      headers,
    };
  },
  snapshot(record) {
    const snapshot = parseStatsSnapshot(record.value);
    return {
      kind: "snapshot",
      fields: Object.entries(snapshot).map(([name, value]) => [
        name,
        name === "updatedAt"
          ? `${value} (${new Date(Number(value)).toISOString()})`
          : String(value),
      ]),
      problem: null,
      stack: null,
    };
  },
};

// An order's fields, those of later schema versions too, and how it was written.
function orderFields(order: Order, bytes: Uint8Array): Array<[string, string]> {
  const framed = parseSingleObject(bytes);
  const writer = framed && orderSchemas.find((s) => s.fingerprint === framed.fingerprint);
  const known = (value: string | number | null | undefined) =>
    value === null || value === undefined ? "–" : String(value);
  return [
    ["orderId", order.orderId],
    ["product", order.product],
    ["price", String(order.price)],
    ["quantity", known(order.quantity)],
    ["customerId", known(order.customerId)],
    [
      "createdAt",
      typeof order.createdAt === "number"
        ? `${order.createdAt} (${new Date(order.createdAt).toISOString()})`
        : "–",
    ],
    [
      "written as",
      writer ? `single-object Avro, order schema v${writer.version}` : "raw Avro, order schema v1",
    ],
  ];
}

/** Why a decoded order breaks a business rule, or null. */
export function invalidOrder(order: Order): string | null {
  try {
    validateOrder(order);
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
