// Launches Debian's chromium (found on PATH) with playwright-core; a missing
// browser fails the test that asked, it never skips it.
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_INSTALL, findChromium } from "./ensure_chromium.ts";

/** The chromium executable on PATH. */
export function chromiumPath(): string {
  const path = findChromium();
  if (path) return path;
  throw new Error(`chromium is not on PATH: install it (${CHROMIUM_INSTALL})`);
}

/** A headless chromium with the flags ARCHITECTURE.md gives. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
