import { SPELLSCRIPT_API } from "./gdscript/api/spellscript_api.ts";
import {
  ENTRYPOINT,
  type FileInfo,
  type Manifest,
  type ManifestMetadata,
} from "../core/spell/manifest.ts";

/**
 * The SpellScript API version builds verify against (the manifest's `interface_version`). Stores
 * serve only revisions verified against it (see SpellStore).
 */
export const INTERFACE_VERSION = SPELLSCRIPT_API.version;

/** The manifest of a package a build verified and stored. */
export function createManifest(input: {
  spellId: string;
  revisionId: string;
  version: number;
  createdAt: string;
  code: FileInfo[];
  assets: FileInfo[];
  metadata: ManifestMetadata;
  /** What `validateSpellScript` reported: the capabilities the code uses. */
  capabilities: readonly string[];
}): Manifest {
  return {
    spell_id: input.spellId,
    revision_id: input.revisionId,
    version: input.version,
    created_at: input.createdAt,
    entrypoint: ENTRYPOINT,
    language: "gdscript",
    interface_version: INTERFACE_VERSION,
    code: input.code,
    assets: input.assets,
    metadata: input.metadata,
    capabilities: [...input.capabilities].sort(),
  };
}
