import { CONSOLE_ASSETS } from "./console_assets.ts";
import { notFound, type Router } from "./http_app.ts";

/**
 * The console's policy: its own files only (script, style, images, and the API it calls, all
 * `'self'`), no inline script or style at all, no plugins, no framing, no `<base>` or form posts
 * elsewhere, and Trusted Types required, so even a mistaken `innerHTML = string` in the console's
 * code throws instead of parsing markup.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/**
 * `GET /admin` and its files, from the module `deno task console` generates. The page holds no
 * secret (the admin token is typed in and kept by the tab), so it is served to anyone; every
 * action goes through `/api/admin/…`, which checks the token.
 */
export function consoleRoutes(router: Router): void {
  const page = (name: string, cache: string) => (ctx: { request: Request }) => {
    const asset = CONSOLE_ASSETS[name];
    if (!asset) return notFound();
    const headers: Record<string, string> = {
      "content-type": asset.type,
      "cache-control": cache,
      etag: asset.etag,
      "content-security-policy": CONSOLE_CSP,
      "cross-origin-opener-policy": "same-origin",
      "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    };
    if (ctx.request.headers.get("if-none-match") === asset.etag) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(asset.text, { headers });
  };
  // Revalidated on every load: a new server version's console is picked up at once.
  router.get("/admin", page("index.html", "no-cache"));
  router.get("/admin/", page("index.html", "no-cache"));
  router.get("/admin/console.js", page("console.js", "no-cache"));
  router.get("/admin/console.css", page("console.css", "no-cache"));
  router.get("/admin/icon.svg", page("icon.svg", "no-cache"));
}
