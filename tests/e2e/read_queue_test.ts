import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { publishSpells } from "../helpers/spells.ts";
import { startTestServer } from "../helpers/test_server.ts";

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

// The 10 s default itself is a fake-clock unit test (src/core/pacing_test.ts, dispatcher_test.ts);
// here READER_STALL_MS is 1 s so the real sockets prove the wiring without a 10 s wait.
Deno.test("a client that asks for files and stops reading is closed after READER_STALL_MS without holding more than the high-water mark; others are served", async () => {
  const server = await startTestServer({ BUILDS_PER_CONNECTION: "10", READER_STALL_MS: "1000" });
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
