/// <reference lib="dom" />
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium (`apt-get install chromium`; .ci/run installs it). The flags keep it off the
 * network it would otherwise reach for (updates, sync, QUIC probes) and let it run as root in CI.
 */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A fresh browser (a fresh profile: playwright makes one per launch). */
export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
}

/** What the page did that it must not: dialogs opened, policy violations, errors, flags set. */
export interface PageWatch {
  dialogs: string[];
  pageErrors: string[];
  consoleErrors: string[];
  /** CSP violations the page reported (securitypolicyviolation events). */
  violations(): Promise<string[]>;
}

/**
 * A page with a laptop-sized window that records every dialog (and dismisses it), every uncaught
 * error and every Content-Security-Policy violation, from before the console's own script runs.
 */
export async function watchedPage(browser: Browser): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const watch: PageWatch = {
    dialogs: [],
    pageErrors: [],
    consoleErrors: [],
    violations: () =>
      page.evaluate(() => (globalThis as unknown as { __violations: string[] }).__violations ?? []),
  };
  page.on("dialog", (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on("pageerror", (error) => watch.pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(message.text());
  });
  await page.addInitScript(() => {
    const record = globalThis as unknown as { __violations: string[] };
    record.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      record.__violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
    });
  });
  return { page, watch };
}

/** Opens the console and signs in with `token`; resolves once the console (or the error) shows. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/admin`)) await page.goto(`${baseUrl}/admin`);
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector("nav.sidebar, #signin-error:not(:empty)");
}
