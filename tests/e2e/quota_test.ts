import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import { build, fixture, paddedSpell } from "../helpers/spells.ts";
import { startTestServer, type TestServer } from "../helpers/test_server.ts";

/** Every connection of these tests arrives through a "proxy" on loopback, from `address`. */
const PROXIED = { TRUSTED_PROXIES: "127.0.0.0/8,::1" };

function from(server: TestServer, address: string): Promise<GodotClient> {
  return GodotClient.connect(server.wsUrl, { headers: { "x-forwarded-for": address } });
}

function dbCount(server: TestServer, sql: string): number {
  const db = new DatabaseSync(join(server.dataDir, "ugc.db"), { readOnly: true });
  try {
    return Number(Object.values(db.prepare(sql).get() as Record<string, number>)[0]);
  } finally {
    db.close();
  }
}

Deno.test("world quota per address: the next world is refused naming MAX_WORLDS_PER_ADDRESS, on every connection of that address and after a restart; other addresses are not affected", async () => {
  let server = await startTestServer({ ...PROXIED, MAX_WORLDS_PER_ADDRESS: "3" });
  const clients: GodotClient[] = [];
  try {
    const a = await from(server, "203.0.113.1");
    clients.push(a);
    for (const n of [1, 2, 3]) {
      await a.request({ type: "world.create", name: `A${n}` }, "world.created");
    }
    a.send({ type: "world.create", name: "A4" });
    const refused = await a.next("error");
    assert.equal(refused.code, "quota_exceeded");
    assert.match(refused.message as string, /MAX_WORLDS_PER_ADDRESS = 3/);
    assert.match(refused.message as string, /does not reset by itself/);

    const again = await from(server, "203.0.113.1"); // a new connection is no way around it
    clients.push(again);
    again.send({ type: "world.create", name: "A5" });
    assert.equal((await again.next("error")).code, "quota_exceeded");

    const b = await from(server, "203.0.113.2");
    clients.push(b);
    await b.request({ type: "world.create", name: "B1" }, "world.created");

    for (const client of clients.splice(0)) await client.close();
    server = await server.restart();
    const afterRestart = await from(server, "203.0.113.1");
    clients.push(afterRestart);
    afterRestart.send({ type: "world.create", name: "A6" });
    assert.equal((await afterRestart.next("error")).code, "quota_exceeded");
    const worlds = await (await fetch(`${server.httpUrl}/api/worlds`)).json();
    assert.deepEqual(worlds.worlds.map((w: { name: string }) => w.name).sort(), [
      "A1",
      "A2",
      "A3",
      "B1",
    ]);
  } finally {
    for (const client of clients) await client.close();
    await server.close();
  }
});

Deno.test("spell quota per address: new spells are refused past MAX_SPELLS_PER_ADDRESS, by draft or by build; rebuilding your own spell is not", async () => {
  const server = await startTestServer({ ...PROXIED, MAX_SPELLS_PER_ADDRESS: "2" });
  const a = await from(server, "198.51.100.7");
  const b = await from(server, "198.51.100.8");
  try {
    for (const id of ["s1", "s2"]) {
      await a.request({ type: "spell.create_draft", spell_id: id }, "spell.draft_created");
    }
    a.send({ type: "spell.create_draft", spell_id: "s3" });
    const refused = await a.next("error");
    assert.equal(refused.code, "quota_exceeded");
    assert.match(refused.message as string, /MAX_SPELLS_PER_ADDRESS = 2/);
    assert.match(refused.message as string, /DRAFT_RETENTION_HOURS = 168/);
    a.send({ type: "spell.create_draft" }); // a generated id is a new spell too
    assert.equal((await a.next("error")).code, "quota_exceeded");
    a.send({ type: "spell.start_build", spell_id: "s3", code: fixture("demo_spark.gd") });
    assert.equal((await a.next("error")).code, "quota_exceeded");

    const existing = await a.request(
      { type: "spell.create_draft", spell_id: "s1" },
      "spell.draft_created",
    );
    assert.equal(existing.created, false);
    const { last } = await build(a, "s1", { code: fixture("demo_spark.gd") });
    assert.equal(last.stage, "done");

    await b.request({ type: "spell.create_draft", spell_id: "s3" }, "spell.draft_created");
    assert.equal(dbCount(server, "SELECT COUNT(*) FROM spells"), 3);
  } finally {
    await a.close();
    await b.close();
    await server.close();
  }
});

Deno.test("MAX_BUILDS_PER_HOUR: failed builds count too; the refusal says when the next build is allowed; a restart does not reset it", async () => {
  let server = await startTestServer({ ...PROXIED, MAX_BUILDS_PER_HOUR: "3" });
  let client = await from(server, "192.0.2.44");
  try {
    const firstAt = Date.now();
    assert.equal(
      (await build(client, "hourly", { code: fixture("demo_spark.gd") })).last.stage,
      "done",
    );
    assert.equal(
      (await build(client, "hourly", { code: fixture("bad/uses_os.gd") })).last.stage,
      "error",
    );
    assert.equal((await build(client, "hourly")).last.stage, "done");
    client.send({ type: "spell.start_build", spell_id: "hourly" });
    const refused = await client.next("error");
    assert.equal(refused.code, "quota_exceeded");
    assert.match(refused.message as string, /3 builds in the last hour/);
    assert.match(refused.message as string, /MAX_BUILDS_PER_HOUR = 3/);
    const resetsAt = Date.parse((refused.message as string).match(/allowed at (\S+Z)/)![1]!);
    assert.ok(
      resetsAt >= firstAt + 3_600_000 - 5_000 && resetsAt <= Date.now() + 3_600_000,
      `resets at ${new Date(resetsAt).toISOString()}`,
    );
    await client.close();
    server = await server.restart();
    client = await from(server, "192.0.2.44");
    client.send({ type: "spell.start_build", spell_id: "hourly" });
    assert.equal((await client.next("error")).code, "quota_exceeded");
    assert.equal(dbCount(server, "SELECT COUNT(*) FROM jobs"), 3, "no job row for a refusal");
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("stored bytes per address: builds and voxel ops stop at MAX_STORED_BYTES_PER_ADDRESS; clearing the world frees its ops", async () => {
  const server = await startTestServer({
    ...PROXIED,
    MAX_STORED_BYTES_PER_ADDRESS: "131072",
    RATE_LIMIT_PER_SEC: "100000",
    RATE_LIMIT_BURST: "100000",
  });
  const a = await from(server, "203.0.113.50");
  const other = await from(server, "203.0.113.51");
  try {
    for (const n of [1, 2]) {
      const { last } = await build(a, `big${n}`, { code: paddedSpell(45_000, `big${n}`) });
      assert.equal(last.stage, "done", String(last.message));
    }
    a.send({ type: "spell.start_build", spell_id: "big3", code: paddedSpell(45_000, "big3") });
    const refused = await a.next("error");
    assert.equal(refused.code, "quota_exceeded");
    assert.match(refused.message as string, /MAX_STORED_BYTES_PER_ADDRESS = 128 KiB/);

    // The rest of the quota goes to voxel ops, refused the way the Godot client shows them.
    const world = (await a.request({ type: "world.create", name: "Ops" }, "world.created"))
      .world as { world_id: string };
    await a.request({ type: "world.join", world_id: world.world_id }, "world.joined");
    let accepted = 0;
    while (true) {
      a.send({
        type: "request_spell",
        spell: { type: "dig", center: { x: accepted, y: 0, z: 0 } },
      });
      const reply = await a.next(["apply_op", "spell_rejected"]);
      if (reply.type === "spell_rejected") {
        assert.equal(reply.code, "quota_exceeded");
        break;
      }
      accepted++;
      assert.ok(accepted < 2000, "ops never stopped");
    }
    assert.ok(accepted > 50, `only ${accepted} ops fit`);

    // Another address is not affected.
    const { last } = await build(other, "theirs", { code: paddedSpell(40_000, "theirs") });
    assert.equal(last.stage, "done");

    await a.request({ type: "clear_world" }, "world_cleared");
    await eventually(async () => {
      a.send({ type: "request_spell", spell: { type: "dig" } });
      const reply = await a.next(["apply_op", "spell_rejected"]);
      return reply.type === "apply_op";
    }, { what: "ops to be accepted again after clear_world", timeoutMs: 8000 });
  } finally {
    await a.close();
    await other.close();
    await server.close();
  }
});

Deno.test("MAX_DATA_BYTES: once the server's data budget is used, every address is refused quota_exceeded naming it", async () => {
  const server = await startTestServer({
    ...PROXIED,
    MAX_DATA_BYTES: "1048576",
    WORLD_CREATES_PER_MINUTE: "1000",
  });
  const a = await from(server, "203.0.113.60");
  const b = await from(server, "203.0.113.61");
  try {
    let refusal: Record<string, unknown> | undefined;
    for (let n = 0; n < 40 && !refusal; n++) {
      a.send({
        type: "spell.start_build",
        spell_id: `fill${n}`,
        code: paddedSpell(40_000, `f${n}`),
      });
      const reply = await a.next(["spell.build_started", "error"]);
      if (reply.type === "error") refusal = reply;
      else {await a.next("job.progress", {
          where: (m) => m.stage === "done" || m.stage === "error",
        });}
    }
    assert.ok(refusal, "the budget never filled");
    assert.equal(refusal.code, "quota_exceeded");
    assert.match(refusal.message as string, /MAX_DATA_BYTES = 1 MiB/);
    assert.match(refusal.message as string, /next collection at \d{4}-/);
    // What is left of the budget is less than a build: small writes fit until it is gone.
    const description = "d".repeat(500);
    let worlds = 0;
    while (true) {
      b.send({ type: "world.create", name: `W${worlds}`, description });
      const reply = await b.next(["world.created", "error"]);
      if (reply.type === "error") {
        assert.equal(reply.code, "quota_exceeded");
        assert.match(reply.message as string, /MAX_DATA_BYTES/);
        break;
      }
      worlds++;
      assert.ok(worlds < 90, "the budget never ran out");
    }
    // Reading is never refused.
    assert.equal((await b.roundTrip()).type, "pong");
  } finally {
    await a.close();
    await b.close();
    await server.close();
  }
});

Deno.test("code with NUL or other control characters is refused before it is queued (no job row, no spell); tab, CR and LF are fine", async () => {
  const server = await startTestServer();
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const valid = fixture("demo_spark.gd");
    for (const bad of ["\u0000", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u000c"]) {
      // Padded to 47 KB, as the attack did: cheap to send, and it used to be stored as a job.
      const code = valid + "# pad\n".repeat(7800) + `# here ${bad}\n`;
      client.send({ type: "spell.start_build", spell_id: "ctl", code });
      const refused = await client.next(["error", "spell.build_started"]);
      assert.equal(refused.type, "error", JSON.stringify(bad));
      assert.equal(refused.code, "invalid_payload");
      assert.match(
        refused.message as string,
        /control characters other than tab, CR and LF \(U\+00[0-9A-F]{2} on line \d+\)/,
      );
    }
    assert.equal(dbCount(server, "SELECT COUNT(*) FROM jobs"), 0);
    assert.equal(dbCount(server, "SELECT COUNT(*) FROM spells"), 0);
    const crlfTabs = valid.replaceAll("    ", "\t").replaceAll("\n", "\r\n");
    const { last } = await build(client, "ctl", { code: crlfTabs });
    assert.equal(last.stage, "done", String(last.message));
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("job rows drop their code when the job finishes, completed or failed (queued ones keep it: crash_test.ts resumes them)", async () => {
  const server = await startTestServer({ BUILD_WORKERS: "1" });
  const client = await GodotClient.connect(server.wsUrl);
  try {
    const big = paddedSpell(40_000, "kept");
    await build(client, "ok_spell", { code: big });
    await build(client, "bad_spell", { code: fixture("bad/uses_os.gd") });
    const db = new DatabaseSync(join(server.dataDir, "ugc.db"), { readOnly: true });
    try {
      const rows = db.prepare("SELECT status, request_json FROM jobs ORDER BY created_at").all();
      assert.deepEqual(rows.map((row) => ({ ...row })), [
        { status: "completed", request_json: null },
        { status: "failed", request_json: null },
      ]);
    } finally {
      db.close();
    }
  } finally {
    await client.close();
    await server.close();
  }
});
