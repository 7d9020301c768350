import type { Limits } from "../limits.ts";
import {
  codePointLength,
  ErrorCode,
  hasControlCharacters,
  isStorableText,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
} from "../../protocol/mod.ts";
import { clip, randomHex } from "../ids.ts";
import { deliveryOf, mayPublish, type StablePublish } from "../identity/policy.ts";
import { LEGACY_OWNER, mayManage, type Principal } from "../identity/principal.ts";
import type { AuditLog } from "../ports/audit_log.ts";
import type { ModerationStore } from "../ports/moderation_store.ts";
import { RateLimiter } from "../rate_limiter.ts";
import { type Call, type Event, message, type Outcome, reply } from "../outcome.ts";
import type { Clock } from "../ports/clock.ts";
import type { Channel, SpellStore } from "../ports/spell_store.ts";
import type { Stores, UnitOfWork } from "../ports/unit_of_work.ts";
import { spellCharge } from "../quota/charges.ts";
import { type StorageGate, ungated } from "../quota/storage_gate.ts";
import type { OutboundMessage } from "../session.ts";
import { fitPrefix } from "../world/fit.ts";
import { Announcements } from "./announcements.ts";
import { castParamsProblem } from "./cast_params.ts";
import { REVISION_ID, SPELL_ID } from "./ids.ts";
import { type RevisionView, type SpellView, titleCase } from "./manifest.ts";

const CHANNELS: readonly Channel[] = ["draft", "beta", "stable"];

export interface SpellServiceOptions {
  stores: Stores;
  clock: Clock;
  limits: Pick<
    Limits,
    | "maxCastParamsBytes"
    | "maxCastParamsDepth"
    | "maxTargetEntityIdChars"
    | "maxOutboundBytes"
    | "joinAnnounceSpells"
    | "reportsPerHour"
  >;
  /** Per-owner quotas and the data budget (issue 13). */
  quota?: StorageGate;
  /** Who may publish to stable (STABLE_PUBLISH); an operator only by default. */
  stablePublish?: StablePublish;
  /** What must commit together (a quarantine and its channel moves); none: one store call each. */
  unitOfWork?: UnitOfWork;
}

/** Who did something, for the audit log. */
export interface Actor {
  principal: Principal;
  address: string;
  /** The connection to tell about a draft publish; none for the operator API. */
  sessionId?: string;
}

const MAX_REPORT_REASON_CHARS = 500;

/** Reads and checks `spell_id` (contract §4.5); `missing` is the original's wording. */
export function requireSpellId(payload: Payload, missing = "spell_id is required"): string {
  const spellId = requiredString(payload, "spell_id", missing);
  if (!SPELL_ID.test(spellId)) {
    throw new ProtocolError(
      ErrorCode.INVALID_PAYLOAD,
      "spell_id must be 1-64 characters of a-z, 0-9 and _",
    );
  }
  return spellId;
}

/** Checks a revision id's form; a malformed one is reported as not found, never looked up. */
export function checkRevisionId(revisionId: string): string {
  if (!REVISION_ID.test(revisionId)) {
    throw new ProtocolError(ErrorCode.REVISION_NOT_FOUND, `Revision ${clip(revisionId)} not found`);
  }
  return revisionId;
}

/** Spells, publishing and casting (original-system §3.3, §3.6). */
export class SpellService {
  #spells: SpellStore;
  #clock: Clock;
  #limits: SpellServiceOptions["limits"];
  #quota: StorageGate;
  #announcements: Announcements;
  #moderation: ModerationStore;
  #audit: AuditLog;
  #stablePublish: StablePublish;
  #reports: RateLimiter;
  #stores: Stores;
  #unitOfWork: UnitOfWork | undefined;

  constructor(options: SpellServiceOptions) {
    this.#stores = options.stores;
    this.#unitOfWork = options.unitOfWork;
    this.#spells = options.stores.spells;
    this.#moderation = options.stores.moderation;
    this.#audit = options.stores.audit;
    this.#stablePublish = options.stablePublish ?? "operator";
    const perHour = options.limits.reportsPerHour;
    this.#reports = new RateLimiter({
      perSecond: perHour / 3600,
      burst: perHour,
      clock: options.clock,
    });
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#quota = options.quota ?? ungated(options.stores);
    this.#announcements = new Announcements({
      spells: options.stores.spells,
      limit: options.limits.joinAnnounceSpells,
    });
  }

  /** Every spell, newest first (the HTTP listing). */
  listSpells(): Promise<SpellView[]> {
    return this.#spells.list();
  }

  /** A spell's revisions, newest first; undefined if there is no such spell. */
  async revisionsOf(spellId: string): Promise<RevisionView[] | undefined> {
    return await this.#spells.get(spellId) ? await this.#spells.listRevisions(spellId) : undefined;
  }

  revision(spellId: string, revisionId: string): Promise<RevisionView | undefined> {
    return this.#spells.getRevision(spellId, revisionId);
  }

  async createDraft(call: Call, payload: Payload): Promise<Outcome> {
    const given = optionalString(payload, "spell_id");
    const spellId = given === undefined ? `spell_${randomHex(4)}` : requireSpellId(payload);
    // INSERT OR IGNORE: two first drafts of one id cannot race into a constraint error.
    const created = await this.#quota.admit(
      call,
      [spellCharge(spellId)],
      (stores) => stores.spells.ensure(spellId, titleCase(spellId), this.#now(), call.principal.id),
    );
    return reply(ServerEvent.SPELL_DRAFT_CREATED, {
      spell_id: spellId,
      created,
      spell: (await this.#spells.get(spellId))!,
    });
  }

  async list(): Promise<Outcome> {
    return reply(ServerEvent.SPELL_LIST_RESULT, {
      spells: fitPrefix(await this.#spells.list(), this.#limits.maxOutboundBytes),
    });
  }

  async getRevisions(call: Call, payload: Payload): Promise<Outcome> {
    const spellId = requireSpellId(payload);
    return reply(ServerEvent.SPELL_REVISIONS_RESULT, {
      spell_id: spellId,
      revisions: fitPrefix(
        await this.visibleRevisions(call.principal, spellId),
        this.#limits.maxOutboundBytes,
      ),
    });
  }

  /**
   * The spell's revisions `principal` may see, newest first: its owner and operators see all;
   * anyone else only those published and not quarantined.
   */
  async visibleRevisions(principal: Principal, spellId: string): Promise<RevisionView[]> {
    const revisions = await this.#spells.listRevisions(spellId);
    if (revisions.length === 0) return revisions;
    if (mayManage(principal, await this.#spells.ownerOf(spellId))) return revisions;
    const standings = await this.#spells.standings(spellId);
    return revisions.filter((revision) => {
      const standing = standings.get(revision.revision_id);
      return standing !== undefined && standing.published && !standing.quarantined;
    });
  }

  /**
   * Whether `principal` may have a revision delivered (downloads, HTTP and socket): refused with
   * a reason if it is quarantined, or never published and not theirs.
   */
  async deliverable(
    principal: Principal,
    spellId: string,
    revisionId: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const standing = await this.#spells.standing(spellId, revisionId);
    if (!standing) return { ok: true }; // not found: the caller says so in its own words
    const owner = await this.#spells.ownerOf(spellId) ?? LEGACY_OWNER;
    const delivery = deliveryOf(principal, owner, standing);
    return delivery.to === "nobody" ? { ok: false, reason: delivery.reason } : { ok: true };
  }

  /**
   * Points a channel at a revision and tells everyone (`spell.active_update`, then
   * `spell.revision_ready`). Only the spell's owner (or an operator) may; `stable` needs an
   * operator unless STABLE_PUBLISH=owner, and an owner's request for it waits for approval.
   */
  async publish(call: Call, payload: Payload): Promise<Outcome> {
    const missing = "spell_id and revision_id are required";
    const spellId = requireSpellId(payload, missing);
    const revisionId = checkRevisionId(requiredString(payload, "revision_id", missing));
    const channel = (optionalString(payload, "channel") ?? "beta") as Channel;
    if (!CHANNELS.includes(channel)) {
      throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "channel must be draft, beta, or stable");
    }
    // The revision must be a finished build of this very spell: no orphan, no other spell's.
    const revision = await this.#spells.getRevision(spellId, revisionId);
    if (!revision) {
      throw new ProtocolError(ErrorCode.REVISION_NOT_FOUND, `Revision ${revisionId} not found`);
    }
    const owner = await this.#spells.ownerOf(spellId) ?? LEGACY_OWNER;
    const decision = mayPublish(call.principal, spellId, owner, channel, this.#stablePublish);
    if (decision.ok === false) throw new ProtocolError(ErrorCode.FORBIDDEN, decision.reason);
    const actor = { principal: call.principal, address: call.address, sessionId: call.sessionId };
    if (decision.ok === "pending") {
      if ((await this.#spells.standing(spellId, revisionId))?.quarantined) {
        throw new ProtocolError(
          ErrorCode.FORBIDDEN,
          "This revision was quarantined by an operator",
        );
      }
      const now = this.#now();
      await this.#moderation.requestStable({
        spell_id: spellId,
        revision_id: revisionId,
        requested_by: call.principal.id,
        requested_at: now,
      });
      await this.#record(actor, "publish.requested", spellId, revisionId, { channel });
      return reply(ServerEvent.SPELL_PUBLISH_PENDING, {
        spell_id: spellId,
        revision_id: revisionId,
        channel,
        message: "Publishing to stable needs an operator's approval; your request is waiting",
      });
    }
    return await this.applyPublish(actor, revision, channel);
  }

  /**
   * Publishes a revision the caller was allowed to (an owner, or an operator: approving stable,
   * rolling back). A draft reaches only the publishing connection; beta and stable reach everyone.
   */
  async applyPublish(actor: Actor, revision: RevisionView, channel: Channel): Promise<Outcome> {
    const { spell_id: spellId, revision_id: revisionId, manifest } = revision;
    if ((await this.#spells.standing(spellId, revisionId))?.quarantined) {
      throw new ProtocolError(ErrorCode.FORBIDDEN, "This revision was quarantined by an operator");
    }
    await this.#spells.setActive(spellId, channel, revisionId, this.#now());
    if (channel === "stable") await this.#moderation.clearStableRequest(spellId);
    await this.#record(actor, "publish", spellId, revisionId, { channel });
    const active = message(ServerEvent.SPELL_ACTIVE_UPDATE, {
      spell_id: spellId,
      revision_id: revisionId,
      channel,
      manifest,
    });
    const ready = message(ServerEvent.SPELL_REVISION_READY, {
      spell_id: spellId,
      revision_id: revisionId,
      manifest,
    });
    // A draft is its owner's: another player never hears of an unpublished revision.
    if (channel === "draft") {
      const to = actor.sessionId === undefined ? [] : [{ session: actor.sessionId }];
      return {
        events: to.flatMap((target) => [
          { to: target, message: active },
          { to: target, message: ready },
        ]),
        ack: active.payload,
      };
    }
    this.#announcements.published(
      { spellId, revisionId, channel },
      await this.#castableOf(spellId),
    );
    return {
      events: [{ to: { all: true }, message: active }, { to: { all: true }, message: ready }],
      ack: active.payload,
    };
  }

  /**
   * Quarantines a revision: never delivered again, and off every channel. Each channel it was on
   * goes back to the spell's newest earlier revision that was published and is not quarantined
   * (everyone gets `spell.active_update` for it), or to nothing (everyone gets `spell.revoked`).
   */
  async quarantine(actor: Actor, revision: RevisionView, reason: string): Promise<Outcome> {
    const { spell_id: spellId, revision_id: revisionId } = revision;
    const now = this.#now();
    // The mark and the channel moves commit together: no cast or download slips in between.
    const { published, moves } = await this.#inUnit(async (tx) => {
      const standing = await tx.spells.standing(spellId, revisionId);
      await tx.spells.quarantine(spellId, revisionId, now);
      const spell = (await tx.spells.get(spellId))!;
      const standings = await tx.spells.standings(spellId);
      const previous = (await tx.spells.listRevisions(spellId)).find((candidate) => {
        const s = standings.get(candidate.revision_id);
        return candidate.version < revision.version && s?.published && !s.quarantined;
      });
      const moves: { channel: Channel; to?: RevisionView }[] = [];
      for (const channel of CHANNELS) {
        if (spell[`active_${channel}_rev`] !== revisionId) continue;
        if (previous) await tx.spells.setActive(spellId, channel, previous.revision_id, now);
        else await tx.spells.clearActive(spellId, channel, now);
        moves.push(previous ? { channel, to: previous } : { channel });
      }
      return { published: standing?.published ?? false, moves };
    });
    const events: Event[] = [];
    const all = { all: true } as const;
    let announced = false;
    for (const { channel, to } of moves) {
      if (channel === "draft") continue; // only its owner ever had it as a draft
      announced = true;
      events.push({
        to: all,
        message: to
          ? message(ServerEvent.SPELL_ACTIVE_UPDATE, {
            spell_id: spellId,
            revision_id: to.revision_id,
            channel,
            manifest: to.manifest,
          })
          : message(ServerEvent.SPELL_REVOKED, { spell_id: spellId, revision_id: revisionId }),
      });
    }
    // Published once but on no channel now: clients may still hold it, so they hear it is gone.
    if (!announced && published) {
      events.push({
        to: all,
        message: message(ServerEvent.SPELL_REVOKED, { spell_id: spellId, revision_id: revisionId }),
      });
    }
    this.#announcements.forget(spellId);
    const castable = await this.#castableOf(spellId);
    if (castable) {
      this.#announcements.published({ spellId, ...castable }, castable);
    }
    await this.#record(actor, "quarantine", spellId, revisionId, { reason });
    return { events };
  }

  /** Runs `body` in a unit of work when the service has one (the server), else on the stores. */
  #inUnit<T>(body: (tx: Stores) => Promise<T>): Promise<T> {
    return this.#unitOfWork ? this.#unitOfWork.run(body) : body(this.#stores);
  }

  /** `spell.report {spell_id, revision_id, reason}`: any player, rate-limited per address. */
  async report(call: Call, payload: Payload): Promise<Outcome> {
    const missing = "spell_id, revision_id and reason are required";
    const spellId = requireSpellId(payload, missing);
    const revisionId = checkRevisionId(requiredString(payload, "revision_id", missing));
    const reason = requiredString(payload, "reason", missing).trim();
    if (reason === "" || codePointLength(reason) > MAX_REPORT_REASON_CHARS) {
      throw new ProtocolError(
        ErrorCode.INVALID_PAYLOAD,
        `reason must be 1-${MAX_REPORT_REASON_CHARS} characters`,
      );
    }
    if (hasControlCharacters(reason)) {
      throw new ProtocolError(
        ErrorCode.INVALID_PAYLOAD,
        "reason must not contain control characters",
      );
    }
    if (!await this.#spells.getRevision(spellId, revisionId)) {
      throw new ProtocolError(ErrorCode.REVISION_NOT_FOUND, `Revision ${revisionId} not found`);
    }
    if (!this.#reports.take(call.address)) {
      const seconds = Math.ceil(this.#reports.msUntilToken(call.address) / 1000);
      throw new ProtocolError(
        ErrorCode.RATE_LIMITED,
        `Too many reports from your address (${this.#limits.reportsPerHour} an hour); try again in ${seconds} s`,
      );
    }
    const reportId = `rep_${randomHex(8)}`;
    await this.#moderation.addReport({
      report_id: reportId,
      spell_id: spellId,
      revision_id: revisionId,
      reason,
      reporter: call.principal.id,
      address: call.address,
      created_at: this.#now(),
      status: "open",
      note: "",
    });
    return reply(ServerEvent.SPELL_REPORT_RECEIVED, { report_id: reportId });
  }

  /** The revision a cast without one uses: beta, else stable (as the original did). */
  async #castableOf(
    spellId: string,
  ): Promise<{ revisionId: string; channel: "beta" | "stable" } | undefined> {
    const spell = await this.#spells.get(spellId);
    if (!spell) return undefined;
    return spell.active_beta_rev !== ""
      ? { revisionId: spell.active_beta_rev, channel: "beta" }
      : spell.active_stable_rev !== ""
      ? { revisionId: spell.active_stable_rev, channel: "stable" }
      : undefined;
  }

  async #record(
    actor: Actor,
    action: string,
    spellId: string,
    revisionId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.#audit.append({
      at: this.#now(),
      actor: actor.principal.id,
      address: actor.address,
      action,
      target: `spell:${spellId}/${revisionId}`,
      detail,
    });
  }

  async castRequest(call: Call, payload: Payload): Promise<Outcome> {
    const echoedId = typeof payload.spell_id === "string" && isStorableText(payload.spell_id)
      ? clip(payload.spell_id)
      : "";
    const reject = (code: ErrorCode, error: string) =>
      new ProtocolError(code, error, {
        event: ServerEvent.SPELL_CAST_REJECTED,
        payload: { spell_id: echoedId, error, code },
      });

    const worldId = call.worldId;
    if (worldId === undefined) throw reject(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    // Ids are matched against their patterns, which no malformed text passes: an odd id is simply
    // "not found", as in the original, rather than a different error.
    const spellId = idField(payload, "spell_id");
    if (spellId === undefined) {
      throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "spell_id is required");
    }
    const spell = SPELL_ID.test(spellId) ? await this.#spells.get(spellId) : undefined;
    if (!spell) throw reject(ErrorCode.SPELL_NOT_FOUND, "Spell not found");

    const requested = idField(payload, "revision_id");
    const revisionId = requested ?? (spell.active_beta_rev || spell.active_stable_rev);
    if (revisionId === "") throw reject(ErrorCode.REVISION_NOT_FOUND, "No active revision found");
    const revision = REVISION_ID.test(revisionId)
      ? await this.#spells.getRevision(spellId, revisionId)
      : undefined;
    if (!revision) throw reject(ErrorCode.REVISION_NOT_FOUND, "Revision not found");
    const delivery = await this.#castDelivery(call.principal, spell, revisionId);
    if (delivery.to === "nobody") throw reject(ErrorCode.FORBIDDEN, delivery.reason);

    // Relayed to every client of the world, whose cast handler breaks on a wrong type.
    const castParams = payload.cast_params ?? {};
    const problem = castParamsProblem(castParams, this.#limits);
    if (problem) throw reject(problem.code, problem.reason);

    // A never-published revision is its owner's test: the cast reaches the caster alone.
    if (delivery.to === "owner") {
      const cast = this.#castMessage(call, spellId, revisionId, worldId, castParams);
      const to = { session: call.sessionId };
      const ready = message(ServerEvent.SPELL_REVISION_READY, {
        spell_id: spellId,
        revision_id: revisionId,
        manifest: revision.manifest,
      });
      return {
        events: [{ to, message: ready }, { to, message: cast }],
        ack: cast.payload,
      };
    }
    // Nobody may meet a cast of a spell it was never told about (contract §4.7).
    const announcement = this.#announcements.beforeCast(
      worldId,
      spell,
      revisionId,
      revision.manifest,
    );
    const cast = this.#castMessage(call, spellId, revisionId, worldId, castParams);
    const to = { world: worldId };
    return {
      events: announcement
        ? [{ to, message: announcement }, { to, message: cast }]
        : [{ to, message: cast }],
      ack: cast.payload,
    };
  }

  /**
   * What a joiner is told, a bounded set (JOIN_ANNOUNCE_SPELLS): the spells cast in the world
   * lately, then the most recently published (see Announcements).
   */
  joinAnnouncements(worldId: string): Promise<OutboundMessage[]> {
    return this.#announcements.forJoin(worldId);
  }

  /**
   * Who a cast of `revisionId` may reach. The active beta or stable revision was published and is
   * not quarantined (a quarantine moves every channel off it first), so the usual cast costs no
   * lookup; any other revision is looked up.
   */
  async #castDelivery(principal: Principal, spell: SpellView, revisionId: string) {
    if (revisionId === spell.active_beta_rev || revisionId === spell.active_stable_rev) {
      return { to: "everyone" as const };
    }
    const standing = await this.#spells.standing(spell.spell_id, revisionId);
    const owner = await this.#spells.ownerOf(spell.spell_id) ?? LEGACY_OWNER;
    return standing
      ? deliveryOf(principal, owner, standing)
      : { to: "nobody" as const, reason: "Revision not found" };
  }

  #castMessage(
    call: Call,
    spellId: string,
    revisionId: string,
    worldId: string,
    castParams: unknown,
  ): OutboundMessage {
    return message(ServerEvent.SPELL_CAST_EVENT, {
      spell_id: spellId,
      revision_id: revisionId,
      caster_id: call.sessionId,
      world_id: worldId,
      cast_params: castParams,
      seed: castSeed(),
      timestamp: this.#now(),
    });
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

/** An id field: absent (or null/"") is undefined, a non-string is invalid, any string is returned. */
function idField(payload: Payload, key: string): string | undefined {
  const value = payload[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, `${key} must be a string`);
  }
  return value;
}

/** Uniform in 0..2³¹−1 from the CSPRNG: 2³¹ divides 2³², so masking has no bias. */
export function castSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! & 0x7fffffff;
}
