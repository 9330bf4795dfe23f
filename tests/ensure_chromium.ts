/**
 * The test runner's prerequisite step: the dashboard tests drive a real
 * Chromium, so `deno task test` makes sure one is on PATH before any test
 * runs. It installs Debian's package when it can (apt-get, as root) and says
 * so in one line; where it cannot, it returns the one line that names the
 * command to run, and the runner stops.
 *
 * @module
 */
/** The command that installs Chromium on Debian. */
export const CHROMIUM_INSTALL = "apt-get install -y chromium";

/** What {@link ensureChromium} consults and does; tests replace parts. */
export interface ChromiumDeps {
  /** The Chromium executable on PATH, or null. */
  findChromium(): string | null;
  /** Whether this is a Debian-like system with apt-get on PATH. */
  hasAptGet(): boolean;
  /** Whether this process runs as root. */
  isRoot(): boolean;
  /** Runs `apt-get update` and the install; resolves to whether it succeeded. */
  install(): Promise<boolean>;
  /** Told one line. */
  say(line: string): void;
}

/** Where Chromium stands after {@link ensureChromium}. */
export type ChromiumCheck = { ok: true; path: string } | { ok: false; line: string };

const defaultDeps: ChromiumDeps = {
  findChromium,
  hasAptGet: () => which("apt-get") !== null,
  isRoot: () => Deno.uid() === 0,
  install: async () => {
    const apt = (...args: string[]) =>
      new Deno.Command("apt-get", {
        args,
        stdout: "null",
        stderr: "null",
        env: { DEBIAN_FRONTEND: "noninteractive" },
      }).output();
    if (!(await apt("update", "-qq")).success) return false;
    return (await apt("install", "-y", "-qq", "--no-install-recommends", "chromium")).success;
  },
  say: (line) => console.error(line),
};

/**
 * Finds Chromium, installing it where that is possible; never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureChromium } from "./ensure_chromium.ts";
 * const check = await ensureChromium({ findChromium: () => "/usr/bin/chromium" });
 * assert.deepEqual(check, { ok: true, path: "/usr/bin/chromium" });
 * ```
 */
export async function ensureChromium(deps: Partial<ChromiumDeps> = {}): Promise<ChromiumCheck> {
  const { findChromium, hasAptGet, isRoot, install, say } = { ...defaultDeps, ...deps };
  const found = findChromium();
  if (found) return { ok: true, path: found };
  if (!hasAptGet()) {
    return {
      ok: false,
      line:
        "Chromium is missing (the dashboard tests drive it): install it so that `chromium` is on PATH, then run the tests again",
    };
  }
  if (!isRoot()) {
    return {
      ok: false,
      line:
        `Chromium is missing (the dashboard tests drive it): run \`sudo ${CHROMIUM_INSTALL}\`, then run the tests again`,
    };
  }
  say(
    `Chromium is missing (the dashboard tests drive it): installing it with \`${CHROMIUM_INSTALL}\` …`,
  );
  const path = await install().catch(() => false) ? findChromium() : null;
  if (path) return { ok: true, path };
  return {
    ok: false,
    line:
      `Chromium could not be installed: run \`${CHROMIUM_INSTALL}\` to see why, then run the tests again`,
  };
}

/** The Chromium executable on PATH (Debian names it `chromium`, others `chromium-browser`), or null. */
export function findChromium(): string | null {
  return which("chromium") ?? which("chromium-browser");
}

/** The path of the executable `name` on PATH, or null. */
function which(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  return null;
}
