import assert from "node:assert/strict";
import { crc64Avro } from "./crc64_avro.ts";

const utf8 = new TextEncoder();

// Canonical forms and signed fingerprints from Avro's share/test/data/schema-tests.txt,
// which Avro's Java tests cross-check against a direct implementation of the spec.
const SPEC_VECTORS: Array<[string, bigint]> = [
  ['"null"', 7195948357588979594n],
  ['"boolean"', -6970731678124411036n],
  ['"int"', 8247732601305521295n],
  ['"long"', -3434872931120570953n],
  ['"float"', 5583340709985441680n],
  ['"double"', -8181574048448539266n],
  ['"bytes"', 5746618253357095269n],
  ['"string"', -8142146995180207161n],
  ["[]", -1241056759729112623n],
  ['["int"]', -5232228896498058493n],
  ['["int","boolean"]', 5392556393470105090n],
  ['{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  [
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['{"type":"array","items":"null"}', -589620603366471059n],
  ['{"type":"map","values":"string"}', -8732877298790414990n],
];

Deno.test("crc64Avro() matches every fingerprint vector of the Avro spec's tests", () => {
  for (const [canonical, signed] of SPEC_VECTORS) {
    assert.equal(BigInt.asIntN(64, crc64Avro(utf8.encode(canonical))), signed, canonical);
  }
});

Deno.test("crc64Avro() of no bytes is the spec's EMPTY constant", () => {
  assert.equal(crc64Avro(new Uint8Array(0)), 0xc15d213aa4d7a795n);
});

Deno.test("crc64Avro() is an unsigned 64-bit value", () => {
  const fp = crc64Avro(utf8.encode('"string"'));
  assert.equal(fp, 0x8f014872634503c7n);
  assert.equal(BigInt.asUintN(64, fp), fp);
});
