import assert from "node:assert/strict";
import { lastValueFrom, of } from "rxjs";
import { classify, DecodeError, TransientError } from "../errors.ts";
import { decode, type Decoder } from "./decode.ts";

const json: Decoder<unknown> = {
  decode(bytes) {
    if (bytes === null) throw new DecodeError("empty value", "EMPTY_VALUE");
    return JSON.parse(new TextDecoder().decode(bytes));
  },
};
const recordOf = (text: string | null) => ({
  partition: 0,
  offset: "7",
  value: text === null ? null : new TextEncoder().encode(text),
});

Deno.test("decode() emits the record beside its decoded value", async () => {
  const record = recordOf('{"price":12.5}');
  const decoded = await lastValueFrom(of(record).pipe(decode(json)));
  assert.deepEqual(decoded, { record, value: { price: 12.5 } });
  assert.equal(decoded.record, record);
});

Deno.test("decode() passes a decoder's PipelineError on unchanged", async () => {
  await assert.rejects(
    lastValueFrom(of(recordOf(null)).pipe(decode(json))),
    (err: unknown) => err instanceof DecodeError && err.code === "EMPTY_VALUE",
  );
  const transient = new TransientError("schema registry down");
  const flaky: Decoder<never> = {
    decode() {
      throw transient;
    },
  };
  await assert.rejects(
    lastValueFrom(of(recordOf("1")).pipe(decode(flaky))),
    (err) => err === transient,
  );
});

Deno.test("decode() turns a foreign decoder error into poison, keeping the cause", async () => {
  const err: unknown = await lastValueFrom(of(recordOf("{not json")).pipe(decode(json))).then(
    () => assert.fail("expected an error"),
    (e) => e,
  );
  assert.ok(err instanceof DecodeError);
  assert.equal(err.code, "DECODE_FAILED");
  assert.equal(classify(err), "poison");
  assert.ok(err.cause instanceof SyntaxError);
  assert.match(err.message, /^Cannot decode record value: /);
});

Deno.test("decode() rejects a decoder without a decode method", () => {
  assert.throws(() => decode({} as Decoder<unknown>), {
    name: "TypeError",
    message: "Cannot decode: 'decoder' must have a 'decode(bytes)' method",
  });
});
