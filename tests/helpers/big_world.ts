import { DatabaseSync } from "node:sqlite";
import { GodotClient } from "./godot_client.ts";
import { startTestServer, type TestServer } from "./test_server.ts";

/**
 * A server (default limits unless `env` says otherwise) with one world whose log holds `ops`
 * create_land ops, `center.x` = 0, 1, 2… (seq 1, 2, 3…); written straight into SQLite between two starts, since
 * through the server a 100k-op log takes seconds to build.
 */
export async function startWithBigWorld(
  ops: number,
  env: Record<string, string> = {},
): Promise<{ server: TestServer; worldId: string }> {
  const first = await startTestServer(env);
  const creator = await GodotClient.connect(first.wsUrl);
  const world = (await creator.request({ type: "world.create", name: "Big" }, "world.created"))
    .world as { world_id: string };
  await creator.close();
  await first.close({ keepData: true });
  const db = new DatabaseSync(`${first.dataDir}/ugc.db`);
  const insert = db.prepare(
    "INSERT INTO world_ops (world_id, seq, op_type, op_data, created_at) VALUES (?, ?, 'add_sphere', ?, ?)",
  );
  db.exec("BEGIN");
  for (let x = 0; x < ops; x++) {
    const data = { center: { x, y: 0.123456789, z: -1e5 }, radius: 1.5, material_id: 7 };
    insert.run(world.world_id, x + 1, JSON.stringify(data), "2026-01-01T00:00:00.000Z");
  }
  db.exec("COMMIT");
  db.close();
  return { server: await startTestServer(env, first.dataDir), worldId: world.world_id };
}

/**
 * A data dir whose database holds `count` worlds (never joined, no ops), written straight into
 * SQLite after one start of the server has created the schema. The caller removes the dir.
 */
export async function dataDirWithWorlds(count: number): Promise<string> {
  const first = await startTestServer();
  await first.close({ keepData: true });
  const db = new DatabaseSync(`${first.dataDir}/ugc.db`);
  const insert = db.prepare(
    `INSERT INTO worlds (world_id, name, description, created_by, created_at, updated_at)
     VALUES (?, ?, ?, 'c_000000000000000000000000', ?, ?)`,
  );
  db.exec("BEGIN");
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  for (let i = 0; i < count; i++) {
    const at = new Date(start + i * 1000).toISOString();
    const id = `world_${i.toString(16).padStart(8, "0")}`;
    insert.run(id, `World ${i}`, "d".repeat(100), at, at);
  }
  db.exec("COMMIT");
  db.close();
  return first.dataDir;
}
