// Header names shared by the writer and the reader of dead letters. The
// `kafka_dlt-*` names are Spring Kafka's, so topic UIs that key redrive on them
// understand our dead letters.

export const ORIGINAL_TOPIC = "kafka_dlt-original-topic";
export const ORIGINAL_PARTITION = "kafka_dlt-original-partition";
export const ORIGINAL_OFFSET = "kafka_dlt-original-offset";
export const ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";
export const ORIGINAL_TIMESTAMP_TYPE = "kafka_dlt-original-timestamp-type";
export const ORIGINAL_CONSUMER_GROUP = "kafka_dlt-original-consumer-group";
export const EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";
export const EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
export const EXCEPTION_STACKTRACE = "kafka_dlt-exception-stacktrace";
export const ERROR_CLASS = "x-error-class";
export const ERROR_CODE = "x-error-code";
export const STAGE = "x-stage";
export const ATTEMPTS = "x-attempts";
export const CORRELATION_ID = "x-correlation-id";
export const REPLAY_COUNT = "x-replay-count";
export const SCHEMA_FINGERPRINT = "x-schema-fingerprint";
export const PAYLOAD_OMITTED = "x-payload-omitted";

/** The headers a dead letter adds to the original's: everything that says why and where. */
export const CONTEXT_HEADERS: ReadonlySet<string> = new Set([
  ORIGINAL_TOPIC,
  ORIGINAL_PARTITION,
  ORIGINAL_OFFSET,
  ORIGINAL_TIMESTAMP,
  ORIGINAL_TIMESTAMP_TYPE,
  ORIGINAL_CONSUMER_GROUP,
  EXCEPTION_FQCN,
  EXCEPTION_MESSAGE,
  EXCEPTION_STACKTRACE,
  ERROR_CLASS,
  ERROR_CODE,
  STAGE,
  ATTEMPTS,
  SCHEMA_FINGERPRINT,
  PAYLOAD_OMITTED,
]);
