/// <reference lib="dom" />
/**
 * The operator console in a real browser (Debian's Chromium, driven by playwright-core) against a
 * real server started here, with Godot-like raw clients doing what players do.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, type PageWatch, signIn, watchedPage } from "../helpers/browser.ts";
import { ADMIN_TOKEN, startConsoleServer } from "../helpers/console_server.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture } from "../helpers/spells.ts";
import type { TestServer } from "../helpers/test_server.ts";

/** Browser tests own processes and sockets the sanitizers cannot see closed in time. */
function browserTest(name: string, fn: (ctx: Ctx) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await startConsoleServer();
      const browser = await launchBrowser();
      try {
        const { page, watch } = await watchedPage(browser);
        await fn({ server, browser, page, watch });
        assert.deepEqual(watch.pageErrors, [], "no uncaught errors in the page");
        assert.deepEqual(watch.dialogs, [], "no alert/confirm/prompt");
        assert.deepEqual(await watch.violations(), [], "no Content-Security-Policy violation");
      } finally {
        await browser.close();
        await server.close();
      }
    },
  });
}

interface Ctx {
  server: TestServer;
  browser: Browser;
  page: Page;
  watch: PageWatch;
}

/** Waits until `selector` shows exactly `text` (the page's policy forbids waitForFunction's eval). */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).filter({ hasText: new RegExp(`^${RegExp.escape(text)}$`) })
    .first().waitFor({ timeout: 20_000 });
}

/** Marks the document so a test can tell it was never reloaded. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() =>
    (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true
  );
}
async function assertSameDocument(page: Page): Promise<void> {
  assert.equal(
    await page.evaluate(() =>
      (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument
    ),
    true,
    "updated without a reload",
  );
}

browserTest(
  "console: a wrong token is refused, the right one signs in; the token is never in a URL",
  async ({ server, page }) => {
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`${server.httpUrl}/admin`);
    await signIn(page, server.httpUrl, "not-the-token");
    assert.equal(await page.textContent("#signin-error"), "That is not this server's admin token.");
    assert.equal(await page.locator("nav.sidebar").count(), 0);
    assert.equal(
      await page.evaluate(() => sessionStorage.length),
      0,
      "a refused token is not kept",
    );

    await signIn(page, server.httpUrl, ADMIN_TOKEN);
    await page.waitForSelector(".stream-state.live");
    assert.equal(await page.locator("main h1").textContent(), "Overview");
    assert.equal(
      await page.getByRole("link", { name: /Overview/ }).getAttribute("aria-current"),
      "page",
    );
    for (const url of [...requests, page.url()]) {
      assert.ok(!url.includes(ADMIN_TOKEN) && !url.includes("not-the-token"), `token in ${url}`);
    }
    assert.equal(
      await page.evaluate(() => sessionStorage.getItem("ugc-admin-token")),
      ADMIN_TOKEN,
      "kept for this tab only",
    );
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.equal(await page.evaluate(() => document.cookie), "");

    // A reload in the same tab stays signed in; signing out forgets the token.
    await page.reload();
    await page.waitForSelector(".stream-state.live");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ugc-admin-token")), null);
  },
);

browserTest(
  "console: the keyboard reaches every view (number keys, Tab and Enter)",
  async ({ server, page }) => {
    await signIn(page, server.httpUrl, ADMIN_TOKEN);
    for (
      const [key, title] of [["2", "Worlds"], ["6", "Jobs"], ["7", "Audit log"], ["1", "Overview"]]
    ) {
      await page.keyboard.press(key!);
      await waitForText(page, "main h1", title!);
    }
    // The skip link moves focus to the content; Tab from a navigation link reaches the next one.
    await page.getByRole("link", { name: "Skip to content" }).focus();
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
    await page.getByRole("link", { name: /Overview/ }).focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await waitForText(page, "main h1", "Worlds");
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      "Worlds",
      "the new view's heading has focus",
    );
  },
);

browserTest(
  "console: a Godot client joins a world and the player count changes without a reload",
  async ({ server, page }) => {
    await signIn(page, server.httpUrl, ADMIN_TOKEN);
    await page.waitForSelector(".stream-state.live");
    await markDocument(page);
    const players = '[data-stat="players"] .card-value';
    const connections = '[data-stat="connections"] .card-value';
    await waitForText(page, players, "0");

    const godot = await GodotClient.connect(server.wsUrl);
    try {
      await waitForText(page, connections, "1");
      const world = (await godot.request({ type: "world.create", name: "Plaza" }, "world.created"))
        .world as { world_id: string };
      await godot.request({ type: "world.join", world_id: world.world_id }, "world.joined");
      await waitForText(page, players, "1");
      await page.locator(`.busiest [data-world="${world.world_id}"]`).waitFor();
      await assertSameDocument(page);

      // The worlds view counts the same player, and sees them leave.
      await page.keyboard.press("2");
      const cell = `[data-players="${world.world_id}"]`;
      await waitForText(page, cell, "1");
      godot.send({ type: "world.leave" });
      await godot.next("world.left");
      await waitForText(page, cell, "0");
      await assertSameDocument(page);
    } finally {
      await godot.close();
    }
    await page.keyboard.press("1");
    await waitForText(page, players, "0");
    await waitForText(page, connections, "0");
    await assertSameDocument(page);
  },
);

browserTest("console: a build appears in jobs and steps live to done", async ({ server, page }) => {
  await signIn(page, server.httpUrl, ADMIN_TOKEN);
  await page.goto(`${server.httpUrl}/admin#/jobs`);
  await page.waitForSelector(".stream-state.live");
  await markDocument(page);
  const godot = await GodotClient.connect(server.wsUrl);
  try {
    const { jobId, events } = await build(godot, "console_spark", {
      code: fixture("demo_spark.gd"),
    });
    const row = page.locator(`tr[data-job="${jobId}"]`);
    await page.waitForSelector(`tr[data-job="${jobId}"][data-status="completed"]`);
    const updates = Number(await row.getAttribute("data-updates"));
    assert.ok(
      updates >= events.length,
      `the console saw every step live (${updates} updates for ${events.length} steps)`,
    );
    assert.equal(await row.locator("progress").getAttribute("value"), "100");
    assert.match((await row.textContent())!, /console_spark/);
    await assertSameDocument(page);
  } finally {
    await godot.close();
  }
});
