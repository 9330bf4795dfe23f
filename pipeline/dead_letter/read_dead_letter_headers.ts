/**
 * Reads the context headers of a dead-letter record back, including Spring
 * Kafka's binary `kafka_dlt-*` numbers.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { deadLetterHeader as header } from "../headers.ts";

/**
 * The dead-letter context found in a record's headers; a header that is absent
 * leaves its field out. Offsets and timestamps are decimal strings, as kafkajs
 * writes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DeadLetterHeaders, readDeadLetterHeaders } from "./read_dead_letter_headers.ts";
 *
 * const context: DeadLetterHeaders = readDeadLetterHeaders({ "x-attempts": "4" });
 * assert.equal(context.attempts, 4);
 * ```
 */
export interface DeadLetterHeaders {
  /** `kafka_dlt-original-topic`. */
  originalTopic?: string;
  /** `kafka_dlt-original-partition`, a 4-byte big-endian int. */
  originalPartition?: number;
  /** `kafka_dlt-original-offset`, an 8-byte big-endian long. */
  originalOffset?: string;
  /** `kafka_dlt-original-timestamp`, an 8-byte big-endian long (ms since the epoch). */
  originalTimestamp?: string;
  /** `kafka_dlt-original-timestamp-type`, such as `CreateTime`. */
  originalTimestampType?: string;
  /** `kafka_dlt-original-consumer-group`. */
  consumerGroup?: string;
  /** `kafka_dlt-exception-fqcn`: the error's class name. */
  exceptionFqcn?: string;
  /** `kafka_dlt-exception-message`. */
  exceptionMessage?: string;
  /** `kafka_dlt-exception-stacktrace`. */
  exceptionStacktrace?: string;
  /** `x-error-class`: poison, permanent or transient. */
  errorClass?: string;
  /** `x-error-code`. */
  errorCode?: string;
  /** `x-stage`. */
  stage?: string;
  /** `x-attempts`. */
  attempts?: number;
  /** `x-correlation-id`. */
  correlationId?: string;
}

type HeaderValue = Uint8Array | string | readonly (Uint8Array | string)[] | undefined;

const utf8 = new TextDecoder();

/**
 * Parses the dead-letter context headers, whoever wrote them (our
 * `buildDeadLetter` or Spring Kafka). Takes headers as kafkajs gives them:
 * bytes, a string, or a list when a name repeats, where the last value wins,
 * as in Spring's `lastHeader`.
 *
 * @throws {DecodeError} When a numeric header has the wrong width or form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DeadLetterHeaders, readDeadLetterHeaders } from "./read_dead_letter_headers.ts";
 *
 * const context: DeadLetterHeaders = readDeadLetterHeaders({
 *   "kafka_dlt-original-topic": "orders",
 *   "kafka_dlt-original-partition": new Uint8Array([0, 0, 0, 2]),
 * });
 * assert.deepEqual(context, { originalTopic: "orders", originalPartition: 2 });
 * ```
 */
export function readDeadLetterHeaders(
  headers: Record<string, HeaderValue>,
): DeadLetterHeaders {
  const context: DeadLetterHeaders = {};
  const text = (name: string): string | undefined => {
    const value = last(headers[name]);
    return value === undefined || typeof value === "string" ? value : utf8.decode(value);
  };
  const binary = (name: string, width: number): DataView | undefined => {
    const value = last(headers[name]);
    if (value === undefined) return undefined;
    if (typeof value === "string" || value.byteLength !== width) {
      const found = typeof value === "string" ? "a string" : `${value.byteLength} bytes`;
      throw new DecodeError(
        `Cannot read dead-letter headers: '${name}' must be ${width} bytes big-endian, got ${found}`,
      );
    }
    return new DataView(value.buffer, value.byteOffset, value.byteLength);
  };

  const set = <K extends keyof DeadLetterHeaders>(key: K, value: DeadLetterHeaders[K]) => {
    if (value !== undefined) context[key] = value;
  };
  set("originalTopic", text(header.ORIGINAL_TOPIC));
  set("originalPartition", binary(header.ORIGINAL_PARTITION, 4)?.getInt32(0));
  set("originalOffset", binary(header.ORIGINAL_OFFSET, 8)?.getBigInt64(0).toString());
  set("originalTimestamp", binary(header.ORIGINAL_TIMESTAMP, 8)?.getBigInt64(0).toString());
  set("originalTimestampType", text(header.ORIGINAL_TIMESTAMP_TYPE));
  set("consumerGroup", text(header.ORIGINAL_CONSUMER_GROUP));
  set("exceptionFqcn", text(header.EXCEPTION_FQCN));
  set("exceptionMessage", text(header.EXCEPTION_MESSAGE));
  set("exceptionStacktrace", text(header.EXCEPTION_STACKTRACE));
  set("errorClass", text(header.ERROR_CLASS));
  set("errorCode", text(header.ERROR_CODE));
  set("stage", text(header.STAGE));
  set("attempts", attempts(text(header.ATTEMPTS)));
  set("correlationId", text(header.CORRELATION_ID));
  return context;
}

function last(value: HeaderValue): Uint8Array | string | undefined {
  return Array.isArray(value) ? value.at(-1) : value as Uint8Array | string | undefined;
}

function attempts(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new DecodeError(
      `Cannot read dead-letter headers: '${header.ATTEMPTS}' must be a whole number, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return Number(value);
}
