import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { Manifest } from "../../src/core/spell/manifest.ts";
import type { GodotClient } from "./godot_client.ts";
import type { Message } from "./message_queue.ts";
import type { SioClient } from "./sio_client.ts";

export const FIXTURES = new URL("../fixtures/spells/", import.meta.url);

export function fixture(name: string): string {
  return Deno.readTextFileSync(new URL(name, FIXTURES));
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** A valid spell of about `bytes` bytes (a comment pads it); `salt` makes its content unique. */
export function paddedSpell(bytes: number, salt: string): string {
  const head =
    `extends SpellModule\n# ${salt}\n\nfunc on_cast(ctx: SpellContext) -> void:\n\tpass\n`;
  const lines: string[] = [];
  let size = head.length;
  while (size + 81 <= bytes) {
    lines.push("# " + "x".repeat(78));
    size += 81;
  }
  return head + lines.join("\n") + "\n";
}

/** The original's 13 progress steps of a successful build (original-system §7.2). */
export const SUCCESS_STEPS: [string, number][] = [
  ["prepare", 0],
  ["prepare", 5],
  ["prepare", 15],
  ["assemble_package", 20],
  ["assemble_package", 30],
  ["assemble_package", 45],
  ["assemble_package", 55],
  ["validate", 60],
  ["validate", 75],
  ["finalize", 80],
  ["finalize", 90],
  ["finalize", 95],
  ["done", 100],
];

type Client = GodotClient | SioClient;

/** Collects a job's job.progress events until `done` or `error`. */
export async function progressOf(
  client: Client,
  jobId: string,
  timeoutMs = 20_000,
): Promise<Message[]> {
  const events: Message[] = [];
  while (true) {
    const event = await client.next("job.progress", {
      where: (m) => m.job_id === jobId,
      timeoutMs,
    });
    events.push(event);
    if (event.stage === "done" || event.stage === "error") return events;
  }
}

/** Starts a build over the raw protocol and returns its job id and every progress event. */
export async function build(
  client: GodotClient,
  spellId: string,
  extra: Record<string, unknown> = {},
): Promise<{ jobId: string; events: Message[]; last: Message }> {
  client.send({ type: "spell.start_build", spell_id: spellId, ...extra });
  const started = await client.next("spell.build_started", {
    where: (m) => m.spell_id === spellId,
  });
  const jobId = started.job_id as string;
  const events = await progressOf(client, jobId);
  return { jobId, events, last: events.at(-1)! };
}

/** Publishes a revision over the raw protocol and waits until its `spell.active_update` is back. */
export async function publish(
  client: GodotClient,
  spellId: string,
  revisionId: string,
  channel = "beta",
): Promise<Message> {
  client.send({ type: "spell.publish", spell_id: spellId, revision_id: revisionId, channel });
  return await client.next("spell.active_update", {
    where: (m) => m.spell_id === spellId && m.revision_id === revisionId,
  });
}

/** Asserts a PNG is well-formed: signature, every chunk's CRC, and an IDAT that inflates. */
export async function assertValidPng(bytes: Uint8Array): Promise<void> {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 4, offset + 8 + length);
    assert.equal(view.getUint32(offset + 8 + length), crc32(body), `CRC of ${type}`);
    if (type === "IDAT") idat.push(bytes.subarray(offset + 8, offset + 8 + length));
    if (type === "IEND") sawEnd = true;
    offset += 12 + length;
  }
  assert.ok(sawEnd, "IEND chunk");
  const stream = new Blob(idat as BlobPart[]).stream().pipeThrough(
    new DecompressionStream("deflate"),
  );
  const inflated = new Uint8Array(await new Response(stream).arrayBuffer());
  assert.ok(inflated.length > 0, "IDAT inflates (zlib checksum verified by the decoder)");
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** demo_spark.gd padded with comment lines to about `bytes` bytes, made unique by `tag`. */
export function paddedDemoSpell(tag: string, bytes: number): string {
  let code = fixture("demo_spark.gd") + `\n# ${tag}\n`;
  const line = `# padding for ${tag}: ${"x".repeat(60)}\n`;
  while (code.length + line.length <= bytes) code += line;
  return code;
}

/**
 * Builds `count` spells (`prefix_000`, …) of about `bytes` bytes of code and publishes each to beta,
 * all over one raw connection (the server must allow `count` builds per connection), sending at
 * most `perSecond` messages a second (default 40, under any rate limit a test sets). Returns the
 * manifests in publish order.
 */
export async function publishSpells(
  client: GodotClient,
  count: number,
  options: { prefix?: string; bytes?: number; perSecond?: number } = {},
): Promise<Manifest[]> {
  const prefix = options.prefix ?? "burst";
  const ids = Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(3, "0")}`);
  const gapMs = 1000 / (options.perSecond ?? 40);
  let nextSend = performance.now();
  const pace = async () => {
    const wait = nextSend - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextSend = Math.max(nextSend, performance.now() - 1000) + gapMs;
  };
  const done: Promise<Message>[] = [];
  for (let start = 0; start < ids.length; start += 50) {
    const batch = [];
    for (const spellId of ids.slice(start, start + 50)) {
      await pace();
      const finished = client.next("job.progress", {
        where: (m) =>
          m.stage === "done" && (m.manifest as Manifest | undefined)?.spell_id === spellId,
        timeoutMs: 60_000,
      });
      client.send({
        type: "spell.start_build",
        spell_id: spellId,
        code: paddedDemoSpell(spellId, options.bytes ?? 1000),
      });
      batch.push(finished);
    }
    await Promise.all(batch);
    done.push(...batch);
  }
  const manifests = (await Promise.all(done)).map((m) => m.manifest as Manifest);
  for (const manifest of manifests) {
    await pace();
    client.send({
      type: "spell.publish",
      spell_id: manifest.spell_id,
      revision_id: manifest.revision_id,
      channel: "beta",
    });
    await client.next("spell.revision_ready", { where: (m) => m.spell_id === manifest.spell_id });
  }
  client.queue.drain("spell.active_update");
  client.queue.drain("job.progress");
  client.queue.drain("spell.build_started");
  return manifests;
}

/** The paths a Godot client downloads for a manifest (SpellCache: every code and asset path). */
export function manifestPaths(manifest: Manifest): string[] {
  return [...manifest.code, ...manifest.assets].map((file) => file.path);
}
