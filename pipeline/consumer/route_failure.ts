/**
 * Failure routing: a record that failed goes to the retry topic while its
 * failure is transient and rounds are left, else to the dead-letter topic
 * (without its payload when the letter is too large for that topic). A
 * retry record too large for the retry topic goes to the dead-letter topic.
 *
 * @module
 */
import { type OperatorFunction, pipe } from "rxjs";
import { buildDeadLetter } from "../dead_letter/dead_letter.ts";
import { writeDeadLetter } from "../dead_letter/write_dead_letter.ts";
import { classify, DecodeError, errorCode, errorMessage, KafkaWriteError } from "../errors.ts";
import { recordBatchBytes } from "../kafka/record_size.ts";
import type { DeadLetterSink } from "../operators/dead_letter_sink.ts";
import type { Outcome, ProcessedOutcome } from "../operators/outcome.ts";
import { ProcessingFailure } from "../operators/processing_failure.ts";
import { toDeadLetter } from "../operators/to_dead_letter.ts";
import { toRetryTopic } from "../operators/to_retry_topic.ts";
import type { Order } from "../orders/order.ts";
import { buildRetryRecord, type RetryRecord } from "../retry/build_retry_record.ts";
import type { RetryContext } from "../retry/read_retry_context.ts";
import type { ProcessedOrder } from "./settled.ts";

/** Where failures go. */
export interface FailureRoutes {
  /**
   * The dead-letter topic's sink. A letter it refuses as too large
   * (`RECORD_TOO_LARGE`) is written again without its payload.
   */
  deadLetters: DeadLetterSink<ReturnType<typeof buildDeadLetter>>;
  /** The retry topic's sink; without it there is no retry tier. */
  retries?: DeadLetterSink<RetryRecord>;
  /**
   * The retry topic's `max.message.bytes`: a larger retry record is not
   * written but dead-lettered, and so is one the sink refuses as too large
   * (`RECORD_TOO_LARGE`). @default no bound of our own: only the sink's refusal
   */
  retryMaxBytes?: number;
  /** Rounds through the retry topic before the DLQ. */
  maxRetryRounds: number;
  /** Wait before each round on the retry topic, in ms. */
  retryDelayMs: number;
  /** The consumer group, named in dead letters. */
  groupId: string;
}

/**
 * Catches a record's failure and turns it into its outcome: retry-scheduled
 * or dead-lettered, once the letter is acknowledged. `order` is the record's
 * decoded order, or null when it did not decode (the record is decoded once).
 */
export function routeFailure(
  routes: FailureRoutes,
  context: RetryContext,
  order: Order | null,
): OperatorFunction<ProcessedOutcome<ProcessedOrder>, Outcome<ProcessedOrder, unknown>> {
  const { deadLetters, retries, retryMaxBytes, maxRetryRounds, retryDelayMs, groupId } = routes;
  // Another round if the failure is transient and rounds are left; else undefined: the DLQ.
  const nextRound = (error: unknown): RetryRecord | undefined => {
    if (!(error instanceof ProcessingFailure)) return undefined;
    if (classify(error.cause) !== "transient" || context.round >= maxRetryRounds) return undefined;
    return buildRetryRecord({
      context,
      groupId,
      attempts: error.attempts,
      failedAt: Number.isFinite(error.firstFailureTime) ? error.firstFailureTime : Date.now(),
      delayMs: retryDelayMs,
      errorClass: "transient",
      errorCode: errorCode(error.cause),
    });
  };
  // Why the retry topic did not take the record, when it did not.
  let refused: string | undefined;
  const deadLetter = (error: unknown) => deadLetterFor(context, error, groupId, order, refused);
  const fitting: FailureRoutes["deadLetters"] = {
    write: (letter) => writeDeadLetter(letter, (fit) => deadLetters.write(fit)),
  };
  if (retries === undefined || maxRetryRounds === 0) return toDeadLetter(fitting, deadLetter);
  // Without a bound of our own, only the sink's refusal says a record is too large.
  const sized: DeadLetterSink<RetryRecord> = retryMaxBytes === undefined ? retries : {
    write: (record) => {
      const bytes = recordBatchBytes(record);
      return bytes > retryMaxBytes
        ? Promise.reject(
          new KafkaWriteError(
            "RECORD_TOO_LARGE",
            `its retry record takes ${bytes} bytes, over the retry topic's max.message.bytes (${retryMaxBytes})`,
          ),
        )
        : retries.write(record);
    },
  };
  return pipe(
    toRetryTopic(sized, nextRound, (refusal) => {
      refused = `not sent to the retry topic: ${errorMessage(refusal)}`;
    }),
    toDeadLetter(fitting, deadLetter),
  );
}

// A record that failed in the retry tier is dead-lettered as the original
// record, with attempts and first failure counted over every round.
function deadLetterFor(
  context: RetryContext,
  error: unknown,
  groupId: string,
  order: Order | null,
  note: string | undefined,
): ReturnType<typeof buildDeadLetter> {
  const failure = error instanceof ProcessingFailure ? error : undefined;
  const cause = failure ? failure.cause : error;
  const now = Date.now();
  return buildDeadLetter({
    record: context.original,
    error: cause,
    stage: context.round > 0
      ? "retry"
      : failure?.stage ?? (cause instanceof DecodeError ? "decode" : "validate"),
    attempts: context.attempts + (failure?.attempts ?? 0),
    firstFailureTime: context.firstFailure ??
      (failure && Number.isFinite(failure.firstFailureTime) ? failure.firstFailureTime : now),
    lastFailureTime: failure && Number.isFinite(failure.lastFailureTime)
      ? failure.lastFailureTime
      : now,
    consumerGroup: groupId,
    order,
    note,
  });
}
