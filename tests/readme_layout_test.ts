// The README's layout table is the map a newcomer reads first: it names every
// folder and top-level module of the pipeline, and nothing that is not there.
import { deepEqual, ok } from "node:assert/strict";

const root = new URL("../", import.meta.url);

// The backticked paths of the first column of the table under "## Layout".
async function layoutPaths(): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const section = readme.split(/^## Layout$/m)[1]?.split(/^## /m)[0];
  ok(section, "README.md has no '## Layout' section");
  return section.split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...line.split("|")[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

Deno.test("every path in the README's layout table exists", async () => {
  for (const path of await layoutPaths()) {
    const info = await Deno.stat(new URL(path, root)).catch(() => undefined);
    ok(info, `README layout names ${path}, which does not exist`);
    ok(info.isDirectory === path.endsWith("/"), `${path}: a folder ends with '/', a file does not`);
  }
});

Deno.test("the README's layout table names every folder and module of pipeline/", async () => {
  const named = new Set(await layoutPaths());
  const missing: string[] = [];
  for await (const entry of Deno.readDir(new URL("pipeline/", root))) {
    // A private module (`_name.ts`) belongs to the public one beside it.
    const isModule = entry.isFile && entry.name.endsWith(".ts") &&
      !entry.name.endsWith("_test.ts") && !entry.name.startsWith("_");
    const path = `pipeline/${entry.name}${entry.isDirectory ? "/" : ""}`;
    if ((entry.isDirectory || isModule) && !named.has(path)) missing.push(path);
  }
  deepEqual(missing.sort(), [], `README layout does not name: ${missing.join(", ")}`);
});
