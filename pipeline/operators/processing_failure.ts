/**
 * The error a stage throws onward once it has given up on a message.
 *
 * @module
 */

import { classify, errorCode, errorMessage, PipelineError } from "../errors.ts";

/** What a {@link ProcessingFailure} records besides its cause. */
export interface ProcessingFailureOptions {
  /** How many times the stage's function was called for the message. */
  attempts: number;
  /** When the first attempt failed, in ms of the scheduler's clock. */
  firstFailureTime: number;
  /** When the last attempt failed, in ms of the scheduler's clock. */
  lastFailureTime: number;
  /**
   * The stage that gave up, as written to the dead letter.
   *
   * @default {"process"}
   */
  stage?: string;
}

/**
 * A message a stage gave up on, after retrying it if its error was transient.
 * It takes the `code` and `errorClass` of its cause, so the route stays the
 * cause's: an exhausted transient failure is still `retriable` (to the retry
 * topic), a permanent one is not (to the dead-letter topic).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProcessingFailure, type ProcessingFailureOptions } from "./processing_failure.ts";
 * import { TransientError } from "../errors.ts";
 *
 * const options: ProcessingFailureOptions = { attempts: 4, firstFailureTime: 0, lastFailureTime: 7000 };
 * const failure = new ProcessingFailure(new TransientError("timed out"), options);
 * assert.equal(failure.message, "process failed after 4 attempts: timed out");
 * assert.equal(failure.code, "PROCESSING_TIMEOUT");
 * assert.equal(failure.retriable, true);
 * ```
 */
export class ProcessingFailure extends PipelineError {
  /** How many times the stage's function was called for the message. */
  readonly attempts: number;
  /** When the first attempt failed, in ms of the scheduler's clock. */
  readonly firstFailureTime: number;
  /** When the last attempt failed, in ms of the scheduler's clock. */
  readonly lastFailureTime: number;
  /** The stage that gave up, such as `process`. */
  readonly stage: string;

  constructor(cause: unknown, options: ProcessingFailureOptions) {
    const { attempts, firstFailureTime, lastFailureTime, stage = "process" } = options;
    super(
      errorCode(cause),
      classify(cause),
      `${stage} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${
        errorMessage(cause)
      }`,
      { cause },
    );
    this.name = "ProcessingFailure";
    this.attempts = attempts;
    this.firstFailureTime = firstFailureTime;
    this.lastFailureTime = lastFailureTime;
    this.stage = stage;
  }
}
