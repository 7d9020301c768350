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
  /** Creates the spell if it does not exist; true if it was created. */
  ensure(spellId: string, displayName: string, now: string): Promise<boolean>;
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
  /** Up to `limit` spells with an active beta or stable revision, most recently changed first. */
  castable(limit: number): Promise<CastableSpell[]>;
}
