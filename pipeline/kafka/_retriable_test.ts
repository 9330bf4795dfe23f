import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { isRetriable } from "../errors.ts";
import { retryRetriable, toWriteError } from "./_retriable.ts";

// kafkajs spreads its errors into its exports, which Deno cannot name statically.
const {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} = kafkajs;

const protocol = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ message: type.toLowerCase(), type, code: 0, retriable } as never);
// How kafkajs's retrier passes on an error it does not retry.
const final = (e: Error) =>
  new (KafkaJSNonRetriableError as unknown as new (e: Error, o: unknown) => Error)(e, { cause: e });

Deno.test("toWriteError() takes retries run out on a refused connection for a transient outage", () => {
  const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED");
  const err = toWriteError(
    new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 300 } as never),
    "Cannot write 1 record(s) to orders-dlq",
  );
  assert.equal(err.code, "BROKER_UNREACHABLE");
  assert.ok(isRetriable(err));
  assert.equal(
    err.message,
    "Cannot write 1 record(s) to orders-dlq: Connection error: connect ECONNREFUSED",
  );
});

Deno.test("toWriteError() takes a leader election for a transient outage", () => {
  const err = toWriteError(protocol("NOT_LEADER_FOR_PARTITION", true), "w");
  assert.equal(err.code, "BROKER_UNREACHABLE");
});

Deno.test("toWriteError() takes a record too large for the topic as final", () => {
  const err = toWriteError(
    final(protocol("MESSAGE_TOO_LARGE", false)),
    "Cannot write 1 record(s) to orders-dlq",
  );
  assert.equal(err.code, "RECORD_TOO_LARGE");
  assert.equal(err.errorClass, "fatal");
  assert.ok(!isRetriable(err));
});

Deno.test("toWriteError() takes a refused authorization as final", () => {
  const err = toWriteError(
    final(protocol("TOPIC_AUTHORIZATION_FAILED", false)),
    "w",
  );
  assert.equal(err.code, "WRITE_NOT_AUTHORIZED");
  assert.ok(!isRetriable(err));
});

Deno.test("toWriteError() takes any other non-retriable error as a refused write", () => {
  const err = toWriteError(new KafkaJSNonRetriableError("Invalid record"), "w");
  assert.equal(err.code, "WRITE_REFUSED");
  assert.ok(!isRetriable(err));
  assert.equal(toWriteError(err, "again"), err);
});

Deno.test("retryRetriable() waits out a leader election and passes a final error at once", async () => {
  let calls = 0;
  const elected = await retryRetriable(() => {
    calls += 1;
    return calls < 3
      ? Promise.reject(protocol("LEADER_NOT_AVAILABLE", true))
      : Promise.resolve("leader");
  }, { delay: 1 });
  assert.equal(elected, "leader");
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    retryRetriable(() => {
      calls += 1;
      return Promise.reject(protocol("TOPIC_AUTHORIZATION_FAILED", false));
    }, { delay: 1 }),
    /topic_authorization_failed/,
  );
  assert.equal(calls, 1);
});

Deno.test("retryRetriable() gives up after 'attempts' calls with the last error", async () => {
  let calls = 0;
  await assert.rejects(
    retryRetriable(() => {
      calls += 1;
      return Promise.reject(new KafkaJSConnectionError("Connection refused"));
    }, { attempts: 2, delay: 1 }),
    /Connection refused/,
  );
  assert.equal(calls, 2);
});
