import { encodeBase64 } from "../../protocol/base64.ts";
import {
  ErrorCode,
  optionalString,
  type Payload,
  ProtocolError,
  ServerEvent,
} from "../../protocol/mod.ts";
import { clip } from "../ids.ts";
import type { Principal } from "../identity/principal.ts";
import { type Call, type Outcome, reply } from "../outcome.ts";
import type { BlobStore } from "../ports/blob_store.ts";
import type { SpellStore } from "../ports/spell_store.ts";
import { packagePath } from "./ids.ts";
import type { RevisionView } from "./manifest.ts";
import { checkRevisionId, requireSpellId } from "./spell_service.ts";

/**
 * Spell downloads (original-system §3.5). Only the paths a revision's manifest lists are served,
 * from the content-addressed store: no client string ever becomes a filesystem path.
 */
export class ContentService {
  #spells: SpellStore;
  #blobs: BlobStore;
  #access: Access;

  constructor(options: { spells: SpellStore; blobs: BlobStore; access: Access }) {
    this.#spells = options.spells;
    this.#blobs = options.blobs;
    this.#access = options.access;
  }

  async getManifest(call: Call, payload: Payload): Promise<Outcome> {
    const { spellId, revisionId } = this.#ids(payload, "spell_id and revision_id are required");
    await this.#refuseUndeliverable(call.principal, spellId, revisionId);
    const revision = await this.#spells.getRevision(spellId, revisionId);
    if (!revision) {
      throw new ProtocolError(
        ErrorCode.REVISION_NOT_FOUND,
        `Manifest not found for ${spellId}/${revisionId}`,
      );
    }
    return reply(ServerEvent.CONTENT_MANIFEST, {
      spell_id: spellId,
      revision_id: revisionId,
      manifest: revision.manifest,
    });
  }

  async listFiles(call: Call, payload: Payload): Promise<Outcome> {
    const { spellId, revisionId } = this.#ids(payload, "spell_id and revision_id are required");
    await this.#refuseUndeliverable(call.principal, spellId, revisionId);
    const revision = await this.#spells.getRevision(spellId, revisionId);
    return reply(ServerEvent.CONTENT_FILES_LIST, {
      spell_id: spellId,
      revision_id: revisionId,
      files: revision ? filesOf(revision) : [],
    });
  }

  async getFile(call: Call, payload: Payload): Promise<Outcome> {
    const missing = "spell_id, revision_id, and path are required";
    const { spellId, revisionId } = this.#ids(payload, missing);
    const path = optionalString(payload, "path");
    if (path === undefined) throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, missing);
    await this.#refuseUndeliverable(call.principal, spellId, revisionId);
    const bytes = await this.readFile(spellId, revisionId, path);
    if (!bytes) {
      throw new ProtocolError(ErrorCode.FILE_NOT_FOUND, `File not found: ${clip(path, 200)}`);
    }
    return reply(ServerEvent.CONTENT_FILE, {
      spell_id: spellId,
      revision_id: revisionId,
      path,
      content: encodeBase64(bytes),
      size: bytes.length,
    });
  }

  /**
   * Whether `principal` may download the revision (HTTP asks before serving): a quarantined one,
   * or a never-published one that is not theirs, is refused with the reason.
   */
  access(principal: Principal, spellId: string, revisionId: string): ReturnType<Access> {
    return this.#access(principal, spellId, revisionId);
  }

  /**
   * A manifest-listed file of a revision: its hash and size, and a way to stream its bytes
   * (HTTP downloads). Undefined for any path the manifest does not list.
   */
  async file(spellId: string, revisionId: string, path: string): Promise<StoredFile | undefined> {
    if (packagePath(path) === undefined) return undefined;
    const file = await this.#spells.fileOf(spellId, revisionId, path);
    if (!file) return undefined;
    return { ...file, open: () => this.#blobs.open(file.hash) };
  }

  /** The bytes of a manifest-listed file, or undefined for anything else. */
  async readFile(
    spellId: string,
    revisionId: string,
    path: string,
  ): Promise<Uint8Array | undefined> {
    if (packagePath(path) === undefined) return undefined;
    const file = await this.#spells.fileOf(spellId, revisionId, path);
    if (!file) return undefined;
    return await this.#blobs.get(file.hash);
  }

  async #refuseUndeliverable(principal: Principal, spellId: string, revisionId: string) {
    const access = await this.#access(principal, spellId, revisionId);
    if (!access.ok) throw new ProtocolError(ErrorCode.FORBIDDEN, access.reason);
  }

  #ids(payload: Payload, missing: string): { spellId: string; revisionId: string } {
    const spellId = requireSpellId(payload, missing);
    const revisionId = optionalString(payload, "revision_id");
    if (revisionId === undefined) throw new ProtocolError(ErrorCode.INVALID_PAYLOAD, missing);
    return { spellId, revisionId: checkRevisionId(revisionId) };
  }
}

/** Whether a principal may have a revision delivered (SpellService.deliverable). */
export type Access = (
  principal: Principal,
  spellId: string,
  revisionId: string,
) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** A file of a revision as downloads see it. */
export interface StoredFile {
  hash: string;
  size: number;
  open(): Promise<{ size: number; body: ReadableStream<Uint8Array> } | undefined>;
}

export function filesOf(revision: RevisionView): string[] {
  return [...revision.manifest.code, ...revision.manifest.assets].map((file) => file.path);
}
