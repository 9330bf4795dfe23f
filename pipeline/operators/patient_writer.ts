/**
 * Promise-shaped writes that ride out a broker outage: every write goes
 * through {@link retryWrites}, and the writer tells whether any of them is
 * waiting for the broker, and since when.
 *
 * @module
 */

import { defer, type MonoTypeOperatorFunction, type Subscription } from "rxjs";
import { retryWrites, type RetryWritesOptions } from "./retry_writes.ts";

/** Options for {@link createPatientWriter}. Every field is optional. */
export interface PatientWriterOptions
  extends Pick<RetryWritesOptions, "timeoutMs" | "backoff" | "scheduler"> {
  /**
   * Told when the first write starts waiting for the broker (`since`, the
   * scheduler's time of its first failure) and when no write waits any more
   * (`undefined`).
   */
  onWaitChange?: (since: number | undefined) => void;
}

/** Runs writes patiently; see {@link createPatientWriter}. */
export interface PatientWriter {
  /**
   * Calls `write`, again while it fails retriably, within the bound. Resolves
   * with its result, or rejects with its non-retriable error or a
   * `WriteTimeoutError`.
   */
  run<T>(write: () => Promise<T>): Promise<T>;
  /** When the oldest write still waiting began to wait, or `undefined`. */
  waitingSince(): number | undefined;
  /** Ends every wait: writes still waiting reject; later ones are refused. */
  close(): void;
}

/**
 * Creates a writer whose writes retry retriable failures with backoff up to
 * `timeoutMs` (see {@link retryWrites}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KafkaWriteError } from "../errors.ts";
 * import { createPatientWriter } from "./patient_writer.ts";
 *
 * const changes: Array<number | undefined> = [];
 * const writer = createPatientWriter({
 *   backoff: { baseDelay: 1 },
 *   onWaitChange: (since) => changes.push(since),
 * });
 * let calls = 0;
 * const result = await writer.run(async () => {
 *   if (++calls === 1) throw new KafkaWriteError("BROKER_UNREACHABLE", "refused");
 *   return calls;
 * });
 * assert.equal(result, 2);
 * assert.equal(changes.length, 2);
 * assert.equal(changes[1], undefined);
 * writer.close();
 * ```
 */
export function createPatientWriter(options: PatientWriterOptions = {}): PatientWriter {
  const { onWaitChange, ...retryOptions } = options;
  // The start of each wait under way, oldest first (the clock only moves on).
  const waits: number[] = [];
  const running = new Set<{ subscription: Subscription; reject: (err: unknown) => void }>();
  let closed = false;
  // Built once: each write's own wait starts inside it (a defer per subscription).
  const retrying = retryWrites<unknown>({
    ...retryOptions,
    onWaiting: (since) => {
      waits.push(since);
      if (waits.length === 1) onWaitChange?.(since);
    },
    onWaitOver: (since) => {
      const oldest = waits[0];
      waits.splice(waits.indexOf(since), 1);
      if (waits[0] !== oldest) onWaitChange?.(waits[0]);
    },
  });
  return {
    run<T>(write: () => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new Error("Cannot write: the writer is closed"));
      return new Promise<T>((resolve, reject) => {
        let result: T;
        const entry = { subscription: undefined as unknown as Subscription, reject };
        entry.subscription = defer(write).pipe(retrying as MonoTypeOperatorFunction<T>).subscribe({
          next: (value) => result = value,
          error: (err) => {
            running.delete(entry);
            reject(err);
          },
          complete: () => {
            running.delete(entry);
            resolve(result);
          },
        });
        if (!entry.subscription.closed) running.add(entry);
      });
    },
    waitingSince: () => waits[0],
    close() {
      closed = true;
      for (const entry of running) {
        entry.subscription.unsubscribe();
        entry.reject(new Error("Cannot write: the writer was closed while the write waited"));
      }
      running.clear();
    },
  };
}
