import assert from "node:assert/strict";
import { createHash } from "node:crypto";
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
