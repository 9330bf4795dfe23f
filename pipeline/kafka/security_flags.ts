/**
 * The TLS and SASL flags and environment variables, defined once for every
 * command: a command spreads {@link SECURITY_SETTINGS} into its settings (its
 * flags follow from them, and a bad combination is reported in the same pass
 * as every other problem) and appends {@link SECURITY_HELP} to its help; then
 * {@link applySecurity} registers the result for its brokers.
 *
 * TLS is switched on by `--tls` (or `KAFKA_TLS=true`); a CA, certificate or
 * key without it is a mistake, not a silent switch. The SASL password is read
 * only from `KAFKA_SASL_PASSWORD` or a file, never from a flag that would show
 * in the process list.
 *
 * @module
 */
import { userPath } from "../command/user_path.ts";
import { boolean, loadConfig, type Setting } from "../config.ts";
import {
  type KafkaSecurity,
  SASL_MECHANISMS,
  type SaslMechanism,
  useSecurity,
} from "./kafka_security.ts";

/** The help lines of the security flags, in the layout of every command's help. */
export const SECURITY_HELP = `
Secured clusters (see README, Secured clusters):
  --tls                 speak TLS to the brokers [KAFKA_TLS] (off)
  --tls-ca FILE         PEM CA that signed the broker certificates [KAFKA_TLS_CA] (system roots)
  --tls-cert FILE       PEM client certificate, with --tls-key [KAFKA_TLS_CERT]
  --tls-key FILE        PEM key of the client certificate [KAFKA_TLS_KEY]
  --sasl-mechanism M    PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 [KAFKA_SASL_MECHANISM]
  --sasl-username NAME  SASL user [KAFKA_SASL_USERNAME]
  --sasl-password-file FILE
                        file holding the SASL password [KAFKA_SASL_PASSWORD_FILE];
                        or the password itself in KAFKA_SASL_PASSWORD (never a flag)`;

/** The values {@link SECURITY_SETTINGS} yields. */
export interface SecurityValues {
  readonly tls: boolean;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly saslMechanism?: SaslMechanism;
  readonly saslUsername?: string;
  readonly saslPasswordFile?: string;
  readonly saslPassword?: string;
}

// A setting that failed to parse is missing from `values` (loadConfig): it was
// given, and its own problem is already reported.
const given = (values: Readonly<Record<string, unknown>>, key: string) =>
  !(key in values) || values[key] !== undefined;

/**
 * A PEM file only TLS uses; `partner` is the setting it is useless without
 * (a client certificate and its key).
 */
function tlsFile(
  flag: string,
  env: string,
  kind: "CERTIFICATE" | "PRIVATE KEY",
  what: string,
  partner?: { key: string; flag: string; env: string; why: string },
): Setting<string | undefined> {
  return {
    env,
    default: undefined,
    parse: pemFile(kind),
    check: (value, values) => {
      if (value === undefined) return undefined;
      if (values.tls === false) {
        return `--${flag} needs --tls (or KAFKA_TLS=true): ${what} is only used on a TLS connection`;
      }
      if (partner && !given(values, partner.key)) {
        return `--${flag} needs --${partner.flag} (${partner.env}): ${partner.why}`;
      }
      return undefined;
    },
  };
}

/** The security settings, for `loadConfig` (spread into a command's settings). */
export const SECURITY_SETTINGS = {
  tls: { env: "KAFKA_TLS", default: false, parse: boolean } satisfies Setting<boolean>,
  tlsCa: tlsFile("tls-ca", "KAFKA_TLS_CA", "CERTIFICATE", "a CA"),
  tlsCert: tlsFile("tls-cert", "KAFKA_TLS_CERT", "CERTIFICATE", "a client certificate", {
    key: "tlsKey",
    flag: "tls-key",
    env: "KAFKA_TLS_KEY",
    why: "a certificate is useless without its key",
  }),
  tlsKey: tlsFile("tls-key", "KAFKA_TLS_KEY", "PRIVATE KEY", "a client key", {
    key: "tlsCert",
    flag: "tls-cert",
    env: "KAFKA_TLS_CERT",
    why: "a key is only sent with its certificate",
  }),
  saslMechanism: {
    env: "KAFKA_SASL_MECHANISM",
    default: undefined,
    parse: mechanism,
    check: (value, values) => {
      if (value === undefined) return undefined;
      if (!given(values, "saslUsername")) {
        return `--sasl-mechanism ${value} needs --sasl-username (KAFKA_SASL_USERNAME)`;
      }
      if (value === "PLAIN" && values.tls === false) {
        return "--sasl-mechanism PLAIN needs --tls: PLAIN would send the password in clear";
      }
      return undefined;
    },
  } satisfies Setting<SaslMechanism | undefined>,
  saslUsername: {
    env: "KAFKA_SASL_USERNAME",
    default: undefined,
    parse: (text: string) => text,
    check: (value, values) => {
      if (value === undefined) return undefined;
      if (!given(values, "saslMechanism")) {
        return "--sasl-username needs --sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)";
      }
      if (!given(values, "saslPassword") && !given(values, "saslPasswordFile")) {
        return `--sasl-username ${value} needs a password: set KAFKA_SASL_PASSWORD or --sasl-password-file`;
      }
      return undefined;
    },
  } satisfies Setting<string | undefined>,
  saslPasswordFile: {
    env: "KAFKA_SASL_PASSWORD_FILE",
    default: undefined,
    parse: passwordFile,
    check: (value, values) =>
      value !== undefined && values.saslPassword !== undefined
        ? "--sasl-password-file and KAFKA_SASL_PASSWORD are both set: give the password once"
        : undefined,
  } satisfies Setting<string | undefined>,
  // Environment only: `--sasl-password` is no flag, so parseArgs refuses it.
  saslPassword: {
    env: "KAFKA_SASL_PASSWORD",
    flag: false,
    default: undefined,
    parse: (text: string) => text,
    check: (value, values) =>
      value !== undefined && !given(values, "saslUsername")
        ? "KAFKA_SASL_PASSWORD is set but no --sasl-username (KAFKA_SASL_USERNAME) uses it"
        : undefined,
  } satisfies Setting<string | undefined>,
};

/**
 * The client settings the security values describe, or `undefined` for a
 * plaintext cluster.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kafkaSecurity } from "./security_flags.ts";
 * assert.equal(kafkaSecurity({ tls: false }), undefined);
 * assert.deepEqual(kafkaSecurity({ tls: true }), { tls: {}, sasl: undefined });
 * ```
 */
export function kafkaSecurity(values: SecurityValues): KafkaSecurity | undefined {
  const { tls, tlsCa, tlsCert, tlsKey, saslMechanism, saslUsername } = values;
  const password = values.saslPassword ?? values.saslPasswordFile;
  const sasl = saslMechanism && saslUsername !== undefined && password !== undefined
    ? { mechanism: saslMechanism, username: saslUsername, password }
    : undefined;
  if (!tls && !sasl) return undefined;
  const files = Object.entries({ ca: tlsCa, cert: tlsCert, key: tlsKey })
    .filter(([, pem]) => pem !== undefined);
  return { tls: tls ? Object.fromEntries(files) : undefined, sasl };
}

/**
 * Registers the security a command's configuration describes for its
 * brokers (see `useSecurity`), and returns it.
 */
export function applySecurity(
  config: SecurityValues & { readonly brokers?: readonly string[] },
): KafkaSecurity | undefined {
  const security = kafkaSecurity(config);
  if (config.brokers) useSecurity(config.brokers, security);
  return security;
}

/**
 * Reads the security settings from the environment alone, for code run
 * without flags (the test broker provider, benchmark contenders); throws a
 * `ConfigError` naming every problem.
 */
export function securityFromEnv(
  command: string,
  env: (name: string) => string | undefined,
): SecurityValues {
  return loadConfig(command, {}, env, SECURITY_SETTINGS);
}

function mechanism(text: string): SaslMechanism {
  const upper = text.toUpperCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(upper)) throw new Error(`must be ${SASL_MECHANISMS.join(", ")}`);
  return upper;
}

function readFile(text: string): string {
  try {
    return Deno.readTextFileSync(userPath(text));
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "no such file"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new Error(`must name a readable file (${why})`);
  }
}

function pemFile(kind: "CERTIFICATE" | "PRIVATE KEY"): (text: string) => string {
  return (text) => {
    const pem = readFile(text);
    if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(pem)) {
      throw new Error(`must name a PEM file holding a ${kind.toLowerCase()}`);
    }
    return pem;
  };
}

function passwordFile(text: string): string {
  const password = readFile(text).replace(/\r?\n$/, "");
  if (password === "") throw new Error("must name a file holding the password (it is empty)");
  return password;
}
