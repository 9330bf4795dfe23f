// The hash a dead letter keeps of the original value, so the original read
// back from its topic can be checked against it.
import { createHash } from "node:crypto";

/** The SHA-256 of `bytes` in lowercase hex, as `payloadSha256` holds it. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
