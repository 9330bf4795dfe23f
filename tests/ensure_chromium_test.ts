import { deepEqual, equal } from "node:assert/strict";
import { ensureChromium } from "./ensure_chromium.ts";

const never = () => Promise.reject(new Error("must not install"));

Deno.test("ensureChromium() uses the Chromium on PATH and installs nothing", async () => {
  const said: string[] = [];
  const check = await ensureChromium({
    findChromium: () => "/usr/bin/chromium",
    install: never,
    say: (l) => said.push(l),
  });
  deepEqual(check, { ok: true, path: "/usr/bin/chromium" });
  deepEqual(said, []);
});

Deno.test("ensureChromium() without root names the command to run in one line", async () => {
  const check = await ensureChromium({
    findChromium: () => null,
    hasAptGet: () => true,
    isRoot: () => false,
    install: never,
  });
  deepEqual(check, {
    ok: false,
    line:
      "Chromium is missing (the dashboard tests drive it): run `sudo apt-get install -y chromium`, then run the tests again",
  });
});

Deno.test("ensureChromium() on a system without apt-get says what is needed in one line", async () => {
  const check = await ensureChromium({
    findChromium: () => null,
    hasAptGet: () => false,
    isRoot: () => true,
    install: never,
  });
  equal(check.ok, false);
  equal(!check.ok && check.line.includes("`chromium` is on PATH"), true);
});

Deno.test("ensureChromium() as root on Debian installs it, saying so in one line", async () => {
  let installed = false;
  const said: string[] = [];
  const check = await ensureChromium({
    findChromium: () => installed ? "/usr/bin/chromium" : null,
    hasAptGet: () => true,
    isRoot: () => true,
    install: () => Promise.resolve(installed = true),
    say: (l) => said.push(l),
  });
  deepEqual(check, { ok: true, path: "/usr/bin/chromium" });
  deepEqual(said, [
    "Chromium is missing (the dashboard tests drive it): installing it with `apt-get install -y chromium` …",
  ]);
});

Deno.test("ensureChromium() whose install fails names the command to run", async () => {
  const check = await ensureChromium({
    findChromium: () => null,
    hasAptGet: () => true,
    isRoot: () => true,
    install: () => Promise.resolve(false),
    say: () => {},
  });
  deepEqual(check, {
    ok: false,
    line:
      "Chromium could not be installed: run `apt-get install -y chromium` to see why, then run the tests again",
  });
});
