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
  const server = await startTestServer({ BUILDS_PER_CONNECTION: "1000", ...env });
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

/** A raw client that sends `texts` as frames and then never reads a byte. */
async function stalledClient(port: number, texts: string[]): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  await conn.read(new Uint8Array(1024));
  for (const text of texts) {
    const payload = new TextEncoder().encode(text);
    assert.ok(payload.length < 126);
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const frame = new Uint8Array(6 + payload.length);
    frame.set([0x81, 0x80 | payload.length, ...mask]);
    payload.forEach((byte, i) => frame[6 + i] = byte ^ mask[i % 4]!);
    await conn.write(frame);
  }
  return conn;
}

Deno.test("reads beyond the rate wait in a bounded queue, at most READ_QUEUE_MAX; the rest, large reads and writes are refused", async () => {
  const server = await startTestServer({
    RATE_LIMIT_BURST: "5",
    RATE_LIMIT_PER_SEC: "20",
    READ_QUEUE_MAX: "10",
    BUILDS_PER_CONNECTION: "10",
  });
  const builder = await GodotClient.connect(server.wsUrl);
  let client: GodotClient | undefined;
  try {
    const [manifest] = await publishSpells(builder, 1, { perSecond: 4 });
    client = await GodotClient.connect(server.wsUrl);
    const request = {
      type: "content.get_file",
      spell_id: manifest!.spell_id,
      revision_id: manifest!.revision_id,
      path: "code/spell.gd",
    };
    for (let i = 0; i < 30; i++) client.send(request);
    // A read with a big payload is not kept waiting, and a write beyond the rate is dropped.
    client.send({ ...request, padding: "x".repeat(2000) });
    client.send({ type: "world.create", name: "beyond the rate" });
    for (let i = 0; i < 15; i++) await client.next("content.file", { timeoutMs: 10_000 });
    // Replies keep the order of the requests: the last refusal is the world.create's.
    await client.next("error", {
      where: (m) => m.message === "Rate limit exceeded; message dropped",
    });
    const refused = client.queue.all.filter((m) => m.type === "error");
    assert.equal(refused.length, 17);
    assert.ok(refused.every((m) => m.code === "rate_limited"));
    const reasons = refused.map((m) => m.message as string);
    assert.equal(reasons.filter((r) => /10 requests already wait/.test(r)).length, 15);
    assert.equal(reasons.filter((r) => /over 1024 bytes cannot wait/.test(r)).length, 1);
    assert.equal(refused.at(-1)!.message, "Rate limit exceeded; message dropped");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.queue.has("content.file"), false, "exactly 5 at once and 10 queued");
  } finally {
    await client?.close();
    await builder.close();
    await server.close();
  }
});

Deno.test("a client that asks for files and stops reading is closed after 10 s without holding more than the high-water mark; others are served", async () => {
  const server = await startTestServer({ BUILDS_PER_CONNECTION: "10" });
  const builder = await GodotClient.connect(server.wsUrl);
  const watcher = await GodotClient.connect(server.wsUrl);
  let stalled: Deno.TcpConn | undefined;
  try {
    const [manifest] = await publishSpells(builder, 1, { bytes: 47_000, perSecond: 150 });
    const request = JSON.stringify({
      type: "content.get_file",
      spell_id: manifest!.spell_id,
      revision_id: manifest!.revision_id,
      path: "code/spell.gd",
    });
    // 300 replies of ~63 KB (19 MB): far more than socket buffers and the 4 MiB cut-off.
    stalled = await stalledClient(server.app.port, Array(300).fill(request));
    let pings = 0;
    await eventually(async () => {
      pings++;
      return (await watcher.roundTrip()).clients === 2;
    }, { timeoutMs: 20_000, what: "the stalled reader to be closed" });
    assert.ok(pings > 10, "the watcher was served while the replies waited");
    assert.ok(
      !server.logs.some((entry) => entry.msg === "closing slow consumer"),
      "closed for not reading, never by overflowing its buffer",
    );
  } finally {
    stalled?.close();
    await watcher.close();
    await builder.close();
    await server.close();
  }
});
