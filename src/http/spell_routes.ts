import type { BuildService } from "../core/build/build_service.ts";
import type { ContentService } from "../core/spell/content_service.ts";
import { JOB_ID, REVISION_ID, SPELL_ID } from "../core/spell/ids.ts";
import type { SpellService } from "../core/spell/spell_service.ts";
import { type HttpContext, HttpError, json, notFound, type Router } from "./http_app.ts";
import { principalOf } from "./identity_routes.ts";

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
 * `/api/spells…` and `/api/jobs/<id>` (contract §8), answered by the services. Ids are matched
 * against their patterns before any lookup, and a file is served only if its path is in the
 * revision's manifest.
 */
export function spellRoutes(
  router: Router,
  options: { spells: SpellService; content: ContentService; builds: BuildService },
): void {
  const { spells, content, builds } = options;
  router.get("/api/jobs/:job_id", async ({ params }) => {
    const job = JOB_ID.test(params.job_id!) ? await builds.view(params.job_id!) : undefined;
    return job ? json(job) : notFound();
  });
  router.get("/api/spells", async () => json({ spells: await spells.listSpells() }));
  router.get("/api/spells/:spell_id/revisions", async (ctx) => {
    const spellId = ctx.params.spell_id!;
    const exists = SPELL_ID.test(spellId) && await spells.revisionsOf(spellId) !== undefined;
    if (!exists) return notFound();
    const revisions = await spells.visibleRevisions(principalOf(ctx), spellId);
    return json({ spell_id: spellId, revisions });
  });
  router.get("/api/spells/:spell_id/revisions/:revision_id/manifest", async (ctx) => {
    const { params } = ctx;
    const revision = validIds(params) &&
      await spells.revision(params.spell_id!, params.revision_id!);
    if (!revision) return notFound();
    await refuseUndeliverable(ctx, content);
    // Private: an unpublished revision's manifest is its owner's, and a quarantine must not be
    // outlived by a shared cache.
    return json(revision.manifest, 200, { "cache-control": "private, no-cache" });
  });
  router.get(
    "/api/spells/:spell_id/revisions/:revision_id/files/*",
    (ctx) => fileResponse(ctx, content),
  );
}

/** 403 with the reason for a quarantined revision, or a never-published one not the caller's. */
async function refuseUndeliverable(ctx: HttpContext, content: ContentService): Promise<void> {
  const access = await content.access(
    principalOf(ctx),
    ctx.params.spell_id!,
    ctx.params.revision_id!,
  );
  if (!access.ok) throw new HttpError(403, access.reason);
}

function validIds(params: Record<string, string>): boolean {
  return SPELL_ID.test(params.spell_id!) && REVISION_ID.test(params.revision_id!);
}

/** The file's bytes streamed with their length, or 304 when the client has this exact content. */
async function fileResponse(ctx: HttpContext, content: ContentService): Promise<Response> {
  const { params } = ctx;
  if (!validIds(params)) return notFound();
  const path = params["*"]!;
  const file = await content.file(params.spell_id!, params.revision_id!, path);
  if (!file) return notFound();
  await refuseUndeliverable(ctx, content);
  const etag = `"${file.hash}"`;
  // The bytes never change, but whether they may be delivered can (a quarantine): caches revalidate.
  const headers: Record<string, string> = { etag, "cache-control": "private, no-cache" };
  if (ctx.request.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  const opened = await file.open();
  if (!opened) return notFound();
  const extension = path.split(".").pop()!.toLowerCase();
  headers["content-type"] = CONTENT_TYPES[extension] ?? "application/octet-stream";
  headers["content-length"] = String(opened.size);
  return new Response(opened.body, { headers });
}
