// Launches Debian's chromium (found on PATH) with playwright-core; a missing
// browser fails the test that asked, it never skips it.
import { type Browser, chromium } from "playwright-core";

/** The chromium executable on PATH. */
export function chromiumPath(): string {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not in this directory
      }
    }
  }
  throw new Error("chromium is not on PATH: install it (apt-get install -y chromium)");
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
