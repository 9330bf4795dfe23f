import { equal } from "node:assert/strict";
import kafkajs from "kafkajs";
import { BrokerError } from "../errors.ts";
import { explainConnectionError } from "./explain_connection_error.ts";
import { useSecurity } from "./kafka_security.ts";

// kafkajs's own error classes; its typings miss some of them and their arguments.
type ErrorClass = new (message: unknown, metadata?: Record<string, unknown>) => Error;
const {
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSSASLAuthenticationError,
} = kafkajs as unknown as Record<string, ErrorClass>;

// kafkajs gives up with the last connect failure wrapped, its address inside only.
function afterRetries(cause: Error): Error {
  return new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 });
}

Deno.test("a refused password names the user and mechanism registered for the cluster", () => {
  useSecurity(["10.0.0.1:9093"], {
    tls: {},
    sasl: { mechanism: "SCRAM-SHA-256", username: "alice", password: "wrong" },
  });
  try {
    const err = explainConnectionError(
      new KafkaJSSASLAuthenticationError(
        "SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
      ),
    );
    equal(err instanceof BrokerError, true);
    equal(
      err?.message,
      "authentication failed for user alice (SCRAM-SHA-256): the broker refused the username or password",
    );
  } finally {
    useSecurity(["10.0.0.1:9093"], undefined);
  }
});

Deno.test("an untrusted certificate names the broker and says which flag gives the CA", () => {
  const err = explainConnectionError(afterRetries(
    new KafkaJSConnectionError("Connection error: self-signed certificate in certificate chain", {
      broker: "10.0.0.1:9093",
    }),
  ));
  equal(
    err?.message,
    "the TLS certificate of 10.0.0.1:9093 is not trusted (self-signed certificate in certificate chain): give the CA that signed it with --tls-ca or KAFKA_TLS_CA",
  );
});

Deno.test("TLS spoken to a plaintext port says the port does not speak TLS", () => {
  const err = explainConnectionError(afterRetries(
    new KafkaJSConnectionError(
      "Connection error: Client network socket disconnected before secure TLS connection was established",
      { broker: "10.0.0.1:9092" },
    ),
  ));
  equal(
    err?.message,
    "10.0.0.1:9092 does not speak TLS on this port: use its TLS listener, or drop --tls (KAFKA_TLS) for a plaintext one",
  );
});

Deno.test("plaintext spoken to a TLS port says the port expects TLS or SASL", () => {
  const err = explainConnectionError(
    afterRetries(
      new KafkaJSConnectionClosedError("Closed connection", { host: "10.0.0.1", port: 9093 }),
    ),
  );
  equal(
    err?.message,
    "10.0.0.1:9093 closed the connection at once: the port likely expects TLS (--tls) or SASL (--sasl-mechanism)",
  );
});

Deno.test("other failures are left to the caller", () => {
  equal(explainConnectionError(new Error("boom")), undefined);
  equal(explainConnectionError("text"), undefined);
  equal(
    explainConnectionError(new KafkaJSConnectionError("Connection error: connect ECONNREFUSED")),
    undefined,
  );
});
