import type { RevisionStanding } from "../identity/policy.ts";
import type { Manifest, RevisionView, SpellView } from "../spell/manifest.ts";

export type Channel = "draft" | "beta" | "stable";

/** A finished build, written whole: the revision exists with all its files or not at all. */
export interface NewRevision {
  manifest: Manifest;
  parentRevisionId: string;
  files: readonly { path: string; hash: string; size: number }[];
}

/** The revision a cast without one uses (beta, else stable) and its channel. */
export interface CastableSpell {
  spellId: string;
  revisionId: string;
  channel: Channel;
}

/**
 * Spells, their immutable revisions and the path → blob map of each revision. Only revisions verified
 * against the current SpellScript API exist for readers (`getRevision`, `listRevisions`, `fileOf`):
 * one whose manifest has another `interface_version` is never served, published or cast.
 */
export interface SpellStore {
  /** Creates the spell, owned by `ownerId`, if it does not exist; true if it was created. */
  ensure(spellId: string, displayName: string, now: string, ownerId: string): Promise<boolean>;
  /** Who owns the spell (a principal id, or "legacy"); undefined if there is no such spell. */
  ownerOf(spellId: string): Promise<string | undefined>;
  get(spellId: string): Promise<SpellView | undefined>;
  /** Newest first. */
  list(): Promise<SpellView[]>;
  /** Reserves the spell's next version number (1, 2, …), atomically. */
  reserveVersion(spellId: string, now: string): Promise<number>;
  /** Records a finished revision and makes it the spell's active draft. */
  addRevision(revision: NewRevision, now: string): Promise<void>;
  getRevision(spellId: string, revisionId: string): Promise<RevisionView | undefined>;
  /** Newest (highest version) first. */
  listRevisions(spellId: string): Promise<RevisionView[]>;
  /** The blob of a path listed in the revision's manifest, or undefined. */
  fileOf(
    spellId: string,
    revisionId: string,
    path: string,
  ): Promise<{ hash: string; size: number } | undefined>;
  /** Points a channel at a revision; publishing to beta or stable marks the revision published. */
  setActive(spellId: string, channel: Channel, revisionId: string, now: string): Promise<void>;
  /** Points a channel at nothing (its revision was quarantined and none came before it). */
  clearActive(spellId: string, channel: Channel, now: string): Promise<void>;
  /** Whether a served revision was ever published (beta or stable) and is quarantined. */
  standing(spellId: string, revisionId: string): Promise<RevisionStanding | undefined>;
  /** The standing of every served revision of the spell, by revision id. */
  standings(spellId: string): Promise<Map<string, RevisionStanding>>;
  /** Marks a revision quarantined for good (its channels are the caller's to move). */
  quarantine(spellId: string, revisionId: string, now: string): Promise<void>;
  /** Up to `limit` spells with an active beta or stable revision, most recently changed first. */
  castable(limit: number): Promise<CastableSpell[]>;
}
