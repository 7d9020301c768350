/** A file of a spell package as the manifest lists it. */
export interface FileInfo {
  path: string;
  hash: string;
  size: number;
}

export interface ManifestMetadata {
  name: string;
  description: string;
  tags: string[];
  preview_icon: string;
}

/**
 * The revision manifest of original-system §2.4, key order included, plus `capabilities` (last):
 * the world capabilities the spell uses. `interface_version` is the SpellScript API version the
 * code was verified against.
 */
export interface Manifest {
  spell_id: string;
  revision_id: string;
  version: number;
  created_at: string;
  entrypoint: "code/spell.gd";
  language: "gdscript";
  interface_version: string;
  code: FileInfo[];
  assets: FileInfo[];
  metadata: ManifestMetadata;
  capabilities: string[];
}

/** A spell as clients see it (original-system §2.2), with "" for an unset revision. */
export interface SpellView {
  spell_id: string;
  display_name: string;
  active_draft_rev: string;
  active_beta_rev: string;
  active_stable_rev: string;
  created_at: string;
  updated_at: string;
}

/** A revision as clients see it (original-system §2.3). */
export interface RevisionView {
  revision_id: string;
  spell_id: string;
  parent_revision_id: string;
  channel: string;
  version: number;
  created_at: string;
  manifest: Manifest;
}

export const ENTRYPOINT = "code/spell.gd";
export const ICON_PATH = "assets/icon.png";

/** The original's default display name: `_` to spaces, then Python's `str.title()` ("fire2ball" → "Fire2Ball"). */
export function titleCase(spellId: string): string {
  let out = "";
  let previousIsLetter = false;
  for (const char of spellId.replaceAll("_", " ")) {
    const isLetter = char.toLowerCase() !== char.toUpperCase();
    out += isLetter ? (previousIsLetter ? char.toLowerCase() : char.toUpperCase()) : char;
    previousIsLetter = isLetter;
  }
  return out;
}
