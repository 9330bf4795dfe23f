/**
 * What `broker start --secure` adds to the embedded broker: a CA and a broker
 * certificate made with the JDK's `keytool`, the SASL_SSL listener's
 * properties, and the SCRAM credentials written when the storage is formatted.
 *
 * @module
 */
import { BrokerError } from "../errors.ts";

/** The SCRAM and PLAIN user every secured embedded broker knows. */
export const SECURE_USERNAME = "pipeline";

/** Mechanisms the SASL_SSL listener accepts. */
const SECURE_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] as const;

/** The files and credentials of a secured listener. */
export interface SecureMaterial {
  /** PEM file of the CA that signed the broker certificate: what clients trust. */
  readonly caFile: string;
  /** PKCS12 key store holding the broker's key and certificate chain. */
  readonly keystoreFile: string;
  readonly keystorePassword: string;
  readonly username: string;
  readonly password: string;
  /** A file holding only the password (mode 0600), for `--sasl-password-file`. */
  readonly passwordFile: string;
}

/**
 * Makes a fresh CA and a broker certificate for `127.0.0.1` and `localhost`
 * under `dir`, and a random password for {@link SECURE_USERNAME}.
 */
export async function createSecureMaterial(dir: string): Promise<SecureMaterial> {
  // The keystores hold private keys: the folder and they are the user's alone.
  await Deno.mkdir(dir, { recursive: true });
  await Deno.chmod(dir, 0o700);
  const storePassword = randomSecret();
  const ca = `${dir}/ca.p12`;
  const keystoreFile = `${dir}/broker.p12`;
  const caFile = `${dir}/ca.pem`;
  const csr = `${dir}/broker.csr`;
  const brokerCert = `${dir}/broker.pem`;
  const store = (
    file: string,
  ) => ["-keystore", file, "-storetype", "PKCS12", "-storepass", storePassword];
  const keyPair = ["-keyalg", "EC", "-groupname", "secp256r1", "-validity", "365"];
  const san = "SAN=dns:localhost,ip:127.0.0.1";

  await keytool(
    "-genkeypair",
    "-alias",
    "ca",
    "-dname",
    "CN=order-pipeline test CA",
    "-ext",
    "bc:c",
    ...keyPair,
    ...store(ca),
  );
  await keytool("-exportcert", "-rfc", "-alias", "ca", "-file", caFile, ...store(ca));
  await keytool(
    "-genkeypair",
    "-alias",
    "broker",
    "-dname",
    "CN=localhost",
    "-ext",
    san,
    ...keyPair,
    ...store(keystoreFile),
  );
  await keytool("-certreq", "-alias", "broker", "-file", csr, ...store(keystoreFile));
  await keytool(
    "-gencert",
    "-alias",
    "ca",
    "-infile",
    csr,
    "-outfile",
    brokerCert,
    "-rfc",
    "-validity",
    "365",
    "-ext",
    san,
    "-ext",
    "KU=digitalSignature,keyEncipherment",
    "-ext",
    "EKU=serverAuth",
    ...store(ca),
  );
  await keytool(
    "-importcert",
    "-noprompt",
    "-alias",
    "ca",
    "-file",
    caFile,
    ...store(keystoreFile),
  );
  await keytool(
    "-importcert",
    "-noprompt",
    "-alias",
    "broker",
    "-file",
    brokerCert,
    ...store(keystoreFile),
  );

  for (const secret of [ca, keystoreFile]) await Deno.chmod(secret, 0o600);

  const password = randomSecret();
  const passwordFile = `${dir}/sasl-password`;
  await Deno.writeTextFile(passwordFile, password + "\n", { mode: 0o600 });
  return {
    caFile,
    keystoreFile,
    keystorePassword: storePassword,
    username: SECURE_USERNAME,
    password,
    passwordFile,
  };
}

/** The server properties of the SASL_SSL listener (its address is set with the others). */
export function secureListenerProperties(material: SecureMaterial): string[] {
  const { keystoreFile, keystorePassword, username, password } = material;
  const prefix = "listener.name.sasl_ssl";
  return [
    `${prefix}.sasl.enabled.mechanisms=${SECURE_MECHANISMS.join(",")}`,
    `${prefix}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    `${prefix}.ssl.keystore.type=PKCS12`,
    `${prefix}.ssl.keystore.location=${keystoreFile}`,
    `${prefix}.ssl.keystore.password=${keystorePassword}`,
    `${prefix}.ssl.key.password=${keystorePassword}`,
    `${prefix}.ssl.client.auth=none`,
  ];
}

/** `StorageTool format` arguments that create the SCRAM credentials. */
export function scramFormatArgs(material: SecureMaterial): string[] {
  return SECURE_MECHANISMS.filter((m) => m.startsWith("SCRAM")).flatMap((mechanism) => [
    "--add-scram",
    `${mechanism}=[name=${material.username},password=${material.password}]`,
  ]);
}

async function keytool(...args: string[]): Promise<void> {
  const out = await new Deno.Command("keytool", { args, stdout: "piped", stderr: "piped" })
    .output()
    .catch((err) => {
      throw new BrokerError(
        `keytool (from the JDK) could not run: ${err.message}`,
        "BROKER_START_FAILED",
      );
    });
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) || new TextDecoder().decode(out.stdout);
    throw new BrokerError(
      `keytool ${args[0]} failed: ${text.trim().split("\n")[0]}`,
      "BROKER_START_FAILED",
    );
  }
}

// Letters and digits only: it goes into a JAAS line and a StorageTool argument unquoted.
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(
    bytes,
    (b) => "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[b % 56],
  ).join("");
}
