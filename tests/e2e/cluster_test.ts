/**
 * Cluster mode end to end (issue 17): three server processes on one real Postgres and one real
 * Redis, clients of both protocols on different nodes. One cluster serves the tests of this file,
 * in order (the last one stops it); nodes are SIGKILLed and Redis is crashed for real.
 */
import assert from "node:assert/strict";
import { eventually } from "../helpers/eventually.ts";
import { GodotClient } from "../helpers/godot_client.ts";
import type { Message } from "../helpers/message_queue.ts";
import { SioClient } from "../helpers/sio_client.ts";
import { fixture, sha256 } from "../helpers/spells.ts";
import { largeSpell } from "../helpers/large_spell.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { connectPostgres } from "../../src/storage/postgres/pg.ts";

let cluster: TestCluster;
const node = (i: number) => cluster.nodes[i - 1]!;
type Client = GodotClient | SioClient;

const op = (x: number) => ({ type: "create_land", center: { x, y: 0, z: 0 }, radius: 2 });

async function newWorld(client: GodotClient, name: string): Promise<string> {
  const created = await client.request({ type: "world.create", name }, "world.created");
  return (created.world as { world_id: string }).world_id;
}

async function join(client: Client, worldId: string): Promise<Message> {
  return client instanceof GodotClient
    ? await client.request({ type: "world.join", world_id: worldId }, "world.joined")
    : await client.request("world.join", { world_id: worldId }, "world.joined");
}

/** The seqs a client was given (sync chunks and live ops, in arrival order) until it has `upTo`. */
async function seqsUpTo(client: Client, upTo: number, timeoutMs = 20_000): Promise<number[]> {
  const seqs: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while ((seqs.at(-1) ?? 0) < upTo) {
    const message = await client.next(["sync_ops", "apply_op"], {
      timeoutMs: Math.max(1, deadline - Date.now()),
    });
    if (message.type === "sync_ops") {
      for (let seq = message.first_seq as number; seq <= (message.last_seq as number); seq++) {
        seqs.push(seq);
      }
    } else {
      seqs.push(message.seq as number);
    }
  }
  return seqs;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function playerCount(client: GodotClient, worldId: string): Promise<number> {
  const info = await client.request({ type: "world.get", world_id: worldId }, "world.info");
  return (info.world as { player_count: number }).player_count;
}

Deno.test("cluster: three nodes start on one Postgres and one Redis; /readyz says both are up", async () => {
  cluster = await startCluster(3, { JOB_LEASE_MS: "2000" });
  for (const n of cluster.nodes) {
    const response = await fetch(`${n.httpUrl}/readyz`);
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.deepEqual(body.checks, { postgres: "ok", redis: "ok", storage: "ok" });
    // The logs name the database's host, never its credentials or the full URL's secrets.
    assert.match(n.stderr(), /"database":"postgres:\/\/127\.0\.0\.1:\d+\/ugc"/);
  }
});

Deno.test("cluster: raw and Socket.IO clients on three nodes see one op order, each op once; counts are summed", async () => {
  const a = await GodotClient.connect(node(1).wsUrl);
  const b = await SioClient.connect(node(2).httpUrl);
  const c = await GodotClient.connect(node(3).wsUrl);
  try {
    const world = await newWorld(a, "Shared");
    for (const client of [a, b, c]) await join(client, world);
    // All three write at once, in bursts.
    for (let i = 0; i < 40; i++) {
      a.send({ type: "request_spell", spell: op(1000 + i) });
      b.emit("request_spell", { spell: op(2000 + i) });
      c.send({ type: "request_spell", spell: op(3000 + i) });
    }
    const views = [];
    for (const client of [a, b, c]) {
      const ops: [number, number][] = [];
      for (let i = 0; i < 120; i++) {
        const message = await client.next("apply_op", { timeoutMs: 20_000 });
        ops.push([message.seq as number, (message.op as { center: { x: number } }).center.x]);
      }
      views.push(ops);
    }
    assert.deepEqual(views[0]!.map(([seq]) => seq), range(1, 120), "in seq order, each once");
    assert.deepEqual(views[1], views[0], "the Socket.IO client on node 2 saw the same order");
    assert.deepEqual(views[2], views[0], "the raw client on node 3 saw the same order");
    assert.equal(new Set(views[0]!.map(([, x]) => x)).size, 120);
    for (const client of [a, c]) assert.equal((await client.roundTrip()).ops, 120);
    // Each node counts its own player; every node answers 3.
    await eventually(async () => await playerCount(a, world) === 3, { what: "3 players" });
    await eventually(async () => await playerCount(c, world) === 3, { what: "3 players" });
    // A world created on node 1 reaches node 3's world list.
    const fresh = await newWorld(a, "Fresh one");
    await c.next("world.list_updated", {
      where: (m) => (m.worlds as { world_id: string }[]).some((w) => w.world_id === fresh),
      timeoutMs: 5000,
    });
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});

Deno.test("cluster: a joiner on a third node gets every op exactly once while two other nodes write", async () => {
  const a = await GodotClient.connect(node(1).wsUrl);
  const b = await SioClient.connect(node(2).httpUrl);
  const joiner = await GodotClient.connect(node(3).wsUrl);
  try {
    const world = await newWorld(a, "Busy");
    await join(a, world);
    await join(b, world);
    const writes = (async () => {
      for (let i = 0; i < 30; i++) {
        for (let k = 0; k < 5; k++) {
          a.send({ type: "request_spell", spell: op(i * 10 + k) });
          b.emit("request_spell", { spell: op(-(i * 10 + k) - 1) });
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 120));
    const joined = await join(joiner, world);
    assert.ok((joined.seq as number) > 0, "joined mid-stream");
    await writes;
    const seqs = await seqsUpTo(joiner, 300);
    assert.deepEqual(seqs, range(1, 300));
    assert.equal((await joiner.roundTrip()).ops, 300);
  } finally {
    await a.close();
    await b.close();
    await joiner.close();
  }
});

Deno.test("cluster: a build requested on node 1 reports progress to its requester only; node 3 serves and casts it", async () => {
  const builder = await GodotClient.connect(node(1).wsUrl);
  const other = await SioClient.connect(node(2).httpUrl);
  const caster = await GodotClient.connect(node(3).wsUrl);
  try {
    builder.send({
      type: "spell.start_build",
      spell_id: "cluster_spark",
      code: fixture("demo_spark.gd"),
    });
    const started = await builder.next("spell.build_started");
    const done = await builder.next("job.progress", {
      where: (m) => m.job_id === started.job_id && (m.stage === "done" || m.stage === "error"),
      timeoutMs: 30_000,
    });
    assert.equal(done.stage, "done", JSON.stringify(done));
    const manifest = done.manifest as {
      revision_id: string;
      code: { path: string; hash: string }[];
    };
    builder.send({
      type: "spell.publish",
      spell_id: "cluster_spark",
      revision_id: manifest.revision_id,
      channel: "beta",
    });
    await builder.next("spell.revision_ready", { where: (m) => m.spell_id === "cluster_spark" });
    // Node 3 has never seen the blob: it reads it from Postgres (into its cache) and serves it.
    const file = manifest.code[0]!;
    caster.send({
      type: "content.get_file",
      spell_id: "cluster_spark",
      revision_id: manifest.revision_id,
      path: file.path,
    });
    const served = await caster.next("content.file", { where: (m) => m.path === file.path });
    const bytes = Uint8Array.from(atob(served.content as string), (ch) => ch.charCodeAt(0));
    assert.equal(sha256(bytes), file.hash, "node 3 served the bytes the build stored on node 1");
    const world = await newWorld(caster, "Cast here");
    await join(caster, world);
    await join(other, world);
    caster.send({
      type: "spell.cast_request",
      spell_id: "cluster_spark",
      cast_params: { target_position: { x: 0, y: 0, z: 0 } },
    });
    const cast = await caster.next("spell.cast_event", { timeoutMs: 10_000 });
    assert.equal(cast.revision_id, manifest.revision_id);
    const seen = await other.next("spell.cast_event", { timeoutMs: 10_000 });
    assert.equal(seen.seed, cast.seed, "one shared seed on both nodes");
    assert.equal(
      other.queue.all.filter((m) => m.type === "job.progress").length,
      0,
      "progress goes to the requester only",
    );
  } finally {
    await builder.close();
    await other.close();
    await caster.close();
  }
});

Deno.test("cluster: a dead node's running job and queued jobs each run once, reporting to their requester on another node", async () => {
  const requester = await GodotClient.connect(node(3).wsUrl);
  const sql = connectPostgres(cluster.pg.url, { max: 1 });
  try {
    const now = new Date().toISOString();
    const request = (id: string) =>
      JSON.stringify({
        prompt: "",
        code: fixture("demo_spark.gd"),
        metadata: {},
        parentRevisionId: "",
        id,
      });
    // What a SIGKILLed node leaves: a job it was running (its lease lapses, nobody renews it) and
    // jobs still pending. The requester is connected to node 3.
    const orphans: [string, string][] = [
      ["job_dead00000001", "running"],
      ["job_dead00000002", "pending"],
      ["job_dead00000003", "pending"],
    ];
    for (const [jobId, status] of orphans) {
      const spellId = `orphan_${jobId.slice(-1)}`;
      await sql`INSERT INTO spells (spell_id, display_name, created_at, updated_at)
        VALUES (${spellId}, ${spellId}, ${now}, ${now})`;
      await sql`INSERT INTO jobs (job_id, spell_id, status, stage, request_json, requested_by,
          created_at, updated_at, lease_holder, lease_until)
        VALUES (${jobId}, ${spellId}, ${status}, 'prepare', ${
        request(jobId)
      }, ${requester.clientId},
          ${now}, ${now}, ${status === "running" ? "dead-node" : null},
          ${status === "running" ? new Date(Date.now() - 1000).toISOString() : null})`;
    }
    const done = new Map<string, number>();
    await eventually(async () => {
      const rows = await sql<{ status: string }[]>`
        SELECT status FROM jobs WHERE job_id LIKE 'job_dead%' AND status = 'completed'`;
      return rows.length === 3;
    }, { timeoutMs: 30_000, what: "the three jobs completed" });
    const revisions = await sql<{ spell_id: string; n: string }[]>`
      SELECT spell_id, count(*) AS n FROM revisions WHERE spell_id LIKE 'orphan_%' GROUP BY spell_id`;
    assert.deepEqual(revisions.map((r) => [r.spell_id, Number(r.n)]).sort(), [
      ["orphan_1", 1],
      ["orphan_2", 1],
      ["orphan_3", 1],
    ]);
    // Their progress reached the requester on node 3, whichever node ran them, once each.
    await eventually(() => {
      for (const m of requester.queue.all) {
        if (m.type === "job.progress" && m.stage === "done") {
          done.set(m.job_id as string, (done.get(m.job_id as string) ?? 0) + 1);
        }
      }
      const full = done.size === 3;
      if (!full) done.clear();
      return full;
    }, { timeoutMs: 10_000, what: "progress at the requester" });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a second run would show by now
    const runs = requester.queue.all.filter((m) =>
      m.type === "job.progress" && m.stage === "prepare" && m.pct === 0
    );
    assert.equal(runs.length, 3, "each job started once");
  } finally {
    await sql.end();
    await requester.close();
  }
});

Deno.test("cluster: a node SIGKILLed in the middle of a build: another node runs the job once, after its lease lapses", async () => {
  const doomed = await cluster.start("node4", { JOB_LEASE_MS: "2000" });
  const sql = connectPostgres(cluster.pg.url, { max: 1 });
  const builder = await GodotClient.connect(doomed.wsUrl);
  try {
    // A 48 KB spell: its build takes long enough that the kill lands while it runs. Any node may
    // take a pending job (the others look every JOB_LEASE_MS / 2): until node 4 is the one that
    // runs it, let the build finish and ask again.
    let jobId = "";
    let spellId = "";
    for (let attempt = 0; attempt < 5 && jobId === ""; attempt++) {
      spellId = `doomed_${attempt}`;
      builder.send({ type: "spell.start_build", spell_id: spellId, code: largeSpell(48_000) });
      const started = await builder.next("spell.build_started", { timeoutMs: 10_000 });
      const holder = await eventually(async () => {
        const [row] = await sql<{ status: string; lease_holder: string | null }[]>`
          SELECT status, lease_holder FROM jobs WHERE job_id = ${started.job_id as string}`;
        return row?.status === "running" ? row.lease_holder! : "";
      }, { timeoutMs: 5000, what: "the build running" });
      if (holder === "node4") jobId = started.job_id as string;
      else {await builder.next("job.progress", {
          where: (m) => m.stage === "done",
          timeoutMs: 30_000,
        });}
    }
    assert.notEqual(jobId, "", "node 4 ran one of the builds");
    await cluster.kill(doomed);
    const [atKill] = await sql<{ status: string; lease_holder: string }[]>`
      SELECT status, lease_holder FROM jobs WHERE job_id = ${jobId}`;
    assert.deepEqual(
      [atKill!.status, atKill!.lease_holder],
      ["running", "node4"],
      "killed mid-build",
    );
    // Nobody renews node 4's lease: another node takes the job and finishes it, once.
    await eventually(async () => {
      const [row] = await sql<
        { status: string }[]
      >`SELECT status FROM jobs WHERE job_id = ${jobId}`;
      return row?.status === "completed";
    }, { timeoutMs: 20_000, what: "the job completed elsewhere" });
    const revisions = await sql<{ n: string }[]>`
      SELECT count(*) AS n FROM revisions WHERE spell_id = ${spellId}`;
    assert.equal(Number(revisions[0]!.n), 1, "one run, one revision");
  } finally {
    builder.socket.close();
    await sql.end();
  }
});

Deno.test("cluster: a Redis crash loses no acknowledged op; delivery resumes and readiness says so", async () => {
  const writer = await SioClient.connect(node(2).httpUrl);
  const watcher = await GodotClient.connect(node(1).wsUrl);
  try {
    const world = await newWorld(watcher, "Through a crash");
    await join(watcher, world);
    await join(writer, world);
    const acked: number[] = [];
    const write = async (from: number, count: number) => {
      for (let i = from; i < from + count; i += 10) {
        const acks = await Promise.allSettled(
          range(i, i + 9).map((x) => writer.emitWithAck("request_spell", { spell: op(x) })),
        );
        for (const ack of acks) if (ack.status === "fulfilled") acked.push(ack.value.seq as number);
      }
    };
    await write(0, 100);
    await cluster.redis.down();
    const unready = await fetch(`${node(1).httpUrl}/readyz`);
    assert.equal(unready.status, 503);
    assert.equal((await unready.json()).checks.redis, "down");
    await write(100, 100); // acknowledged: they are in Postgres; the bus is down
    await cluster.redis.up();
    await eventually(async () => (await fetch(`${node(1).httpUrl}/readyz`)).status === 200, {
      timeoutMs: 10_000,
      what: "ready again",
    });
    await write(200, 100);
    assert.equal(acked.length, 300);
    const seqs = await seqsUpTo(watcher, Math.max(...acked), 20_000);
    assert.deepEqual(seqs, range(1, Math.max(...acked)), "every acknowledged op, once, in order");
  } finally {
    await writer.close();
    await watcher.close();
  }
});

Deno.test("cluster: SIGKILL of a node under load loses no acknowledged op; its clients reconnect elsewhere; its players leave the counts within 10 s", async () => {
  const writer = await SioClient.connect(node(3).httpUrl);
  const bystander = await GodotClient.connect(node(3).wsUrl);
  const watcher = await GodotClient.connect(node(1).wsUrl);
  try {
    const world = await newWorld(watcher, "Crash site");
    await join(watcher, world);
    await join(writer, world);
    await join(bystander, world);
    await eventually(async () => await playerCount(watcher, world) === 3, { what: "3 players" });
    const acked: [number, number][] = [];
    let x = 0;
    const load = (async () => {
      while (true) {
        const batch = range(x, x + 19);
        x += 20;
        const acks = await Promise.allSettled(
          batch.map((v) => writer.emitWithAck("request_spell", { spell: op(v) })),
        );
        let lost = false;
        acks.forEach((ack, i) => {
          if (ack.status === "fulfilled") acked.push([ack.value.seq as number, batch[i]!]);
          else lost = true;
        });
        if (lost) return;
      }
    })();
    await eventually(() => acked.length >= 200, { timeoutMs: 20_000, what: "load" });
    const killedAt = Date.now();
    await cluster.kill(node(3));
    await load;
    // Its players leave the counts within 10 s (one remains: the watcher on node 1).
    await eventually(async () => await playerCount(watcher, world) === 1, {
      timeoutMs: 10_000,
      what: "the dead node's players gone",
    });
    const droppedAfterMs = Date.now() - killedAt;
    assert.ok(droppedAfterMs < 10_000, `${droppedAfterMs} ms`);
    // Every acknowledged op is stored: a new joiner on node 2 gets them all in its sync.
    const late = await GodotClient.connect(node(2).wsUrl);
    try {
      const joined = await join(late, world);
      const stored = new Map<number, number>();
      const last = joined.seq as number;
      let seen = 0;
      while (seen < last) {
        const chunk = await late.next("sync_ops");
        (chunk.ops as { center: { x: number } }[]).forEach((o, i) => {
          stored.set((chunk.first_seq as number) + i, o.center.x);
        });
        seen = chunk.last_seq as number;
      }
      for (const [seq, value] of acked) assert.equal(stored.get(seq), value, `acked seq ${seq}`);
      // The writer reconnects to another node and goes on.
      const again = await SioClient.connect(node(2).httpUrl);
      try {
        await join(again, world);
        const ack = await again.emitWithAck("request_spell", { spell: op(-1) });
        assert.equal(ack.seq, last + 1);
        assert.equal((await late.next("apply_op")).seq, last + 1);
      } finally {
        await again.close();
      }
    } finally {
      await late.close();
    }
  } finally {
    await writer.close().catch(() => {});
    bystander.socket.close();
    await watcher.close();
  }
});

Deno.test("cluster: stop", async () => {
  await cluster?.stop();
});
