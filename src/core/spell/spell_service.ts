import type { Limits } from "../limits.ts";
import {
  ErrorCode,
  isStorableText,
  optionalString,
  type Payload,
  ProtocolError,
  requiredString,
  ServerEvent,
} from "../../protocol/mod.ts";
import { clip, randomHex } from "../ids.ts";
import { type Call, message, type Outcome, reply } from "../outcome.ts";
import type { Clock } from "../ports/clock.ts";
import type { Channel, SpellStore } from "../ports/spell_store.ts";
import type { Stores } from "../ports/unit_of_work.ts";
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
  #spells: SpellStore;
  #clock: Clock;
  #limits: SpellServiceOptions["limits"];
  #quota: StorageGate;
  #announcements: Announcements;

  constructor(options: SpellServiceOptions) {
    this.#spells = options.stores.spells;
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
      (stores) => stores.spells.ensure(spellId, titleCase(spellId), this.#now()),
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

  async getRevisions(payload: Payload): Promise<Outcome> {
    const spellId = requireSpellId(payload);
    return reply(ServerEvent.SPELL_REVISIONS_RESULT, {
      spell_id: spellId,
      revisions: fitPrefix(
        await this.#spells.listRevisions(spellId),
        this.#limits.maxOutboundBytes,
      ),
    });
  }

  /** Points a channel at a revision and tells everyone (`spell.active_update`, then `spell.revision_ready`). */
  async publish(payload: Payload): Promise<Outcome> {
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
    await this.#spells.setActive(spellId, channel, revisionId, this.#now());
    const { manifest } = revision;
    const spell = (await this.#spells.get(spellId))!;
    // A cast without a revision uses beta, else stable (as the original did).
    const castable = spell.active_beta_rev !== ""
      ? { revisionId: spell.active_beta_rev, channel: "beta" as const }
      : spell.active_stable_rev !== ""
      ? { revisionId: spell.active_stable_rev, channel: "stable" as const }
      : undefined;
    this.#announcements.published({ spellId, revisionId, channel }, castable);
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
    return {
      events: [{ to: { all: true }, message: active }, { to: { all: true }, message: ready }],
      ack: active.payload,
    };
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
    const cast = message(ServerEvent.SPELL_CAST_EVENT, {
      spell_id: spellId,
      revision_id: revisionId,
      caster_id: call.sessionId,
      world_id: worldId,
      cast_params: castParams,
      seed: castSeed(),
      timestamp: this.#now(),
    });
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
