import { codePointLength, ErrorCode, type Payload, ProtocolError } from "../../protocol/mod.ts";
import { packagePath } from "./ids.ts";
import { ICON_PATH, type ManifestMetadata, titleCase } from "./manifest.ts";

const LIMITS = { name: 64, description: 500, tags: 16, tag: 32 };

/**
 * Checks `options.metadata` and keeps only its known keys: it is copied into every manifest that
 * every client downloads, so it is bounded and typed (the original kept any JSON verbatim).
 */
export function parseMetadata(metadata: Payload): Partial<ManifestMetadata> {
  const out: Partial<ManifestMetadata> = {};
  const text = (key: "name" | "description", max: number) => {
    const value = metadata[key];
    if (value === undefined || value === null || value === "") return;
    if (typeof value !== "string") throw invalid(`options.metadata.${key} must be a string`);
    if (codePointLength(value) > max) {
      throw new ProtocolError(
        ErrorCode.TOO_LARGE,
        `options.metadata.${key} must be ${max} characters or less`,
      );
    }
    out[key] = value;
  };
  text("name", LIMITS.name);
  text("description", LIMITS.description);
  const tags = metadata.tags;
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags) || tags.length > LIMITS.tags) {
      throw invalid(`options.metadata.tags must be an array of at most ${LIMITS.tags} strings`);
    }
    for (const tag of tags) {
      if (typeof tag !== "string" || codePointLength(tag) > LIMITS.tag) {
        throw invalid(
          `options.metadata.tags must hold strings of at most ${LIMITS.tag} characters`,
        );
      }
    }
    out.tags = [...tags] as string[];
  }
  const icon = metadata.preview_icon;
  if (icon !== undefined && icon !== null && icon !== "") {
    if (typeof icon !== "string" || packagePath(icon) === undefined) {
      throw invalid("options.metadata.preview_icon must be a path inside assets/");
    }
    out.preview_icon = icon;
  }
  return out;
}

/** The original's defaults: name from the id, description from the prompt (original-system §2.4). */
export function resolveMetadata(
  spellId: string,
  prompt: string,
  given: Partial<ManifestMetadata>,
): ManifestMetadata {
  return {
    name: given.name ?? titleCase(spellId),
    description: given.description ?? prompt,
    tags: given.tags ?? [],
    preview_icon: given.preview_icon ?? ICON_PATH,
  };
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ErrorCode.INVALID_PAYLOAD, message);
}
