import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

async function check(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "schemas", "check", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

/** Checks a copy of schemas/ in a temp dir, with `change` applied to v2's JSON. */
async function checkBrokenCopy(
  change: (v2: { fields: Array<Record<string, unknown>> }) => void,
): Promise<{ code: number; out: string }> {
  const dir = await Deno.makeTempDir({ prefix: "schemas-check-" });
  try {
    for (const file of ["order.avsc", "order.v2.avsc"]) {
      await Deno.copyFile(new URL(`schemas/${file}`, ROOT), `${dir}/${file}`);
    }
    const v2 = JSON.parse(await Deno.readTextFile(`${dir}/order.v2.avsc`));
    change(v2);
    await Deno.writeTextFile(`${dir}/order.v2.avsc`, JSON.stringify(v2, null, 2));
    return await check("--dir", dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("schemas check passes on the repository's schemas, naming the promoted price", async () => {
  const { code, out } = await check();
  assert.equal(code, 0, out);
  assert.match(out, /v1 ↔ v2: compatible/);
  assert.match(out, /ok {3}v2 reads v1/);
  assert.match(out, /ok {3}v1 reads v2 except price, promoted from "float"/);
});

Deno.test("schemas check fails on a copy whose new field lost its default, naming the field", async () => {
  const { code, out } = await checkBrokenCopy((v2) => {
    delete v2.fields.find((f) => f.name === "quantity")!.default;
  });
  assert.equal(code, 1, out);
  assert.match(out, /v1 ↔ v2: INCOMPATIBLE/);
  assert.match(
    out,
    /FAIL v2 cannot read v1: field 'quantity' is missing from the writer and has no default/,
  );
  assert.match(out, /schemas check failed: 1 incompatible field/);
});

Deno.test("schemas check fails on a copy that changes a field's type, naming it both ways", async () => {
  const { code, out } = await checkBrokenCopy((v2) => {
    v2.fields.find((f) => f.name === "product")!.type = "int";
  });
  assert.equal(code, 1, out);
  assert.match(out, /FAIL v2 cannot read v1: field 'product': cannot read "string" as "int"/);
  assert.match(out, /FAIL v1 cannot read v2: field 'product': cannot read "int" as "string"/);
});

Deno.test("schemas check refuses a promotedFrom that does not match the older type", async () => {
  const { code, out } = await checkBrokenCopy((v2) => {
    v2.fields.find((f) => f.name === "price")!.promotedFrom = "int";
  });
  assert.equal(code, 1, out);
  assert.match(
    out,
    /field 'price' of v2 says it is promoted from "int", but v1's price is "float"/,
  );
  assert.match(out, /FAIL v1 cannot read v2: field 'price': cannot read "double" as "float"/);
});

Deno.test("schemas check --dir takes a path relative to where it is run, from any folder", async () => {
  const relative = await check("--dir", "schemas");
  assert.equal(relative.code, 0, relative.out);
  assert.match(relative.out, /v1 ↔ v2: compatible/);
  // Run from another folder: the path is relative to that folder, not the project's.
  const elsewhere = await Deno.makeTempDir({ prefix: "schemas-cwd-" });
  try {
    await Deno.mkdir(`${elsewhere}/mine`);
    for (const file of ["order.avsc", "order.v2.avsc"]) {
      await Deno.copyFile(new URL(`schemas/${file}`, ROOT), `${elsewhere}/mine/${file}`);
    }
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "--config", new URL("deno.json", ROOT).pathname, "schemas", "check"]
        .concat(["--dir", "mine"]),
      cwd: elsewhere,
      // As from a shell: a `deno task` around this test (deno task test) set
      // INIT_CWD, which a nested `deno task` would keep.
      clearEnv: true,
      env: withoutInitCwd(),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 0, out);
    assert.match(out, /v1 ↔ v2: compatible/);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});

function withoutInitCwd(): Record<string, string> {
  const { INIT_CWD: _outer, ...env } = Deno.env.toObject();
  return env;
}

Deno.test("schemas check --dir that is empty or names no folder is a bad flag (exit 2), named", async () => {
  for (const dir of ["", "/nonexistent-schemas"]) {
    const { code, out } = await check("--dir", dir);
    assert.equal(code, 2, out);
    assert.equal(
      out.trim(),
      `schemas: flag --dir must name a folder that holds the schema files, got ${
        JSON.stringify(dir)
      }`,
    );
  }
});
