import type { JobView } from "../core/build/job.ts";
import type { SpellRepo } from "../storage/spell_repo.ts";
import type { ContentService } from "../core/spell/content_service.ts";
import { JOB_ID, REVISION_ID, SPELL_ID } from "../core/spell/ids.ts";
import { json, notFound, type Route } from "./routes.ts";

const CONTENT_TYPES: Record<string, string> = {
  gd: "text/plain; charset=utf-8",
  json: "application/json",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  ogg: "audio/ogg",
  wav: "audio/wav",
};

/**
 * `/api/spells…` and `/api/jobs/<id>` (contract §8). Path segments are matched against the id
 * patterns before any lookup, and a file is served only if its path is in the revision's manifest.
 */
export function spellRoutes(
  options: {
    spells: SpellRepo;
    /** A job with its live progress (BuildService.view). */
    jobView: (jobId: string) => JobView | undefined;
    content: ContentService;
  },
): Route {
  const { spells, jobView, content } = options;
  return async (request, url) => {
    const parts = url.pathname.split("/").slice(1); // "", api, … → api, …
    if (parts[0] !== "api") return null;
    if (parts[1] === "jobs" && parts.length === 3) {
      const job = JOB_ID.test(parts[2]!) ? jobView(parts[2]!) : undefined;
      return job ? json(job) : notFound();
    }
    if (parts[1] !== "spells") return null;
    if (parts.length === 2) return json({ spells: spells.list() });

    const spellId = parts[2]!;
    if (!SPELL_ID.test(spellId) || parts[3] !== "revisions") return notFound();
    if (parts.length === 4) {
      return spells.get(spellId)
        ? json({ spell_id: spellId, revisions: spells.listRevisions(spellId) })
        : notFound();
    }
    const revisionId = parts[4]!;
    if (!REVISION_ID.test(revisionId)) return notFound();
    if (parts.length === 6 && parts[5] === "manifest") {
      const revision = spells.getRevision(spellId, revisionId);
      return revision
        ? json(revision.manifest, 200, { "cache-control": "public, max-age=31536000, immutable" })
        : notFound();
    }
    if (parts[5] !== "files" || parts.length < 7) return notFound();
    let path: string;
    try {
      path = parts.slice(6).map(decodeURIComponent).join("/");
    } catch {
      return notFound(); // malformed percent-encoding
    }
    return await fileResponse(request, { spells, content, spellId, revisionId, path });
  };
}

async function fileResponse(
  request: Request,
  target: {
    spells: SpellRepo;
    content: ContentService;
    spellId: string;
    revisionId: string;
    path: string;
  },
): Promise<Response> {
  const file = target.spells.fileOf(target.spellId, target.revisionId, target.path);
  if (!file) return notFound();
  const etag = `"${file.hash}"`;
  const headers = {
    etag,
    "cache-control": "public, max-age=31536000, immutable",
    "x-content-type-options": "nosniff",
  };
  if (request.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const bytes = await target.content.readFile(target.spellId, target.revisionId, target.path);
  if (!bytes) return notFound();
  const extension = target.path.split(".").pop()!.toLowerCase();
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { ...headers, "content-type": CONTENT_TYPES[extension] ?? "application/octet-stream" },
  });
}
