import type { Limits } from "../../config.ts";
import {
  ErrorCode,
  isStorableText,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
} from "../../protocol/mod.ts";
import type { Channel, SpellRepo } from "../../storage/spell_repo.ts";
import type { Hub } from "../hub.ts";
import { clip, randomHex } from "../ids.ts";
import { spellCharge } from "../quota/charges.ts";
import { type StorageGate, UNGATED } from "../quota/storage_gate.ts";
import type { Clock } from "../rate_limiter.ts";
import type { Session } from "../session.ts";
import { fitPrefix } from "../world/fit.ts";
import { Announcements } from "./announcements.ts";
import { castParamsProblem } from "./cast_params.ts";
import { REVISION_ID, SPELL_ID } from "./ids.ts";
import { type RevisionView, type SpellView, titleCase } from "./manifest.ts";

const CHANNELS: readonly Channel[] = ["draft", "beta", "stable"];

export interface SpellServiceOptions {
  spells: SpellRepo;
  hub: Hub;
  clock: Clock;
  limits: Pick<
    Limits,
    | "maxCastParamsBytes"
    | "maxCastParamsDepth"
    | "maxTargetEntityIdChars"
    | "maxOutboundBytes"
    | "joinAnnounceSpells"
  >;
  /** Per-owner quotas and the data budget (issue 13). */
  quota?: StorageGate;
}

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
  #spells: SpellRepo;
  #hub: Hub;
  #clock: Clock;
  #limits: SpellServiceOptions["limits"];
  #quota: StorageGate;
  #announcements: Announcements;

  constructor(options: SpellServiceOptions) {
    this.#spells = options.spells;
    this.#hub = options.hub;
    this.#clock = options.clock;
    this.#limits = options.limits;
    this.#quota = options.quota ?? UNGATED;
    this.#announcements = new Announcements({
      spells: options.spells,
      limit: options.limits.joinAnnounceSpells,
    });
  }

  /** Every spell, newest first (the HTTP listing). */
  listSpells(): SpellView[] {
    return this.#spells.list();
  }

  /** A spell's revisions, newest first; undefined if there is no such spell. */
  revisionsOf(spellId: string): RevisionView[] | undefined {
    return this.#spells.get(spellId) ? this.#spells.listRevisions(spellId) : undefined;
  }

  revision(spellId: string, revisionId: string): RevisionView | undefined {
    return this.#spells.getRevision(spellId, revisionId);
  }

  createDraft(session: Session, payload: Payload): void {
    const given = optionalString(payload, "spell_id");
    const spellId = given === undefined ? `spell_${randomHex(4)}` : requireSpellId(payload);
    // INSERT OR IGNORE: two first drafts of one id cannot race into a constraint error.
    const created = this.#quota.admit(
      session,
      [spellCharge(spellId)],
      () => this.#spells.ensure(spellId, titleCase(spellId), this.#now()),
    );
    this.#hub.send(session, ServerEvent.SPELL_DRAFT_CREATED, {
      spell_id: spellId,
      created,
      spell: this.#spells.get(spellId)!,
    });
  }

  list(session: Session): void {
    this.#hub.send(session, ServerEvent.SPELL_LIST_RESULT, {
      spells: fitPrefix(this.#spells.list(), this.#limits.maxOutboundBytes),
    });
  }

  getRevisions(session: Session, payload: Payload): void {
    const spellId = requireSpellId(payload);
    this.#hub.send(session, ServerEvent.SPELL_REVISIONS_RESULT, {
      spell_id: spellId,
      revisions: fitPrefix(this.#spells.listRevisions(spellId), this.#limits.maxOutboundBytes),
    });
  }

  publish(session: Session, payload: Payload): void {
    void session;
    const missing = "spell_id and revision_id are required";
    const spellId = requireSpellId(payload, missing);
    const revisionId = checkRevisionId(requiredString(payload, "revision_id", missing));
    const channel = (optionalString(payload, "channel") ?? "beta") as Channel;
    if (!CHANNELS.includes(channel)) {
      throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "channel must be draft, beta, or stable");
    }
    // The revision must be a finished build of this very spell: no orphan, no other spell's.
    const revision = this.#spells.getRevision(spellId, revisionId);
    if (!revision) {
      throw new ProtocolError(ErrorCode.REVISION_NOT_FOUND, `Revision ${revisionId} not found`);
    }
    this.#spells.setActive(spellId, channel, revisionId, this.#now());
    const { manifest } = revision;
    const spell = this.#spells.get(spellId)!;
    // A cast without a revision uses beta, else stable (as the original did).
    const castable = spell.active_beta_rev !== ""
      ? { revisionId: spell.active_beta_rev, channel: "beta" as const }
      : spell.active_stable_rev !== ""
      ? { revisionId: spell.active_stable_rev, channel: "stable" as const }
      : undefined;
    this.#announcements.published({ spellId, revisionId, channel }, castable);
    this.#hub.toAll(ServerEvent.SPELL_ACTIVE_UPDATE, {
      spell_id: spellId,
      revision_id: revisionId,
      channel,
      manifest,
    });
    this.#hub.toAll(ServerEvent.SPELL_REVISION_READY, {
      spell_id: spellId,
      revision_id: revisionId,
      manifest,
    });
  }

  castRequest(session: Session, payload: Payload): void {
    const echoedId = typeof payload.spell_id === "string" && isStorableText(payload.spell_id)
      ? clip(payload.spell_id)
      : "";
    const reject = (code: ErrorCode, error: string) =>
      new ProtocolError(code, error, {
        event: ServerEvent.SPELL_CAST_REJECTED,
        payload: { spell_id: echoedId, error, code },
      });

    const worldId = this.#hub.worldOf(session);
    if (worldId === undefined) throw reject(ErrorCode.NOT_IN_WORLD, "Must join a world first");
    // Ids are matched against their patterns, which no malformed text passes: an odd id is simply
    // "not found", as in the original, rather than a different error.
    const spellId = idField(payload, "spell_id");
    if (spellId === undefined) {
      throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, "spell_id is required");
    }
    const spell = SPELL_ID.test(spellId) ? this.#spells.get(spellId) : undefined;
    if (!spell) throw reject(ErrorCode.SPELL_NOT_FOUND, "Spell not found");

    const requested = idField(payload, "revision_id");
    const revisionId = requested ?? (spell.active_beta_rev || spell.active_stable_rev);
    if (revisionId === "") throw reject(ErrorCode.REVISION_NOT_FOUND, "No active revision found");
    const revision = REVISION_ID.test(revisionId)
      ? this.#spells.getRevision(spellId, revisionId)
      : undefined;
    if (!revision) throw reject(ErrorCode.REVISION_NOT_FOUND, "Revision not found");

    // Relayed to every client of the world, whose cast handler breaks on a wrong type.
    const castParams = payload.cast_params ?? {};
    const problem = castParamsProblem(castParams, this.#limits);
    if (problem) throw reject(problem.code, problem.reason);

    // Nobody may meet a cast of a spell it was never told about (contract §4.7).
    const announcement = this.#announcements.beforeCast(
      worldId,
      spell,
      revisionId,
      revision.manifest,
    );
    if (announcement) this.#hub.toWorldMessage(worldId, announcement);
    this.#hub.toWorld(worldId, ServerEvent.SPELL_CAST_EVENT, {
      spell_id: spellId,
      revision_id: revisionId,
      caster_id: session.id,
      world_id: worldId,
      cast_params: castParams,
      seed: castSeed(),
      timestamp: this.#now(),
    });
  }

  /**
   * Tells a joiner what it can cast and will see cast, a bounded set (JOIN_ANNOUNCE_SPELLS): the
   * spells cast in the world lately, then the most recently published (see Announcements).
   */
  announceOnJoin(session: Session, worldId: string): void {
    for (const message of this.#announcements.forJoin(worldId)) {
      this.#hub.sendMessage(session, message);
    }
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
