/**
 * A server with something to moderate, made the way players make it: Godot-like raw clients create
 * worlds, build and publish spells and report one; one of them is a player with a token. Names,
 * descriptions, the report and the code are hostile (`HOSTILE`): the console must show them as text.
 */
import { GodotClient } from "./godot_client.ts";
import { build, fixture } from "./spells.ts";
import type { TestServer } from "./test_server.ts";

/** Strings that run script or reorder text if a page treats them as anything but text. */
export const HOSTILE = {
  img: `<img src=x onerror="window.__xss='img'">`,
  script: `</script><script>window.__xss='script'</script>`,
  svg: `<svg onload="window.__xss='svg'">`,
  iframe: `"><iframe srcdoc="<script>parent.__xss='frame'</script>">`,
  /** A right-to-left override: "exe.live" on screen, "\u202elive.exe" in memory. */
  rtl: `\u202eexe.evil\u202c \u2066admin\u2069`,
};

/** Code that the verifier accepts and that hides what it is from a reviewer. */
export function trojanSpell(tag: string): string {
  return fixture("demo_spark.gd") +
    `\n# ${HOSTILE.img} ${HOSTILE.script}\n# ${tag}: access \u202e } if is_admin: \u2066 # begin admins only\u2069\n`;
}

export interface Seeded {
  worldId: string;
  hostileWorldId: string;
  spellId: string;
  /** v1 (clean) and v2 (hostile), both published to beta; v2 is active. */
  revisions: [string, string];
  reportId: string;
  player: { id: string; token: string };
  /** Alice: a guest who owns the world and the spell, in the world. */
  alice: GodotClient;
  /** Bob: a player (display name hostile) in the world, who reported v2. */
  bob: GodotClient;
  close(): Promise<void>;
}

export async function seed(server: TestServer): Promise<Seeded> {
  const alice = await GodotClient.connect(server.wsUrl);
  const world = (await alice.request({ type: "world.create", name: "Plaza" }, "world.created"))
    .world as { world_id: string };
  const hostile = (await alice.request(
    { type: "world.create", name: HOSTILE.img },
    "world.created",
  )).world as { world_id: string };
  await alice.request({ type: "world.join", world_id: world.world_id }, "world.joined");

  const created = await fetch(`${server.httpUrl}/api/players`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ display_name: HOSTILE.iframe.slice(0, 32) }),
  });
  if (created.status !== 201) throw new Error(`POST /api/players: ${created.status}`);
  const player = await created.json() as { player_id: string; token: string };
  const bob = await GodotClient.connect(`${server.wsUrl}?token=${player.token}`);
  await bob.request({ type: "world.join", world_id: world.world_id }, "world.joined");

  const spellId = "sparkle";
  const metadata = { name: HOSTILE.script, description: `${HOSTILE.rtl} ${HOSTILE.svg}` };
  const first = await build(alice, spellId, {
    code: fixture("demo_spark.gd"),
    options: { metadata },
  });
  const v1 = first.last.revision_id as string;
  await publish(alice, spellId, v1, "beta");
  const second = await build(alice, spellId, {
    code: trojanSpell("v2"),
    options: { metadata, parent_revision_id: v1 },
  });
  const v2 = second.last.revision_id as string;
  await publish(alice, spellId, v2, "beta");
  await bob.next("spell.active_update", { where: (m) => m.revision_id === v2, timeoutMs: 15_000 });

  bob.send({
    type: "spell.report",
    spell_id: spellId,
    revision_id: v2,
    reason: `${HOSTILE.img} ${HOSTILE.rtl} it hides an admin check`,
  });
  const report = await bob.next("spell.report_received", { timeoutMs: 15_000 });
  // The publishes above are history: a test waiting for the next announcement must not find them.
  for (const client of [alice, bob]) {
    for (const type of ["spell.active_update", "spell.revision_ready"]) client.queue.drain(type);
  }
  return {
    worldId: world.world_id,
    hostileWorldId: hostile.world_id,
    spellId,
    revisions: [v1, v2],
    reportId: report.report_id as string,
    player: { id: player.player_id, token: player.token },
    alice,
    bob,
    close: async () => {
      await alice.close();
      await bob.close();
    },
  };
}

async function publish(
  client: GodotClient,
  spellId: string,
  revisionId: string,
  channel: string,
): Promise<void> {
  client.send({ type: "spell.publish", spell_id: spellId, revision_id: revisionId, channel });
  await client.next("spell.active_update", {
    where: (m) => m.revision_id === revisionId,
    timeoutMs: 15_000,
  });
}
