// The envelope codec, parsed on first use so importing this folder reads no file.
import { type AvroCodec, createCodec } from "../avro/avro_codec.ts";
import { loadSchema } from "../avro/load_schema.ts";
import type { DeadLetter } from "./dead_letter.ts";

let codec: AvroCodec<DeadLetter> | undefined;

export function deadLetterCodec(): AvroCodec<DeadLetter> {
  codec ??= createCodec<DeadLetter>(loadSchema("dead-letter"));
  return codec;
}
