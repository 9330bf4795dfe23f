// Every header name the pipeline writes or reads, defined once. The dead-letter
// writer and reader, the retry tier, the producer, the consumer's outcome
// report, the CLIs and the dashboard all import their names from here. All
// values are UTF-8 text unless a name's comment says otherwise.

/** The order's correlation id: set by the producer, travels unchanged through retry, DLQ and replay. */
export const CORRELATION_ID = "x-correlation-id";
/** How many times a dead letter has been replayed; a replay writes one higher. */
export const REPLAY_COUNT = "x-replay-count";
/**
 * The consumer group a replayed record is for: the group that dead-lettered
 * it. Set by a replay back to the letter's own topic, where other groups read
 * the record the first time; each of them passes it over.
 */
export const REPLAY_GROUP = "x-replay-group";
/** Processing attempts so far (dead letters and retry records). */
export const ATTEMPTS = "x-attempts";
/** The error class of the failure (dead letters and retry records). */
export const ERROR_CLASS = "x-error-class";
/** The error code of the failure (dead letters and retry records). */
export const ERROR_CODE = "x-error-code";

/**
 * Dead-letter context headers. The `kafka_dlt-*` names are Spring Kafka's, so
 * topic UIs that key redrive on them understand our dead letters.
 * `ORIGINAL_PARTITION` is a 4-byte big-endian int, `ORIGINAL_OFFSET` and
 * `ORIGINAL_TIMESTAMP` 8-byte big-endian longs.
 */
export const deadLetterHeader = {
  ORIGINAL_TOPIC: "kafka_dlt-original-topic",
  ORIGINAL_PARTITION: "kafka_dlt-original-partition",
  ORIGINAL_OFFSET: "kafka_dlt-original-offset",
  ORIGINAL_TIMESTAMP: "kafka_dlt-original-timestamp",
  ORIGINAL_TIMESTAMP_TYPE: "kafka_dlt-original-timestamp-type",
  ORIGINAL_CONSUMER_GROUP: "kafka_dlt-original-consumer-group",
  EXCEPTION_FQCN: "kafka_dlt-exception-fqcn",
  EXCEPTION_MESSAGE: "kafka_dlt-exception-message",
  EXCEPTION_STACKTRACE: "kafka_dlt-exception-stacktrace",
  ERROR_CLASS,
  ERROR_CODE,
  STAGE: "x-stage",
  ATTEMPTS,
  CORRELATION_ID,
  REPLAY_COUNT,
  SCHEMA_FINGERPRINT: "x-schema-fingerprint",
  PAYLOAD_OMITTED: "x-payload-omitted",
} as const;

/** Retry-tier headers; numbers are decimal text. */
export const retryHeader = {
  /**
   * The consumer group whose round the record is: groups that read one topic
   * share its retry topic, and each takes only its own records.
   */
  GROUP: "x-retry-group",
  ROUND: "x-retry-round",
  DUE: "x-retry-due",
  ATTEMPTS,
  FIRST_FAILURE: "x-first-failure",
  ORIGINAL_TOPIC: "x-original-topic",
  ORIGINAL_PARTITION: "x-original-partition",
  ORIGINAL_OFFSET: "x-original-offset",
  ORIGINAL_TIMESTAMP: "x-original-timestamp",
  ERROR_CLASS,
  ERROR_CODE,
} as const;

/** The headers a dead letter adds to the original's: everything that says why and where. */
export const DEAD_LETTER_CONTEXT_HEADERS: ReadonlySet<string> = new Set(
  Object.values(deadLetterHeader).filter((name) =>
    name !== CORRELATION_ID && name !== REPLAY_COUNT
  ),
);

/** Every header the retry tier adds; what is left is the original record's own. */
export const RETRY_HEADERS: ReadonlySet<string> = new Set(Object.values(retryHeader));
