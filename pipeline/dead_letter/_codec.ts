// The envelope codecs, parsed on first use so importing this folder reads no file.
import { type AvroCodec, createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import type { DeadLetter } from "./dead_letter.ts";

let codec: AvroCodec<DeadLetter> | undefined;
let v1: AvroCodec<Omit<DeadLetter, "payloadOmitted" | "payloadSize" | "payloadSha256">> | undefined;

export function deadLetterCodec(): AvroCodec<DeadLetter> {
  codec ??= createCodec<DeadLetter>(loadSchema("dead-letter"));
  return codec;
}

/**
 * Reads an envelope written with the current schema or, failing that, with
 * version 1 (before the payload fields at its end), whose letters always kept
 * their payload. The error is the current schema's when neither fits.
 */
export function decodeAnyDeadLetter(bytes: Uint8Array | null | undefined): DeadLetter {
  try {
    return deadLetterCodec().decode(bytes);
  } catch (err) {
    v1 ??= createCodec(loadSchema("dead-letter-v1"));
    let old: ReturnType<typeof v1.decode>;
    try {
      old = v1.decode(bytes);
    } catch {
      throw err;
    }
    return {
      ...old,
      payloadOmitted: false,
      payloadSize: old.payload.byteLength,
      payloadSha256: null,
    };
  }
}
