/**
 * vitest globalSetup: resolves the browser for the browser tests once per run (decompressing
 * the @sparticuz/chromium fallback at most once), before the test files start in parallel.
 */
import { resolveChromium, SKIP_BROWSER } from "./browser.js";

export default async function setup(): Promise<void> {
  if (SKIP_BROWSER) return;
  // A failure here is reported again, with how to fix it, by each browser test that needs it.
  try {
    const { executable, source } = await resolveChromium();
    if (source === "@sparticuz/chromium") process.env.FM_CHROMIUM_RESOLVED = executable;
  } catch {
    // leave it to the tests
  }
}
