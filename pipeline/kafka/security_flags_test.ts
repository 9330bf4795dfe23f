import { deepEqual, equal, throws } from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { kafkaSecurity, SECURITY_SETTINGS } from "./security_flags.ts";

const dir = Deno.makeTempDirSync({ prefix: "security-flags-test-" });
const ca = `${dir}/ca.pem`;
const cert = `${dir}/client.pem`;
const key = `${dir}/client.key`;
const passwordFile = `${dir}/password`;
Deno.writeTextFileSync(ca, "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n");
Deno.writeTextFileSync(cert, "-----BEGIN CERTIFICATE-----\nQ0xJ\n-----END CERTIFICATE-----\n");
Deno.writeTextFileSync(key, "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n");
Deno.writeTextFileSync(passwordFile, "s3cret\n");

function load(flags: Record<string, string | boolean>, env: Record<string, string> = {}) {
  return loadConfig("produce", flags, (name) => env[name], SECURITY_SETTINGS);
}

function problems(flags: Record<string, string | boolean>, env: Record<string, string> = {}) {
  try {
    load(flags, env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

Deno.test("without security flags or variables the client speaks plaintext", () => {
  equal(kafkaSecurity(load({})), undefined);
});

Deno.test("the flags give TLS with a CA, a client certificate and SCRAM with a password file", () => {
  const security = kafkaSecurity(load({
    tls: true,
    "tls-ca": ca,
    "tls-cert": cert,
    "tls-key": key,
    "sasl-mechanism": "scram-sha-512",
    "sasl-username": "alice",
    "sasl-password-file": passwordFile,
  }));
  deepEqual(security, {
    tls: {
      ca: Deno.readTextFileSync(ca),
      cert: Deno.readTextFileSync(cert),
      key: Deno.readTextFileSync(key),
    },
    sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "s3cret" },
  });
});

Deno.test("the environment gives the same settings, the password from KAFKA_SASL_PASSWORD", () => {
  const security = kafkaSecurity(load({}, {
    KAFKA_TLS: "true",
    KAFKA_TLS_CA: ca,
    KAFKA_SASL_MECHANISM: "PLAIN",
    KAFKA_SASL_USERNAME: "bob",
    KAFKA_SASL_PASSWORD: "pw from env",
  }));
  deepEqual(security, {
    tls: { ca: Deno.readTextFileSync(ca) },
    sasl: { mechanism: "PLAIN", username: "bob", password: "pw from env" },
  });
});

Deno.test("--tls alone trusts the system roots; SCRAM without TLS is SASL over plaintext", () => {
  deepEqual(kafkaSecurity(load({ tls: true })), { tls: {}, sasl: undefined });
  deepEqual(
    kafkaSecurity(load({ "sasl-mechanism": "SCRAM-SHA-256", "sasl-username": "u" }, {
      KAFKA_SASL_PASSWORD: "p",
    })),
    { tls: undefined, sasl: { mechanism: "SCRAM-SHA-256", username: "u", password: "p" } },
  );
});

Deno.test("every bad combination is reported in one pass, each naming its flag", () => {
  deepEqual(
    problems({
      "tls-ca": ca,
      "tls-cert": `${dir}/missing.pem`,
      "sasl-mechanism": "GSSAPI",
    }, { KAFKA_SASL_PASSWORD: "p" }),
    [
      `produce: flag --tls-cert must name a readable file (no such file), got "${dir}/missing.pem"`,
      'produce: flag --sasl-mechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI"',
      "produce: --tls-ca needs --tls (or KAFKA_TLS=true): a CA is only used on a TLS connection",
      "produce: KAFKA_SASL_PASSWORD is set but no --sasl-username (KAFKA_SASL_USERNAME) uses it",
    ],
  );
  deepEqual(problems({ "sasl-mechanism": "PLAIN" }), [
    "produce: --sasl-mechanism PLAIN needs --sasl-username (KAFKA_SASL_USERNAME)",
  ]);
  deepEqual(problems({ "sasl-mechanism": "PLAIN", "sasl-username": "u" }), [
    "produce: --sasl-mechanism PLAIN needs --tls: PLAIN would send the password in clear",
    "produce: --sasl-username u needs a password: set KAFKA_SASL_PASSWORD or --sasl-password-file",
  ]);
  deepEqual(problems({ "sasl-username": "u", "sasl-password-file": passwordFile }), [
    "produce: --sasl-username needs --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)",
  ]);
  deepEqual(
    problems({ tls: true, "tls-key": key, "sasl-password-file": passwordFile }, {
      KAFKA_SASL_PASSWORD: "p",
    }),
    [
      "produce: --tls-key needs --tls-cert (KAFKA_TLS_CERT): a key is only sent with its certificate",
      "produce: --sasl-password-file and KAFKA_SASL_PASSWORD are both set: give the password once",
      "produce: KAFKA_SASL_PASSWORD is set but no --sasl-username (KAFKA_SASL_USERNAME) uses it",
    ],
  );
});

Deno.test("a file that is not what its flag needs is refused by name", () => {
  deepEqual(problems({ tls: true, "tls-ca": key }), [
    `produce: flag --tls-ca must name a PEM file holding a certificate, got "${key}"`,
  ]);
  const empty = `${dir}/empty`;
  Deno.writeTextFileSync(empty, "\n");
  deepEqual(problems({ "sasl-password-file": empty }), [
    `produce: flag --sasl-password-file must name a file holding the password (it is empty), got "${empty}"`,
  ]);
  throws(() => load({ tls: "maybe" }), ConfigError);
});

Deno.test("the password is no flag", () => {
  equal("sasl-password" in SECURITY_SETTINGS, false);
  equal(SECURITY_SETTINGS.saslPassword.env, "KAFKA_SASL_PASSWORD");
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
