// Header names of the retry tier, shared by the writer and the reader of
// retry records. All values are UTF-8 text; numbers are decimal.

export const ROUND = "x-retry-round";
export const DUE = "x-retry-due";
export const ATTEMPTS = "x-attempts";
export const FIRST_FAILURE = "x-first-failure";
export const ORIGINAL_TOPIC = "x-original-topic";
export const ORIGINAL_PARTITION = "x-original-partition";
export const ORIGINAL_OFFSET = "x-original-offset";
export const ORIGINAL_TIMESTAMP = "x-original-timestamp";
export const ERROR_CLASS = "x-error-class";
export const ERROR_CODE = "x-error-code";

/** Every header the retry tier adds; what is left is the original record's own. */
export const RETRY_HEADERS: readonly string[] = [
  ROUND,
  DUE,
  ATTEMPTS,
  FIRST_FAILURE,
  ORIGINAL_TOPIC,
  ORIGINAL_PARTITION,
  ORIGINAL_OFFSET,
  ORIGINAL_TIMESTAMP,
  ERROR_CLASS,
  ERROR_CODE,
];
