/// <reference lib="dom" />
/**
 * Moderation from the operator console in a real browser, reaching real raw clients: hostile
 * player-chosen text stays text, a quarantine reaches a connected Godot-like client as the
 * rollback, a ban disconnects.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, type PageWatch, signIn, watchedPage } from "../helpers/browser.ts";
import { ADMIN_TOKEN, startConsoleServer } from "../helpers/console_server.ts";
import { HOSTILE, seed, type Seeded } from "../helpers/console_seed.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import type { TestServer } from "../helpers/test_server.ts";

interface Ctx {
  server: TestServer;
  page: Page;
  watch: PageWatch;
  seeded: Seeded;
}

function moderationTest(name: string, fn: (ctx: Ctx) => Promise<void>): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const server = await startConsoleServer();
      const browser = await launchBrowser();
      let seeded: Seeded | undefined;
      try {
        seeded = await seed(server);
        const { page, watch } = await watchedPage(browser);
        await signIn(page, server.httpUrl, ADMIN_TOKEN);
        await page.waitForSelector(".stream-state.live");
        await fn({ server, page, watch, seeded });
        assert.deepEqual(watch.pageErrors, [], "no uncaught errors in the page");
        assert.deepEqual(watch.dialogs, [], "no alert/confirm/prompt");
        assert.deepEqual(await watch.violations(), [], "no Content-Security-Policy violation");
      } finally {
        await seeded?.close().catch(() => {});
        await browser.close();
        await server.close();
      }
    },
  });
}

async function open(page: Page, hash: string, heading: string): Promise<void> {
  await page.evaluate((h) => location.hash = h, hash);
  await page.locator("main h1").filter({ hasText: heading }).waitFor();
}

/** Nothing the hostile strings would have done happened, and they are on screen as characters. */
async function assertInert(page: Page): Promise<void> {
  const state = await page.evaluate(() => ({
    xss: (globalThis as unknown as { __xss?: unknown }).__xss ?? null,
    injected: document.querySelectorAll(
      "main img, main svg:not(.chart), main iframe, main script, body > script",
    ).length,
  }));
  assert.deepEqual(state, { xss: null, injected: 0 });
}

moderationTest(
  "console: hostile names, descriptions, reasons and code are shown as text and nothing runs",
  async ({ page, seeded }) => {
    const text = () => page.locator("main").innerText();

    await open(page, "#/worlds", "Worlds");
    await page.locator(`tr[data-key="${seeded.hostileWorldId}"]`).waitFor();
    assert.ok((await text()).includes(HOSTILE.img), "the world name is shown as typed");
    await assertInert(page);

    await open(page, "#/spells", "Spells");
    await page.locator(`tr[data-key="${seeded.spellId}"]`).waitFor();
    await open(page, `#/spells/${seeded.spellId}/${seeded.revisions[1]}`, "Spell");
    await page.locator(".code td.src").first().waitFor();
    const spell = await text();
    assert.ok(spell.includes(HOSTILE.script), "the spell's name is shown as typed");
    assert.ok(spell.includes(HOSTILE.svg), "its description too");
    assert.ok(spell.includes(`# ${HOSTILE.img} ${HOSTILE.script}`), "and its code, line for line");
    // The override characters are revealed, not obeyed: the reviewer sees the order that runs.
    assert.ok(spell.includes("⟨RLO⟩"), "an RLO is shown as a marker");
    assert.ok(spell.includes("⟨LRI⟩"), "an isolate too");
    assert.ok(/hidden or reordering characters/.test(spell), "and the code is flagged");
    assert.equal(await page.locator(".code tr.hidden-chars").count(), 1);
    await assertInert(page);

    // The diff between the clean and the hostile revision.
    await page.getByLabel("View").selectOption(seeded.revisions[0]);
    await page.locator(".code tr.added").first().waitFor();
    assert.equal(await page.locator(".code tr.added").count(), 3);
    assert.equal(await page.locator(".code tr.removed").count(), 0);
    // Unchanged code folds into a row that a key press unfolds.
    const folds = page.locator(".code tr.fold button");
    assert.equal(await folds.count(), 1);
    await folds.first().focus();
    await page.keyboard.press("Enter");
    assert.equal(await folds.count(), 0);
    assert.ok((await page.locator(".code tr.same").count()) > 40);
    await assertInert(page);

    await open(page, "#/reports", "Reports");
    await page.locator(`tr[data-key="${seeded.reportId}"]`).waitFor();
    assert.ok((await text()).includes("⟨RLO⟩exe.evil⟨PDF⟩"), "the reason, revealed");
    await page.locator(`tr[data-key="${seeded.reportId}"]`).getByRole("button", {
      name: "Resolve…",
    })
      .click();
    await page.locator("dialog").getByLabel(/Note/).fill(`${HOSTILE.svg} looked: fine`);
    await page.locator("dialog").getByRole("button", { name: "Resolve" }).click();
    await page.locator(`tr[data-key="${seeded.reportId}"]`).waitFor({ state: "detached" });

    for (
      const [hash, heading] of [
        ["#/connections", "Connections"],
        ["#/jobs", "Jobs"],
        ["#/audit", "Audit log"],
        ["#/overview", "Overview"],
        ["#/reports/resolved", "Reports"],
      ]
    ) {
      await open(page, hash!, heading!);
      await page.waitForTimeout(300);
      await assertInert(page);
    }
    assert.ok((await text()).includes(`${HOSTILE.svg} looked: fine`), "the note, as text");
  },
);

moderationTest(
  "console: a quarantine reaches a connected Godot client as the rollback",
  async ({ page, seeded }) => {
    const [v1, v2] = seeded.revisions;
    // (The seed drained the publishes of v1 and v2: the next v1 announcement is the rollback.)
    assert.equal(seeded.bob.queue.has("spell.active_update"), false);
    await open(page, `#/spells/${seeded.spellId}/${v2}`, "Spell");
    await page.getByRole("button", { name: "Quarantine…" }).click();
    await page.locator("dialog").getByLabel(/Reason/).fill("hides an admin check (report)");
    await page.locator("dialog").getByRole("button", { name: "Quarantine" }).click();

    // The raw client in the world is moved back to v1 on beta, and v2 can no longer be cast.
    const rollback = await seeded.bob.next("spell.active_update", {
      where: (m) => m.spell_id === seeded.spellId && m.revision_id === v1,
      timeoutMs: 15_000,
    });
    assert.equal(rollback.channel, "beta");
    seeded.bob.send({
      type: "spell.cast_request",
      spell_id: seeded.spellId,
      revision_id: v2,
      cast_params: {},
    });
    await seeded.bob.next(["spell.cast_rejected", "error"], { timeoutMs: 15_000 });
    await page.locator(`tr[data-key="${v2}"] .badge.bad`).waitFor();
    seeded.bob.assertClean();

    // The audit log has it (with the publishes before it); filtered to the action, only it.
    await open(page, "#/audit", "Audit log");
    await page.locator("main tbody tr").filter({ hasText: "publish" }).first().waitFor();
    await page.getByLabel("Action").fill("quarantine");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("main tbody tr").filter({ hasText: "publish" }).first().waitFor({
      state: "detached",
    });
    const rows = page.locator("main tbody tr");
    assert.equal(await rows.count(), 1);
    assert.match(
      (await rows.first().innerText())!,
      new RegExp(`quarantine[\\s\\S]*${v2}[\\s\\S]*hides an admin check`),
    );
  },
);

moderationTest(
  "console: a ban disconnects the player's client at once",
  async ({ page, seeded }) => {
    await open(page, "#/connections", "Connections");
    const found = page.locator("main tbody tr").filter({ hasText: seeded.player.id }).first();
    await found.waitFor();
    // The filter box narrows the list to that player's connection.
    await page.getByLabel("Filter connections").fill(seeded.player.id);
    await page.locator("main .view-header").filter({ hasText: "1 of 2 open connections match" })
      .waitFor();
    const sessionId = (await found.getAttribute("data-key"))!;
    const row = page.locator(`tr[data-key="${sessionId}"]`);
    // The keyboard stays on its button while the list is rebuilt by a live update.
    await row.getByRole("button", { name: "Ban…" }).focus();
    const newcomer = await GodotClient.connect(seeded.bob.socket.url.replace(/\?.*$/, ""));
    try {
      await page.locator("main .view-header").filter({ hasText: "1 of 3 open connections match" })
        .waitFor();
    } finally {
      await newcomer.close();
    }
    assert.deepEqual(
      await page.evaluate(() => [
        document.activeElement?.textContent,
        document.activeElement?.closest("tr")?.getAttribute("data-key"),
      ]),
      ["Ban…", sessionId],
    );
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog");
    assert.equal(await dialog.getByLabel("Ban", { exact: true }).inputValue(), "player");
    await dialog.getByLabel("For").selectOption("3600");
    await dialog.getByLabel(/Reason/).fill("griefing");
    await dialog.getByRole("button", { name: "Ban", exact: true }).click();

    const closed = await Promise.race([
      seeded.bob.closed.then(() => "closed"),
      new Promise((resolve) => setTimeout(() => resolve("still open"), 10_000)),
    ]);
    assert.equal(closed, "closed");
    // Its row leaves the list; the ban is listed with its end.
    await row.waitFor({ state: "detached" });
    await page.locator("main .panel tbody tr").filter({ hasText: seeded.player.id }).filter({
      hasText: /in 1 h|in 60 min/,
    }).waitFor();
    // And the player's token is refused from now on.
    const again = new WebSocket(`${seeded.bob.socket.url}`);
    const refused = await new Promise((resolve) => {
      again.onopen = () => resolve("opened");
      again.onerror = () => resolve("refused");
    });
    assert.equal(refused, "refused");
  },
);

moderationTest(
  "console: an owner's stable request is approved and rolled back from the spell view; a world is cleared and another deleted",
  async ({ page, seeded }) => {
    const [v1, v2] = seeded.revisions;
    seeded.alice.send({
      type: "spell.publish",
      spell_id: seeded.spellId,
      revision_id: v2,
      channel: "stable",
    });
    await seeded.alice.next("spell.publish_pending", { timeoutMs: 15_000 });

    await open(page, `#/spells/${seeded.spellId}`, "Spell");
    const banner = page.locator(".banner.warn");
    await banner.filter({ hasText: v2 }).waitFor();
    await banner.getByRole("button", { name: "Approve stable" }).click();
    // Every connected player hears of the new stable revision.
    const stable = await seeded.bob.next("spell.active_update", {
      where: (m) => m.revision_id === v2 && m.channel === "stable",
      timeoutMs: 15_000,
    });
    assert.equal(stable.spell_id, seeded.spellId);
    await banner.waitFor({ state: "detached" });
    await page.locator(`tr[data-key="${v2}"] .badge.stable`).waitFor();

    // And rolled back: v1 is offered as the way back, and every player moves to it.
    await open(page, `#/spells/${seeded.spellId}/${v1}`, "Spell");
    await page.getByRole("button", { name: "Roll stable back to v1" }).click();
    await page.locator("dialog").getByRole("button", { name: "Roll back" }).click();
    await seeded.bob.next("spell.active_update", {
      where: (m) => m.revision_id === v1 && m.channel === "stable",
      timeoutMs: 15_000,
    });
    await page.locator(`tr[data-key="${v1}"] .badge.stable`).waitFor();

    // Clear the Plaza (its members hear it), then delete the hostile world.
    await open(page, "#/worlds", "Worlds");
    await page.locator(`tr[data-key="${seeded.worldId}"]`).getByRole("button", { name: "Clear" })
      .click();
    await page.locator("dialog").getByRole("button", { name: "Clear world" }).click();
    const cleared = await seeded.bob.next("world_cleared", { timeoutMs: 15_000 });
    assert.equal(cleared.world_id, seeded.worldId);
    const hostileRow = page.locator(`tr[data-key="${seeded.hostileWorldId}"]`);
    await hostileRow.getByRole("button", { name: "Delete" }).click();
    // Escape cancels; the world is still there.
    await page.keyboard.press("Escape");
    await page.locator("dialog").waitFor({ state: "detached" });
    assert.equal(await hostileRow.count(), 1);
    await hostileRow.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog").getByRole("button", { name: "Delete world" }).click();
    await hostileRow.waitFor({ state: "detached" });

    await open(page, "#/audit", "Audit log");
    for (const action of ["world.delete", "world.clear"]) {
      await page.locator("main tbody tr").filter({ hasText: action }).first().waitFor();
    }
  },
);
