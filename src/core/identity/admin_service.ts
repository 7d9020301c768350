import { CloseCode, codePointLength, hasControlCharacters } from "../../protocol/mod.ts";
import type { BuildService } from "../build/build_service.ts";
import { randomHex } from "../ids.ts";
import type { Outcome } from "../outcome.ts";
import type { AuditEntry } from "../ports/audit_log.ts";
import type { BlobStore } from "../ports/blob_store.ts";
import type { Bus } from "../ports/bus.ts";
import type { Clock } from "../ports/clock.ts";
import type { ConnectionControl, ConnectionSummary } from "../ports/connection_control.ts";
import type { JobStatus } from "../ports/job_store.ts";
import type { BanRecord, ReportRecord } from "../ports/moderation_store.ts";
import type { Channel } from "../ports/spell_store.ts";
import type { Stores } from "../ports/unit_of_work.ts";
import type { Rooms } from "../rooms.ts";
import { ENTRYPOINT } from "../spell/manifest.ts";
import { REVISION_ID, SPELL_ID, WORLD_ID } from "../spell/ids.ts";
import type { Actor, SpellService } from "../spell/spell_service.ts";
import type { WorldService } from "../world/world_service.ts";
import { formatRange, parseRange } from "./cidr.ts";
import type { IdentityService } from "./identity_service.ts";
import { OPERATOR } from "./principal.ts";
import { PLAYER_ID } from "./token.ts";

/** A refusal of the operator API: 400 bad input, 404 unknown id, 409 conflict. */
export class AdminError extends Error {
  readonly status: 400 | 404 | 409;

  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.name = "AdminError";
    this.status = status;
  }
}

/** A page of a listing and where the next one starts ("" when there is none). */
export interface Page<T> {
  items: T[];
  nextCursor: string;
}

export interface AdminServiceOptions {
  stores: Stores;
  blobs: BlobStore;
  /** This node's sessions (the overview counts them). */
  rooms: Rooms;
  /** Kicks, bans, revokes and world deletes reach connections through it, on every node. */
  control: ConnectionControl;
  bus: Bus;
  clock: Clock;
  spells: SpellService;
  worlds: WorldService;
  builds: BuildService;
  identity: IdentityService;
  /** Counters the overview shows (metrics). */
  counters: () => { buildsPerMinute: number; errors: number };
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const MAX_REASON_CHARS = 500;
const CHANNELS: readonly Channel[] = ["draft", "beta", "stable"];
const JOB_STATUSES: readonly JobStatus[] = ["pending", "running", "completed", "failed"];
const BAN_ID = /^ban_[0-9a-f]{16}$/;
const REPORT_ID = /^rep_[0-9a-f]{16}$/;
/** The longest ban: about 100 years (a ban without duration_s has no end). */
const MAX_BAN_SECONDS = 100 * 365 * 86_400;

/**
 * Everything the operator API does, as plain values in and out (the HTTP adapter only parses and
 * serialises): listings, kicks, bans, quarantine, approvals, world clears and deletes. Every action
 * is written to the audit log with the operator's address.
 */
export class AdminService {
  #o: AdminServiceOptions;

  constructor(options: AdminServiceOptions) {
    this.#o = options;
  }

  async overview(): Promise<Record<string, unknown>> {
    const { stores, rooms, builds, counters } = this.#o;
    const byTransport = rooms.countByTransport();
    const { buildsPerMinute, errors } = counters();
    return {
      connections: {
        websocket: byTransport.websocket,
        "socket.io": byTransport["socket.io"],
        total: rooms.size,
      },
      worlds: await stores.worlds.count(),
      players: await stores.players.count(),
      spells: (await stores.spells.list()).length,
      build_queue: builds.depth,
      builds_per_min: buildsPerMinute,
      errors,
      open_reports: await stores.moderation.countReports("open"),
    };
  }

  /** Every connection (in cluster mode every live node's, each naming its `node_id`). */
  connections(): Promise<ConnectionSummary[]> {
    return this.#o.control.list();
  }

  /** Closes a connection on whichever node holds it; 404 if no node lists it. */
  async kick(sessionId: string, body: Record<string, unknown>, address: string): Promise<void> {
    const reason = optionalReason(body);
    const session = (await this.#o.control.list()).find((entry) => entry.session_id === sessionId);
    if (!session) throw new AdminError(404, `No connection ${clipped(sessionId)}`);
    // Audited first (here and below): the record stays even if Redis refuses the order.
    await this.#audit(address, "connection.kick", `connection:${sessionId}`, {
      reason,
      principal: session.principal.id,
      address: session.address,
    });
    await this.#o.control.close(
      { session: sessionId },
      CloseCode.POLICY_VIOLATION,
      closeReason("Kicked by an operator", reason),
    );
  }

  async players(limitParam: string | null, cursorParam: string | null) {
    const limit = parseLimit(limitParam);
    const after = cursorParam ? decodeCursor(cursorParam) : undefined;
    const records = await this.#o.stores.players.page(
      limit + 1,
      after ? { createdAt: after[0], playerId: after[1] } : undefined,
    );
    const bans = await this.#o.stores.moderation.activeBans(this.#now());
    const items = records.slice(0, limit).map((player) => ({
      player_id: player.player_id,
      display_name: player.display_name,
      created_at: player.created_at,
      banned_until: bannedUntil(bans.filter((ban) => ban.player_id === player.player_id)),
    }));
    const last = records.length > limit ? records[limit - 1]! : undefined;
    return {
      items,
      nextCursor: last ? encodeCursor([last.created_at, last.player_id]) : "",
    };
  }

  async revokePlayer(playerId: string, address: string): Promise<void> {
    if (!PLAYER_ID.test(playerId) || !await this.#o.identity.revoke(playerId)) {
      throw new AdminError(404, `No player ${clipped(playerId)}`);
    }
    await this.#audit(address, "player.revoke", `player:${playerId}`, {});
    await this.disconnectPlayer(playerId, "Token revoked by an operator");
  }

  /** Closes every connection of the player, on every node (its token was revoked). */
  disconnectPlayer(playerId: string, reason: string): Promise<void> {
    return this.#o.control.close({ principal: playerId }, CloseCode.POLICY_VIOLATION, reason);
  }

  async worlds(limitParam: string | null, cursorParam: string | null) {
    const limit = parseLimit(limitParam);
    const after = cursorParam ? decodeCursor(cursorParam) : undefined;
    const { stores, worlds } = this.#o;
    const records = await stores.worlds.page(
      limit + 1,
      after ? { createdAt: after[0], worldId: after[1] } : undefined,
    );
    const items = [];
    for (const record of records.slice(0, limit)) {
      items.push({
        world_id: record.world_id,
        name: record.name,
        owner_id: record.owner_id,
        player_count: worlds.lists.view(record).player_count,
        op_count: await stores.worlds.opCount(record.world_id),
        created_at: record.created_at,
        last_active_at: record.last_active_at === "" ? null : record.last_active_at,
      });
    }
    const last = records.length > limit ? records[limit - 1]! : undefined;
    return { items, nextCursor: last ? encodeCursor([last.created_at, last.world_id]) : "" };
  }

  async clearWorld(worldId: string, address: string): Promise<Record<string, unknown>> {
    await this.#requireWorld(worldId);
    const cleared = await this.#o.worlds.clear(worldId);
    this.#o.bus.publish({ world: worldId }, cleared);
    await this.#audit(address, "world.clear", `world:${worldId}`, {});
    return cleared.payload;
  }

  async deleteWorld(worldId: string, address: string): Promise<void> {
    const world = await this.#requireWorld(worldId);
    await this.#o.worlds.delete(worldId);
    // Its members, on every node, are in no world any more: they hear so as a leave.
    await this.#audit(address, "world.delete", `world:${worldId}`, { name: world.name });
    await this.#o.control.leaveWorld(worldId);
  }

  async spells(limitParam: string | null, cursorParam: string | null) {
    const limit = parseLimit(limitParam);
    const offset = cursorParam ? Number(decodeCursor(cursorParam)[0]) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new AdminError(400, "Invalid cursor");
    const { stores } = this.#o;
    const all = await stores.spells.list();
    const items = [];
    for (const spell of all.slice(offset, offset + limit)) {
      const standings = await stores.spells.standings(spell.spell_id);
      items.push({
        spell_id: spell.spell_id,
        owner_id: await stores.spells.ownerOf(spell.spell_id) ?? "",
        channels: {
          draft: spell.active_draft_rev || null,
          beta: spell.active_beta_rev || null,
          stable: spell.active_stable_rev || null,
        },
        pending_stable: (await stores.moderation.stableRequest(spell.spell_id))?.revision_id ??
          null,
        quarantined_count: [...standings.values()].filter((s) => s.quarantined).length,
      });
    }
    const next = offset + limit < all.length ? encodeCursor([String(offset + limit), ""]) : "";
    return { items, nextCursor: next };
  }

  async spell(spellId: string): Promise<Record<string, unknown>> {
    const { stores } = this.#o;
    const spell = SPELL_ID.test(spellId) ? await stores.spells.get(spellId) : undefined;
    if (!spell) throw new AdminError(404, `No spell ${clipped(spellId)}`);
    const standings = await stores.spells.standings(spellId);
    const revisions = (await stores.spells.listRevisions(spellId)).map((revision) => ({
      revision_id: revision.revision_id,
      version: revision.version,
      created_at: revision.created_at,
      channels: CHANNELS.filter((channel) =>
        spell[`active_${channel}_rev`] === revision.revision_id
      ),
      published: standings.get(revision.revision_id)?.published ?? false,
      quarantined: standings.get(revision.revision_id)?.quarantined ?? false,
      capabilities: revision.manifest.capabilities,
      manifest: revision.manifest,
    }));
    return {
      spell: {
        ...spell,
        owner_id: await stores.spells.ownerOf(spellId) ?? "",
        pending_stable: (await stores.moderation.stableRequest(spellId))?.revision_id ?? null,
      },
      revisions,
    };
  }

  async code(spellId: string, revisionId: string): Promise<{ path: string; code: string }> {
    await this.#requireRevision(spellId, revisionId);
    const file = await this.#o.stores.spells.fileOf(spellId, revisionId, ENTRYPOINT);
    const bytes = file ? await this.#o.blobs.get(file.hash) : undefined;
    if (!bytes) throw new AdminError(404, `Revision ${revisionId} has no ${ENTRYPOINT}`);
    return { path: ENTRYPOINT, code: new TextDecoder().decode(bytes) };
  }

  /** Approves stable, or rolls a channel back (or forward) to any good revision. */
  async publish(
    spellId: string,
    body: Record<string, unknown>,
    address: string,
  ): Promise<Record<string, unknown>> {
    const revisionId = body.revision_id;
    if (typeof revisionId !== "string") throw new AdminError(400, "revision_id must be a string");
    const channel = body.channel ?? "stable";
    if (typeof channel !== "string" || !(CHANNELS as readonly string[]).includes(channel)) {
      throw new AdminError(400, "channel must be draft, beta or stable");
    }
    const revision = await this.#requireRevision(spellId, revisionId);
    if ((await this.#o.stores.spells.standing(spellId, revisionId))?.quarantined) {
      throw new AdminError(409, "This revision is quarantined and cannot be published");
    }
    const outcome = await this.#o.spells.applyPublish(
      this.#actor(address),
      revision,
      channel as Channel,
    );
    this.#publish(outcome);
    return { spell_id: spellId, revision_id: revisionId, channel };
  }

  async quarantine(
    spellId: string,
    revisionId: string,
    body: Record<string, unknown>,
    address: string,
  ): Promise<Record<string, unknown>> {
    const reason = requiredReason(body);
    const revision = await this.#requireRevision(spellId, revisionId);
    const outcome = await this.#o.spells.quarantine(this.#actor(address), revision, reason);
    this.#publish(outcome);
    const spell = (await this.#o.stores.spells.get(spellId))!;
    return {
      spell_id: spellId,
      revision_id: revisionId,
      quarantined: true,
      channels: {
        draft: spell.active_draft_rev || null,
        beta: spell.active_beta_rev || null,
        stable: spell.active_stable_rev || null,
      },
    };
  }

  reports(statusParam: string | null, limitParam: string | null): Promise<ReportRecord[]> {
    if (statusParam !== null && statusParam !== "open" && statusParam !== "resolved") {
      throw new AdminError(400, "status must be open or resolved");
    }
    return this.#o.stores.moderation.listReports(statusParam ?? undefined, parseLimit(limitParam));
  }

  async resolveReport(
    reportId: string,
    body: Record<string, unknown>,
    address: string,
  ): Promise<ReportRecord> {
    const note = body.note ?? "";
    if (typeof note !== "string" || codePointLength(note) > MAX_REASON_CHARS) {
      throw new AdminError(400, `note must be a string of at most ${MAX_REASON_CHARS} characters`);
    }
    const { moderation } = this.#o.stores;
    if (!REPORT_ID.test(reportId) || !await moderation.resolveReport(reportId, note)) {
      throw new AdminError(404, `No report ${clipped(reportId)}`);
    }
    await this.#audit(address, "report.resolve", `report:${reportId}`, { note });
    return (await moderation.getReport(reportId))!;
  }

  bans(): Promise<BanRecord[]> {
    return this.#o.stores.moderation.activeBans(this.#now());
  }

  /** Bans a player or an address/range; its connections are closed now. */
  async ban(body: Record<string, unknown>, address: string): Promise<BanRecord> {
    const reason = requiredReason(body);
    const { player_id: playerId, address: target, duration_s: duration } = body;
    if ((playerId === undefined) === (target === undefined)) {
      throw new AdminError(400, "Give exactly one of player_id or address");
    }
    if (
      duration !== undefined &&
      (typeof duration !== "number" || !Number.isSafeInteger(duration) || duration < 1 ||
        duration > MAX_BAN_SECONDS)
    ) {
      throw new AdminError(
        400,
        `duration_s must be a whole number of seconds, 1 to ${MAX_BAN_SECONDS}`,
      );
    }
    const now = this.#o.clock.now();
    const ban: BanRecord = {
      ban_id: `ban_${randomHex(8)}`,
      reason,
      expires_at: duration === undefined ? "" : new Date(now + duration * 1000).toISOString(),
      created_at: new Date(now).toISOString(),
    };
    if (playerId !== undefined) {
      if (typeof playerId !== "string" || !PLAYER_ID.test(playerId)) {
        throw new AdminError(400, "player_id must be a player id (p_ and 16 hex)");
      }
      if (!await this.#o.stores.players.get(playerId)) {
        throw new AdminError(404, `No player ${playerId}`);
      }
      ban.player_id = playerId;
    } else {
      const range = typeof target === "string" ? parseRange(target) : undefined;
      if (!range) throw new AdminError(400, "address must be an IP address or CIDR range");
      ban.address = formatRange(range);
    }
    await this.#o.stores.moderation.addBan(ban);
    await this.#audit(address, "ban.create", banTarget(ban), {
      reason,
      expires_at: ban.expires_at,
      ban_id: ban.ban_id,
    });
    // Every node's next check reads the bans again (before the close below reaches it).
    await this.#o.control.bansChanged();
    // "Disconnect now": every node closes the banned player's or range's connections.
    await this.#o.control.close(
      ban.player_id !== undefined ? { principal: ban.player_id } : { address: ban.address! },
      CloseCode.POLICY_VIOLATION,
      closeReason("Banned", reason),
    );
    return ban;
  }

  async unban(banId: string, address: string): Promise<void> {
    if (!BAN_ID.test(banId) || !await this.#o.stores.moderation.removeBan(banId)) {
      throw new AdminError(404, `No ban ${clipped(banId)}`);
    }
    await this.#audit(address, "ban.delete", `ban:${banId}`, {});
    await this.#o.control.bansChanged();
  }

  async jobs(statusParam: string | null, limitParam: string | null) {
    if (statusParam !== null && !(JOB_STATUSES as readonly string[]).includes(statusParam)) {
      throw new AdminError(400, `status must be one of ${JOB_STATUSES.join(", ")}`);
    }
    const jobs = await this.#o.stores.jobs.list(
      (statusParam ?? undefined) as JobStatus | undefined,
      parseLimit(limitParam),
    );
    const out = [];
    for (const job of jobs) {
      const live = job.status === "running" ? await this.#o.builds.view(job.job_id) : undefined;
      out.push({
        job_id: job.job_id,
        spell_id: job.spell_id,
        status: live?.status ?? job.status,
        stage: live?.stage ?? job.stage,
        progress_pct: live?.progress_pct ?? job.progress_pct,
        error_message: job.error_message,
        requested_by: job.requested_by,
        created_at: job.created_at,
      });
    }
    return out;
  }

  async audit(params: {
    actor: string | null;
    action: string | null;
    since: string | null;
    cursor: string | null;
    limit: string | null;
  }): Promise<Page<AuditEntry>> {
    const limit = parseLimit(params.limit);
    const query: Parameters<Stores["audit"]["list"]>[0] = { limit };
    if (params.actor !== null) query.actor = params.actor;
    if (params.action !== null) query.action = params.action;
    if (params.since !== null) {
      const since = Date.parse(params.since);
      if (Number.isNaN(since)) throw new AdminError(400, "since must be an ISO 8601 time");
      query.since = new Date(since).toISOString();
    }
    if (params.cursor !== null && params.cursor !== "") {
      if (!/^\d{1,15}$/.test(params.cursor)) throw new AdminError(400, "Invalid cursor");
      query.beforeId = Number(params.cursor);
    }
    const items = await this.#o.stores.audit.list(query);
    const last = items.length === limit ? items.at(-1) : undefined;
    return { items, nextCursor: last ? String(last.id) : "" };
  }

  #actor(address: string): Actor {
    return { principal: OPERATOR, address };
  }

  #publish(outcome: Outcome): void {
    for (const { to, message } of outcome.events ?? []) this.#o.bus.publish(to, message);
  }

  async #requireWorld(worldId: string) {
    const world = WORLD_ID.test(worldId) ? await this.#o.worlds.world(worldId) : undefined;
    if (!world) throw new AdminError(404, `No world ${clipped(worldId)}`);
    return world;
  }

  async #requireRevision(spellId: string, revisionId: string) {
    const revision = SPELL_ID.test(spellId) && REVISION_ID.test(revisionId)
      ? await this.#o.stores.spells.getRevision(spellId, revisionId)
      : undefined;
    if (!revision) {
      throw new AdminError(404, `No revision ${clipped(revisionId)} of spell ${clipped(spellId)}`);
    }
    return revision;
  }

  async #audit(
    address: string,
    action: string,
    target: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.#o.stores.audit.append({
      at: this.#now(),
      actor: OPERATOR.id,
      address,
      action,
      target,
      detail,
    });
  }

  #now(): string {
    return new Date(this.#o.clock.now()).toISOString();
  }
}

function bannedUntil(bans: BanRecord[]): string | null {
  if (bans.length === 0) return null;
  if (bans.some((ban) => ban.expires_at === "")) return "never";
  return bans.map((ban) => ban.expires_at).sort().at(-1)!;
}

function banTarget(ban: BanRecord): string {
  return ban.player_id !== undefined ? `player:${ban.player_id}` : `address:${ban.address}`;
}

function parseLimit(param: string | null): number {
  if (param === null || param === "") return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(param) || Number(param) < 1 || Number(param) > MAX_LIMIT) {
    throw new AdminError(400, `limit must be 1 to ${MAX_LIMIT}`);
  }
  return Number(param);
}

function requiredReason(body: Record<string, unknown>): string {
  const reason = body.reason;
  if (typeof reason !== "string" || reason.trim() === "") {
    throw new AdminError(400, "reason must be a non-empty string");
  }
  return checkedReason(reason);
}

function optionalReason(body: Record<string, unknown>): string {
  const reason = body.reason ?? "";
  if (typeof reason !== "string") throw new AdminError(400, "reason must be a string");
  return checkedReason(reason);
}

function checkedReason(reason: string): string {
  const trimmed = reason.trim();
  if (codePointLength(trimmed) > MAX_REASON_CHARS || hasControlCharacters(trimmed)) {
    throw new AdminError(
      400,
      `reason must be at most ${MAX_REASON_CHARS} characters, without control characters`,
    );
  }
  return trimmed;
}

/** A WebSocket close reason must fit 123 bytes. */
function closeReason(what: string, reason: string): string {
  const text = reason === "" ? what : `${what}: ${reason}`;
  let out = "";
  for (const char of text) {
    if (new TextEncoder().encode(out + char).length > 120) break;
    out += char;
  }
  return out;
}

function clipped(text: string): string {
  return text.length > 64 ? text.slice(0, 64) + "…" : text;
}

function encodeCursor(parts: [string, string]): string {
  return btoa(JSON.stringify(parts)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    if (cursor.length > 400) throw new Error("too long");
    const parts = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (
      Array.isArray(parts) && parts.length === 2 && typeof parts[0] === "string" &&
      typeof parts[1] === "string"
    ) {
      return [parts[0], parts[1]];
    }
  } catch {
    // fall through
  }
  throw new AdminError(400, "Invalid cursor");
}
