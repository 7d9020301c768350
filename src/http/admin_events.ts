import type { AdminFeed, FeedEvent } from "../core/admin_feed.ts";
import type { Clock } from "../core/ports/clock.ts";
import { type HttpContext, HttpError, type Router } from "./http_app.ts";

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/**
 * A console that stops reading is cut once this much waits for it; it reconnects and starts from
 * a fresh `hello`, so nothing is lost that matters and the server never holds more than this.
 */
const MAX_UNREAD_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/**
 * `GET /api/admin/events`: the operator console's live feed in the server-sent events format
 * (`event:` and `data:` lines), read with `fetch` so the admin token travels in the
 * `Authorization` header (EventSource cannot set headers, and a token in the URL would end up in
 * logs and history). The first event is `hello` with the overview's numbers and the last hour.
 */
export function adminEventsRoute(
  router: Router,
  options: { feed: AdminFeed; clock: Clock; isOperator: (ctx: HttpContext) => boolean },
): void {
  const { feed, clock, isOperator } = options;
  router.get("/api/admin/events", (ctx) => {
    if (!isOperator(ctx)) {
      throw new HttpError(401, "This needs the admin token", {
        "www-authenticate": 'Bearer realm="ugc-world-admin"',
      });
    }
    let stop = () => {};
    let stopKeepalive = () => {};
    let ended = false;
    const end = () => {
      ended = true;
      stop();
      stopKeepalive();
    };
    const stream = new ReadableStream<Uint8Array>({
      start: async (controller) => {
        const send = (chunk: string) => {
          if (ended) return;
          if ((controller.desiredSize ?? 0) < -MAX_UNREAD_BYTES) {
            end();
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(chunk));
        };
        // Sent before anything else, so the browser sees the response open at once.
        send(": ugc-world admin events\nretry: 2000\n\n");
        stop = await feed.subscribe((event) => send(frame(event)));
        // Gone while subscribing (or cut by the hello itself): stop at once.
        if (ended) {
          stop();
          return;
        }
        stopKeepalive = clock.every(KEEPALIVE_MS, () => send(": keepalive\n\n"));
      },
      cancel: end,
    }, new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }));
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  });
}

/** One event in the server-sent events format; JSON never contains a raw newline. */
export function frame(event: FeedEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
