/// <reference lib="dom" />
// deno-lint-ignore-file no-console -- a script reports to its terminal
/**
 * `deno task screenshots`: starts a real server, lets Godot-like clients create worlds, build,
 * publish and report spells (tests/helpers/console_seed.ts) and keep some traffic going for a
 * minute, then photographs each view of the operator console in Chromium into docs/console/.
 * @module
 */
import { launchBrowser, signIn, watchedPage } from "../tests/helpers/browser.ts";
import { ADMIN_TOKEN, startConsoleServer } from "../tests/helpers/console_server.ts";
import { seed } from "../tests/helpers/console_seed.ts";
import { GodotClient } from "../tests/helpers/godot_client.ts";
import { build, fixture } from "../tests/helpers/spells.ts";

const OUT = new URL("../docs/console/", import.meta.url);
const TRAFFIC_SECONDS = Number(Deno.env.get("TRAFFIC_SECONDS") ?? 60);

await Deno.mkdir(OUT, { recursive: true });
const server = await startConsoleServer({
  MAX_WORLDS_PER_ADDRESS: "20",
  WORLD_CREATES_PER_MINUTE: "20",
  MAX_BUILDS_PER_HOUR: "100",
});
const browser = await launchBrowser();
const crowd: GodotClient[] = [];
try {
  const seeded = await seed(server);
  const { page } = await watchedPage(browser);
  await signIn(page, server.httpUrl, ADMIN_TOKEN);

  // A few more players and worlds, coming and going while the chart fills.
  const names = ["Sky Forge", "Lava Tubes", "Crystal Garden", "Tutorial Island"];
  const worlds: string[] = [seeded.worldId];
  for (const name of names) {
    const world = (await seeded.alice.request({ type: "world.create", name }, "world.created"))
      .world as { world_id: string };
    worlds.push(world.world_id);
  }
  const started = Date.now();
  let tick = 0;
  while (Date.now() - started < TRAFFIC_SECONDS * 1000) {
    tick++;
    if (crowd.length < 14 && tick % 2 === 0) {
      const client = await GodotClient.connect(server.wsUrl);
      const worldId = worlds[crowd.length % worlds.length]!;
      await client.request({ type: "world.join", world_id: worldId }, "world.joined");
      crowd.push(client);
    }
    for (const client of crowd) {
      client.send({
        type: "request_spell",
        spell: { type: "create_land", center: { x: tick, y: 1, z: 2 }, radius: 2 },
      });
    }
    if (tick % 15 === 0 && crowd.length > 4) await crowd.shift()!.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const builder = crowd[0] ?? seeded.alice;
  await build(builder, "frost_nova", { code: fixture("demo_spark.gd") });
  builder.send({
    type: "spell.start_build",
    spell_id: "broken_spell",
    code: "extends Node\nfunc x(:\n",
  });
  await builder.next("job.progress", { where: (m) => m.stage === "error" }).catch(() => {});

  // An operator at work: a bot farm's range banned for a week, one connection kicked.
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
  await fetch(`${server.httpUrl}/api/admin/bans`, {
    method: "POST",
    headers: admin,
    body: JSON.stringify({
      address: "192.0.2.0/24",
      reason: "sign-up spam from a bot farm",
      duration_s: 7 * 86400,
    }),
  }).then((response) => response.body?.cancel());
  const victim = crowd.at(-1);
  if (victim) {
    await fetch(`${server.httpUrl}/api/admin/connections/${victim.clientId}/kick`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ reason: "spamming the world chat" }),
    }).then((response) => response.body?.cancel());
    crowd.pop();
  }

  const shots: [string, string, string][] = [
    ["overview", "#/overview", "Overview"],
    ["worlds", "#/worlds", "Worlds"],
    ["spell", `#/spells/${seeded.spellId}/${seeded.revisions[1]}`, "Spell"],
    ["diff", `#/spells/${seeded.spellId}/${seeded.revisions[1]}/${seeded.revisions[0]}`, "Spell"],
    ["reports", "#/reports", "Reports"],
    ["connections", "#/connections", "Connections"],
    ["jobs", "#/jobs", "Jobs"],
    ["audit", "#/audit", "Audit log"],
  ];
  for (const [name, hash, heading] of shots) {
    await page.evaluate((h) => location.hash = h, hash);
    await page.locator("main h1").filter({ hasText: heading }).waitFor();
    await page.waitForTimeout(800);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: new URL(`${name}.png`, OUT).pathname });
    console.log(`docs/console/${name}.png`);
  }
  await seeded.close();
} finally {
  for (const client of crowd) await client.close().catch(() => {});
  await browser.close();
  await server.close();
}
