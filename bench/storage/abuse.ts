// deno-lint-ignore-file no-console -- a measurement script reports to its terminal
/**
 * What one anonymous connection can make the server store, at the default quotas: it creates
 * worlds, 48 KB builds and spell drafts until each is refused, then appends voxel ops to its
 * worlds until they are refused too. Message rate limits are raised (they bound speed, not bytes;
 * at the default 200 msgs/s the ops alone take ~45 minutes), every storage limit is the default.
 * Prints what was accepted, the bytes the quota ledger charged, and how much the data directory
 * actually grew (database pages in use + blob bytes). `deno run -A bench/storage/abuse.ts`
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { measureDataBytes } from "../../src/storage/sqlite/data_usage.ts";
import { paddedSpell } from "../../tests/helpers/spells.ts";
import { spawnServer } from "../../tests/helpers/subprocess_server.ts";

type Message = Record<string, unknown> & { type: string };

const dataDir = await Deno.makeTempDir({ prefix: "ugc-abuse-" });
const env = { RATE_LIMIT_PER_SEC: "1000000", RATE_LIMIT_BURST: "1000000" };
const server = await spawnServer(dataDir, env);
const socket = new WebSocket(server.wsUrl);
const inbox: Message[] = [];
let wake: (() => void) | undefined;
socket.onmessage = (event) => {
  inbox.push(JSON.parse(event.data));
  wake?.();
};
await new Promise((resolve) => socket.onopen = resolve);

async function next(types: string[]): Promise<Message> {
  while (true) {
    const at = inbox.findIndex((m) => types.includes(m.type));
    if (at >= 0) return inbox.splice(at, 1)[0]!;
    await new Promise<void>((resolve) => wake = resolve);
  }
}
const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));

function measure(): number {
  const db = new DatabaseSync(join(dataDir, "ugc.db"), { readOnly: true });
  try {
    return measureDataBytes(db);
  } finally {
    db.close();
  }
}

const started = performance.now();
const before = measure();
const accepted = { worlds: 0, drafts: 0, builds: 0, ops: 0 };
const refusals: Record<string, string> = {};
const worldIds: string[] = [];

while (true) {
  send({ type: "world.create", name: `w${accepted.worlds}`, description: "d".repeat(500) });
  const reply = await next(["world.created", "error"]);
  if (reply.type === "error") {
    refusals.worlds = String(reply.message);
    break;
  }
  worldIds.push((reply.world as { world_id: string }).world_id);
  accepted.worlds++;
}
while (true) {
  send({
    type: "spell.start_build",
    spell_id: "build_0",
    code: paddedSpell(48_000, `b${accepted.builds}`),
  });
  const reply = await next(["spell.build_started", "error"]);
  if (reply.type === "error") {
    refusals.builds = String(reply.message);
    break;
  }
  for (let m = await next(["job.progress"]); m.stage !== "done" && m.stage !== "error";) {
    m = await next(["job.progress"]);
  }
  accepted.builds++;
}
while (true) {
  send({ type: "spell.create_draft" });
  const reply = await next(["spell.draft_created", "error"]);
  if (reply.type === "error") {
    refusals.drafts = String(reply.message);
    break;
  }
  accepted.drafts++;
}
// Ops: 1,000 at a time into one world after another, until one is refused.
let refused = false;
for (let w = 0; !refused; w = (w + 1) % worldIds.length) {
  send({ type: "world.join", world_id: worldIds[w] });
  await next(["world.joined"]);
  for (let round = 0; round < 100 && !refused; round++) {
    for (let i = 0; i < 1000; i++) {
      send({
        type: "request_spell",
        spell: { type: "create_land", center: { x: i, y: round, z: w } },
      });
    }
    for (let i = 0; i < 1000; i++) {
      const reply = await next(["apply_op", "spell_rejected", "error"]);
      if (reply.type === "apply_op") accepted.ops++;
      else if (!refused) {
        refused = true;
        refusals.ops = String(reply.error ?? reply.message);
      }
    }
  }
}
await new Promise((resolve) => setTimeout(resolve, 1500)); // the last second of op charges
const seconds = (performance.now() - started) / 1000;
const ledger = new DatabaseSync(join(dataDir, "ugc.db"), { readOnly: true });
const charged = Number(
  (ledger.prepare("SELECT COALESCE(SUM(bytes), 0) AS b FROM quota_ledger").get() as { b: number })
    .b,
);
ledger.close();
const grew = measure() - before;
console.log(JSON.stringify(
  {
    seconds: Math.round(seconds),
    accepted,
    refusals,
    charged_mib: +(charged / 1048576).toFixed(1),
    data_dir_grew_mib: +(grew / 1048576).toFixed(1),
    note: "rate limits raised to go fast; every storage limit at its default",
  },
  null,
  2,
));
socket.close();
server.child.kill("SIGTERM");
await server.exited();
await Deno.remove(dataDir, { recursive: true });
