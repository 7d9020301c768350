import { ServerEvent } from "../../protocol/mod.ts";
import type { Channel, SpellStore } from "../ports/spell_store.ts";
import { OutboundMessage } from "../session.ts";
import type { Manifest, SpellView } from "./manifest.ts";

/** Worlds whose recent casts are remembered; the least recently used beyond this are forgotten. */
const MAX_REMEMBERED_WORLDS = 1000;

/**
 * What clients were told about a spell: a revision, and the channel it was announced as active on
 * (`spell.active_update`), or "" for `spell.revision_ready` (download it, active or not).
 */
interface Told {
  spellId: string;
  revisionId: string;
  channel: Channel | "";
}

/**
 * Which spells clients hear about, and when (contract §4.7).
 *
 * On join a client is told about at most `limit` spells: those cast in its world lately (most recent
 * first), then the most recently published castable spells. Every member of a world has been told
 * about each spell its world remembers (a joiner gets them all in its join announcement; a cast
 * of a spell the world does not remember, or of another revision, is announced to the whole world
 * just before the cast), so the first cast of a spell never reaches a client that has not heard of
 * it. Forgetting (a full list, or a world not used lately) only means announcing again.
 *
 * A cast of the spell's active beta or stable revision is announced as `spell.active_update` with
 * that channel; a cast of any other revision as `spell.revision_ready`, which makes clients
 * download it without changing the revision they treat as active.
 *
 * Memory: per remembered world at most `limit` small records; the prepared messages (with their
 * manifests and encoded frames) are shared through a cache of the most recently used ones.
 */
export class Announcements {
  #spells: SpellStore;
  #limit: number;
  /** Castable spells, least recently published first; seeded from the database on first use. */
  #published: Map<string, Told> | undefined;
  /** Per world, the spells its members have been told about, least recently cast first. */
  #worlds = new Map<string, Map<string, Told>>();
  /** Prepared messages by what they say, least recently used first. */
  #messages = new Map<string, OutboundMessage>();

  constructor(options: { spells: SpellStore; limit: number }) {
    this.#spells = options.spells;
    this.#limit = options.limit;
  }

  /** The messages a joiner of `worldId` gets, in order. */
  async forJoin(worldId: string): Promise<OutboundMessage[]> {
    const recentlyPublished = await this.#recentlyPublished();
    const told = this.#touchWorld(worldId);
    const list = [...told.values()].reverse();
    const published = [...recentlyPublished.values()];
    for (let i = published.length - 1; i >= 0 && list.length < this.#limit; i--) {
      if (!told.has(published[i]!.spellId)) list.push(published[i]!);
    }
    const messages: OutboundMessage[] = [];
    for (const entry of list.slice(0, this.#limit)) {
      const message = await this.#message(entry);
      if (message) messages.push(message);
    }
    return messages;
  }

  /**
   * A cast of `spell` at `revisionId` is about to reach every member of `worldId`: returns the
   * announcement to send them first, or undefined if they have all been told already.
   */
  beforeCast(
    worldId: string,
    spell: SpellView,
    revisionId: string,
    manifest: Manifest,
  ): OutboundMessage | undefined {
    const told = this.#touchWorld(worldId);
    const known = told.get(spell.spell_id);
    if (known?.revisionId === revisionId) {
      told.delete(spell.spell_id);
      told.set(spell.spell_id, known);
      return undefined;
    }
    const channel = spell.active_beta_rev === revisionId
      ? "beta"
      : spell.active_stable_rev === revisionId
      ? "stable"
      : "";
    const entry: Told = { spellId: spell.spell_id, revisionId, channel };
    told.delete(entry.spellId);
    if (this.#limit > 0) {
      told.set(entry.spellId, entry);
      if (told.size > this.#limit) told.delete(told.keys().next().value!);
    }
    return this.#prepared(entry, manifest);
  }

  /**
   * `spell.active_update` for this revision was just broadcast to everyone: every world that knew
   * the spell now knows this revision, and (for beta and stable) the spell's castable revision
   * (`castable`, if it has one) becomes the most recently published.
   */
  published(
    announced: Told,
    castable: { revisionId: string; channel: Channel } | undefined,
  ): void {
    for (const world of this.#worlds.values()) {
      if (world.has(announced.spellId)) world.set(announced.spellId, announced);
    }
    // Publishing a draft changes what clients treat as active, not what a cast falls back to.
    // Not seeded yet: the seeding reads the database, which has this publish already.
    const published = this.#published;
    if (announced.channel === "draft" || !published) return;
    published.delete(announced.spellId);
    if (!castable || this.#limit === 0) return;
    published.set(announced.spellId, { spellId: announced.spellId, ...castable });
    if (published.size > this.#limit) published.delete(published.keys().next().value!);
  }

  /**
   * A revision of the spell was quarantined: no world remembers anything of it and it is no longer
   * recently published, so joiners are never told of a revision that must not reach them.
   */
  forget(spellId: string): void {
    for (const world of this.#worlds.values()) world.delete(spellId);
    this.#published?.delete(spellId);
    for (const key of [...this.#messages.keys()]) {
      if (key.includes(`:${spellId}/`)) this.#messages.delete(key);
    }
  }

  async #recentlyPublished(): Promise<Map<string, Told>> {
    if (this.#published) return this.#published;
    const castable = await this.#spells.castable(this.#limit);
    if (this.#published) return this.#published; // seeded by another caller meanwhile
    const published = new Map<string, Told>();
    // The database lists newest first; the map keeps least recent first.
    for (const entry of castable.reverse()) published.set(entry.spellId, entry);
    return this.#published = published;
  }

  /** The world's remembered spells, marking the world as the most recently used. */
  #touchWorld(worldId: string): Map<string, Told> {
    let told = this.#worlds.get(worldId);
    if (told) {
      this.#worlds.delete(worldId);
    } else {
      told = new Map();
      if (this.#worlds.size >= MAX_REMEMBERED_WORLDS) {
        this.#worlds.delete(this.#worlds.keys().next().value!);
      }
    }
    this.#worlds.set(worldId, told);
    return told;
  }

  /** The prepared message for `entry`; undefined if its revision no longer exists. */
  async #message(entry: Told): Promise<OutboundMessage | undefined> {
    if (this.#messages.has(keyOf(entry))) return this.#prepared(entry);
    const manifest = (await this.#spells.getRevision(entry.spellId, entry.revisionId))?.manifest;
    return manifest ? this.#prepared(entry, manifest) : undefined;
  }

  /** The cached message for `entry`, or one made from `manifest` (given when not cached). */
  #prepared(entry: Told, manifest?: Manifest): OutboundMessage {
    const key = keyOf(entry);
    let message = this.#messages.get(key);
    if (message) {
      this.#messages.delete(key);
    } else {
      message = entry.channel === ""
        ? new OutboundMessage(ServerEvent.SPELL_REVISION_READY, {
          spell_id: entry.spellId,
          revision_id: entry.revisionId,
          manifest,
        })
        : new OutboundMessage(ServerEvent.SPELL_ACTIVE_UPDATE, {
          spell_id: entry.spellId,
          revision_id: entry.revisionId,
          channel: entry.channel,
          manifest,
        });
    }
    this.#messages.set(key, message);
    if (this.#messages.size > 2 * this.#limit + 64) {
      this.#messages.delete(this.#messages.keys().next().value!);
    }
    return message;
  }
}

function keyOf(entry: Told): string {
  return `${entry.channel}:${entry.spellId}/${entry.revisionId}`;
}
