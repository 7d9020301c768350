import assert from "node:assert/strict";
import type { Manifest } from "../../src/core/spell/manifest.ts";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import type { Message } from "../helpers/message_queue.ts";
import { PacedClient } from "../helpers/paced_client.ts";
import { decodeBase64, manifestPaths, publishSpells, sha256 } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

/**
 * What SpellCastController + SpellCache do with announcements: on `spell.active_update` or
 * `spell.revision_ready`, request every file of that revision once, all at once, and never retry.
 */
class GodotDownloads {
  readonly announced = new Map<string, Manifest>();
  readonly received = new Map<string, Uint8Array>();
  readonly errors: Message[] = [];
  #requested = new Set<string>();

  constructor(client: PacedClient) {
    client.onMessage = (message) => {
      if (message.type === "spell.active_update" || message.type === "spell.revision_ready") {
        const manifest = message.manifest as Manifest;
        const revision = `${message.spell_id}/${message.revision_id}`;
        this.announced.set(revision, manifest);
        for (const path of manifestPaths(manifest)) {
          const key = `${revision}/${path}`;
          if (this.#requested.has(key)) continue;
          this.#requested.add(key);
          client.send({
            type: "content.get_file",
            spell_id: message.spell_id,
            revision_id: message.revision_id,
            path,
          });
        }
      } else if (message.type === "content.file") {
        const key = `${message.spell_id}/${message.revision_id}/${message.path}`;
        this.received.set(key, decodeBase64(message.content as string));
      } else if (message.type === "error") {
        this.errors.push(message);
      }
    };
  }

  get requestedCount(): number {
    return this.#requested.size;
  }

  /** Every file of the revision arrived with the bytes its manifest names. */
  loaded(manifest: Manifest): boolean {
    return [...manifest.code, ...manifest.assets].every((file) => {
      const bytes = this.received.get(`${manifest.spell_id}/${manifest.revision_id}/${file.path}`);
      return bytes !== undefined && bytes.length === file.size && sha256(bytes) === file.hash;
    });
  }
}

async function worldOf(client: GodotClient, name: string): Promise<string> {
  const created = await client.request({ type: "world.create", name }, "world.created");
  return (created.world as { world_id: string }).world_id;
}

interface BurstResult {
  seconds: number;
  bytesRead: number;
  announced: number;
  requested: number;
}

/**
 * Publishes `spells` spells of about `bytes` bytes, then a Godot-paced reader joins a world and
 * downloads what it is told about. Fails unless every announced spell loads within 60 s with no
 * refused request and no disconnect; `expectAnnounced` is how many announcements it should get.
 */
async function joinBurst(
  env: Record<string, string>,
  options: { spells: number; bytes: number; expectAnnounced: number },
): Promise<BurstResult> {
  const server = await startTestServer({
    BUILDS_PER_CONNECTION: "1000",
    // Every spell is built from one address: the per-address storage quotas are not under test.
    MAX_SPELLS_PER_ADDRESS: "1000",
    MAX_BUILDS_PER_HOUR: "1000",
    MAX_STORED_BYTES_PER_ADDRESS: String(1 << 30),
    ...env,
  });
  const builder = await GodotClient.connect(server.wsUrl);
  let reader: PacedClient | undefined;
  try {
    // The builder stays under whatever rate limit the test sets.
    const perSecond = Math.min(150, Number(env.RATE_LIMIT_PER_SEC ?? 200) * 0.8);
    await publishSpells(builder, options.spells, { bytes: options.bytes, perSecond });
    const worldId = await worldOf(builder, "Burst");
    reader = await PacedClient.connect(server.app.port);
    const downloads = new GodotDownloads(reader);
    const started = performance.now();
    reader.send({ type: "world.join", world_id: worldId });
    let closedWith: number | undefined;
    reader.closed.then((code) => closedWith = code);
    await reader.next("sync_complete");
    await eventually(
      () =>
        closedWith !== undefined || downloads.errors.length > 0 ||
        (downloads.announced.size >= options.expectAnnounced &&
          [...downloads.announced.values()].every((m) => downloads.loaded(m))),
      { timeoutMs: 60_000, what: "every announced spell to load" },
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(closedWith, undefined, `the reader was disconnected (${closedWith})`);
    assert.deepEqual(downloads.errors, [], "no request was refused");
    assert.equal(downloads.announced.size, options.expectAnnounced);
    return {
      seconds,
      bytesRead: reader.bytesRead,
      announced: downloads.announced.size,
      requested: downloads.requestedCount,
    };
  } finally {
    await reader?.close();
    await builder.close();
    await server.close();
  }
}

function report(name: string, result: BurstResult): void {
  // deno-lint-ignore no-console
  console.log(
    `  ${name}: ${result.announced} spells, ${result.requested} files, ` +
      `${(result.bytesRead / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s`,
  );
}

Deno.test("join burst: a Godot-paced reader asking for every announced file at once loads 150 spells of ~20 KB (defaults)", async () => {
  const result = await joinBurst({}, { spells: 150, bytes: 20_000, expectAnnounced: 150 });
  assert.equal(result.requested, 300);
  report("defaults", result);
});

Deno.test("join burst: the same 150 spells under a tight rate limit and a 1 MiB send buffer: reads wait instead of being dropped, replies are paced", async () => {
  const result = await joinBurst(
    { RATE_LIMIT_BURST: "100", RATE_LIMIT_PER_SEC: "50", MAX_BUFFERED_BYTES: "1048576" },
    { spells: 150, bytes: 20_000, expectAnnounced: 150 },
  );
  report("tight limits", result);
});

Deno.test("join burst: 200 spells of ~47 KB (12 MB of files) reach a Godot-paced reader without a slow-consumer cut", async () => {
  const result = await joinBurst({}, { spells: 200, bytes: 47_000, expectAnnounced: 200 });
  report("200 x 47 KB", result);
});
