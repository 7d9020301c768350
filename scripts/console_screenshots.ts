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
const server = await startConsoleServer();
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
        type: "apply_op",
        op: { op: "add_sphere", center: { x: tick, y: 1, z: 2 }, radius: 1, material_id: 1 },
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
