import type { Core } from "./core_harness.ts";
import type { FakeSession } from "./fake_session.ts";
import { createManifest } from "../workers/manifest.ts";
import type { Manifest } from "../core/spell/manifest.ts";

const CODE = "extends SpellModule\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tpass\n";

/**
 * Builds a spell through the core (spell.start_build), finishing the build by hand as a worker would
 * (its one file stored in the core's blob store), and returns the finished revision's manifest.
 */
export async function buildSpell(
  core: Core,
  session: FakeSession,
  spellId: string,
  code = CODE,
): Promise<Manifest> {
  await core.send(session, "spell.start_build", { spell_id: spellId, code });
  const build = core.runner.started.at(-1)!;
  const file = { path: "code/spell.gd", ...await core.blobs.put(new TextEncoder().encode(code)) };
  const manifest = createManifest({
    spellId,
    revisionId: build.task.revisionId,
    version: build.task.version,
    createdAt: build.task.createdAt,
    code: [file],
    assets: [],
    metadata: { name: spellId, description: "", tags: [], preview_icon: "assets/icon.png" },
    capabilities: [],
  });
  build.finish({ ok: true, manifest });
  await core.clock.advance(0);
  return manifest;
}
