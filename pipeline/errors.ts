/**
 * The errors the pipeline raises, each with a stable `code` from a closed list,
 * a failure `errorClass` that decides its route (retry, dead-letter, stop), and
 * a `retriable` flag.
 *
 * @module
 */

/** How a failure is routed (ARCHITECTURE.md, Failure classes). */
export type ErrorClass = "poison" | "permanent" | "transient" | "fatal";

/** Every code an error of ours can carry. */
const ERROR_CODES = [
  "EMPTY_VALUE",
  "DECODE_FAILED",
  "UNKNOWN_SCHEMA",
  "INVALID_UTF8",
  "ENCODE_FAILED",
  "INVALID_ORDER",
  "PROCESSING_TIMEOUT",
  "DOWNSTREAM_FAILED",
  "DEAD_LETTER_WRITE_FAILED",
  "BROKER_UNREACHABLE",
  "RECORD_TOO_LARGE",
  "WRITE_NOT_AUTHORIZED",
  "WRITE_REFUSED",
  "WRITE_TIMEOUT",
  "CONFIG_INVALID",
  "BROKER_UNAVAILABLE",
  "BROKER_START_FAILED",
  "PRODUCER_FENCED",
  "UNEXPECTED",
] as const;

/** A stable error code. */
export type ErrorCode = typeof ERROR_CODES[number];

/** Options shared by every pipeline error. */
export interface PipelineErrorOptions {
  /** The underlying error, kept for diagnosis. */
  cause?: unknown;
}

/**
 * The base of every error the pipeline raises on purpose.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PipelineError } from "./errors.ts";
 * const err = new PipelineError("UNEXPECTED", "fatal", "boom");
 * assert.equal(err.retriable, false);
 * ```
 */
export class PipelineError extends Error {
  /** A code from {@link ERROR_CODES}. */
  readonly code: ErrorCode;
  /** Which route the failure takes. */
  readonly errorClass: ErrorClass;

  constructor(
    code: ErrorCode,
    errorClass: ErrorClass,
    message: string,
    options: PipelineErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "PipelineError";
    this.code = code;
    this.errorClass = errorClass;
  }

  /** Whether trying the same thing again may succeed. */
  get retriable(): boolean {
    return this.errorClass === "transient";
  }
}

/** Bytes that are not a valid record for the schema: poison, never retried. */
export class DecodeError extends PipelineError {
  constructor(
    message: string,
    code: "EMPTY_VALUE" | "DECODE_FAILED" | "UNKNOWN_SCHEMA" | "INVALID_UTF8" = "DECODE_FAILED",
    options?: PipelineErrorOptions,
  ) {
    super(code, "poison", message, options);
    this.name = "DecodeError";
  }
}

/** A self-describing message whose writer schema is not one we know: poison. */
export class UnknownSchemaError extends DecodeError {
  /** The writer schema's CRC-64-AVRO fingerprint, 16 hex digits. */
  readonly fingerprint: string;

  constructor(message: string, fingerprint: string) {
    super(message, "UNKNOWN_SCHEMA");
    this.name = "UnknownSchemaError";
    this.fingerprint = fingerprint;
  }
}

/** A value that cannot be encoded for its schema; names the offending field. */
export class EncodeError extends PipelineError {
  constructor(message: string, options?: PipelineErrorOptions) {
    super("ENCODE_FAILED", "permanent", message, options);
    this.name = "EncodeError";
  }
}

/** A record that decodes but breaks a business rule: permanent, never retried. */
export class ValidationError extends PipelineError {
  /** The field that failed, such as `price`. */
  readonly field: string;

  constructor(field: string, message: string, options?: PipelineErrorOptions) {
    super("INVALID_ORDER", "permanent", message, options);
    this.name = "ValidationError";
    this.field = field;
  }
}

/** A failure that may pass if tried again, such as a timeout downstream. */
export class TransientError extends PipelineError {
  constructor(
    message: string,
    code: "PROCESSING_TIMEOUT" | "DOWNSTREAM_FAILED" = "PROCESSING_TIMEOUT",
    options?: PipelineErrorOptions,
  ) {
    super(code, "transient", message, options);
    this.name = "TransientError";
  }

  /**
   * A TransientError that does not record where it was thrown, for failures
   * whose place says nothing, such as the simulated processor's timeouts.
   * Deno has V8 record a detailed call stack in every Error it builds,
   * whatever `Error.stackTraceLimit` says: 3 to 9 µs each at the depth of
   * the consumer's chain. This one is built without the Error constructor:
   * the same prototype, fields and message, and a `stack` of its first line
   * only.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { isRetriable, TransientError } from "./errors.ts";
   * const err = TransientError.withoutStack("timed out");
   * assert.ok(err instanceof TransientError && err instanceof Error && isRetriable(err));
   * assert.equal(err.stack, "TransientError: timed out");
   * ```
   */
  static withoutStack(
    message: string,
    code: "PROCESSING_TIMEOUT" | "DOWNSTREAM_FAILED" = "PROCESSING_TIMEOUT",
  ): TransientError {
    const name = "TransientError";
    const hidden = { writable: true, configurable: true, enumerable: false };
    const shown = { writable: true, configurable: true, enumerable: true };
    return Object.create(TransientError.prototype, {
      // As the Error constructor and the class fields define them.
      message: { ...hidden, value: message },
      stack: { ...hidden, value: `${name}: ${message}` },
      code: { ...shown, value: code },
      errorClass: { ...shown, value: "transient" },
      name: { ...shown, value: name },
    });
  }
}

/** The dead-letter topic refused a record: the consumer must stop uncommitted. */
export class DeadLetterWriteError extends PipelineError {
  constructor(message: string, options?: PipelineErrorOptions) {
    super("DEAD_LETTER_WRITE_FAILED", "fatal", message, options);
    this.name = "DeadLetterWriteError";
  }
}

/**
 * A newer producer with the same transactional id took over (the partition it
 * writes for was assigned elsewhere): this one must stop writing for it.
 */
export class ProducerFencedError extends PipelineError {
  constructor(message: string, options?: PipelineErrorOptions) {
    super("PRODUCER_FENCED", "fatal", message, options);
    this.name = "ProducerFencedError";
  }
}

/**
 * A write to Kafka failed. `BROKER_UNREACHABLE` is transient (the broker is
 * down, restarting or electing a leader: the same write may pass later); the
 * other codes say the broker refused the record, which no wait can mend.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRetriable, KafkaWriteError } from "./errors.ts";
 * assert.ok(isRetriable(new KafkaWriteError("BROKER_UNREACHABLE", "connection refused")));
 * assert.ok(!isRetriable(new KafkaWriteError("RECORD_TOO_LARGE", "too large")));
 * ```
 */
export class KafkaWriteError extends PipelineError {
  constructor(
    code: "BROKER_UNREACHABLE" | "RECORD_TOO_LARGE" | "WRITE_NOT_AUTHORIZED" | "WRITE_REFUSED",
    message: string,
    options?: PipelineErrorOptions,
  ) {
    super(code, code === "BROKER_UNREACHABLE" ? "transient" : "fatal", message, options);
    this.name = "KafkaWriteError";
  }
}

/** A write waited for the broker longer than its bound allows. */
export class WriteTimeoutError extends PipelineError {
  constructor(message: string, options?: PipelineErrorOptions) {
    super("WRITE_TIMEOUT", "fatal", message, options);
    this.name = "WriteTimeoutError";
  }
}

/** One or more configuration values are wrong; the message lists them all. */
export class ConfigError extends PipelineError {
  /** Every problem found, one sentence each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("CONFIG_INVALID", "fatal", problems.join("; "));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** The broker could not be assembled, started or reached. */
export class BrokerError extends PipelineError {
  constructor(
    message: string,
    code: "BROKER_UNAVAILABLE" | "BROKER_START_FAILED" = "BROKER_START_FAILED",
    options?: PipelineErrorOptions,
  ) {
    super(code, "fatal", message, options);
    this.name = "BrokerError";
  }
}

/**
 * Classifies any thrown value. Unknown errors count as transient: a failure we
 * did not foresee is retried, and if it persists it is dead-lettered.
 * Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classify, DecodeError } from "./errors.ts";
 * assert.equal(classify(new DecodeError("bad bytes")), "poison");
 * assert.equal(classify("odd"), "transient");
 * ```
 */
export function classify(err: unknown): ErrorClass {
  return err instanceof PipelineError ? err.errorClass : "transient";
}

/**
 * Whether an error may pass when tried again. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRetriable, TransientError } from "./errors.ts";
 * assert.ok(isRetriable(new TransientError("timed out")));
 * ```
 */
export function isRetriable(err: unknown): boolean {
  return classify(err) === "transient";
}

/** The stable code of any thrown value; `UNEXPECTED` for foreign errors. */
export function errorCode(err: unknown): ErrorCode {
  return err instanceof PipelineError ? err.code : "UNEXPECTED";
}

/** A readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err) ?? String(err);
}
