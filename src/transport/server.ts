import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Duplex, Readable } from "node:stream";
import { Server as SocketIoServer } from "socket.io";
import { type WebSocket, WebSocketServer } from "ws";
import type { Dispatcher } from "../core/dispatcher.ts";
import { IdentityRefusal } from "../core/identity/identity_service.ts";
import type { Principal } from "../core/identity/principal.ts";
import type { Session } from "../core/session.ts";
import { type Clock, settlesWithin } from "../core/ports/clock.ts";
import type { Limits } from "../config.ts";
import { HttpError, type RequestInfo } from "../http/http_app.ts";
import type { Logger } from "../log.ts";
import { CloseCode } from "../protocol/mod.ts";
import { clientAddress, TrustedProxies } from "./client_address.ts";
import { ConnectionGate, isRefusal, type Refusal } from "./connection_gate.ts";
import { EngineAdmission, FairWebSocketServer, jsonOnlyParser } from "./engine_guard.ts";
import { type RawSession, serveRawConnection } from "./raw_ws.ts";
import { serveSocketIoConnection, socketIoWire } from "./socket_io.ts";

export interface ServerOptions {
  host: string;
  port: number;
  corsOrigins: readonly string[];
  trustedProxies: readonly string[];
  rawPingIntervalMs: number;
  limits: Limits;
  clock: Clock;
  dispatcher: Dispatcher;
  /** The open sessions (closed with 1001 at shutdown). */
  sessions: () => Iterable<Session>;
  http: HttpRequestHandler;
  /**
   * Who a handshake's token names (undefined: a guest), after the ban checks; throws an
   * IdentityRefusal (401 bad token, 403 banned) that refuses the connection.
   */
  authenticate: (token: string | null, address: string) => Promise<Principal | undefined>;
  log: Logger;
  onRawFrameBytes?: (bytes: number) => void;
}

export interface RunningServer {
  readonly port: number;
  /** Stops listening; new upgrades and requests on open keep-alive sockets get 503. */
  stopAccepting(): void;
  /** Closes every connection with 1001 (terminating any that do not finish in time). */
  close(): Promise<void>;
}

/** How long connections get to complete their closing handshake before they are cut. */
const CLOSE_GRACE_MS = 1000;

const SOCKET_IO_PATH = "/socket.io/";

/** The HTTP application as the transport calls it. */
export type HttpRequestHandler = (request: Request, info: RequestInfo) => Promise<Response>;
/** How long an engine.io connection may stay without joining the namespace (Socket.IO: 45 s). */
const SOCKET_IO_CONNECT_TIMEOUT_MS = 10_000;

/**
 * One port, three doors (contract §3): Socket.IO under /socket.io/, the raw WebSocket protocol on
 * every other upgrade, plain HTTP for the rest. node:http is what engine.io attaches to.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { dispatcher, limits, log } = options;
  const now = () => new Date().toISOString();
  const trusted = new TrustedProxies(options.trustedProxies);
  const addressOf = (req: IncomingMessage) =>
    clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
  let accepting = true;
  const httpServer = createServer((req, res) => {
    if (isSocketIoPath(req.url)) return; // engine.io answers these
    if (!accepting) {
      res.writeHead(503, { "content-type": "application/json", connection: "close" });
      res.end('{"error":"shutting down"}');
      return;
    }
    void answerHttp(req, res, {
      handler: options.http,
      address: addressOf(req),
      maxBodyBytes: limits.maxHttpBodyBytes,
      log,
    });
  });

  // Every connection of either protocol holds a slot from its first request until its socket is
  // gone: the process cap, the per-address cap and the per-address rate of new connections.
  const gate = new ConnectionGate(limits, { clock: options.clock, log: log.child("transport") });
  const admit = (address: string): ReturnType<ConnectionGate["admit"]> =>
    accepting ? gate.admit(address) : SHUTTING_DOWN;

  const admission = new EngineAdmission({
    admit: (req) => admit(addressOf(req)),
    maxPacketsPerPoll: limits.maxPacketsPerPoll,
    log: log.child("transport.socket_io"),
  });
  const io = new SocketIoServer(httpServer, {
    path: SOCKET_IO_PATH.slice(0, -1),
    // Without this, engine.io destroys the upgrades meant for the raw protocol.
    destroyUpgrade: false,
    maxHttpBufferSize: limits.maxInboundBytes,
    serveClient: false,
    cors: options.corsOrigins.length > 0 ? { origin: [...options.corsOrigins] } : undefined,
    allowRequest: admission.allowRequest,
    wsEngine: FairWebSocketServer,
    parser: jsonOnlyParser,
    connectTimeout: SOCKET_IO_CONNECT_TIMEOUT_MS,
  });
  admission.attach(io.engine);
  io.use((socket, next) => {
    if (!accepting) return next(new Error(SHUTTING_DOWN.reason));
    // `auth: {token}` in the handshake; a bad token is a connect_error, never a silent guest.
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const token = auth?.token;
    if (token !== undefined && token !== null && typeof token !== "string") {
      return next(new Error("auth.token must be a string"));
    }
    options.authenticate(token ?? null, addressOf(socket.request)).then(
      (principal) => {
        if (principal) socket.data = { principal };
        next();
      },
      (error) => next(new Error(refusalOf(error, log).reason)),
    );
  });
  const wire = socketIoWire(io);
  io.on("connection", (socket) => {
    serveSocketIoConnection(socket, {
      dispatcher,
      address: addressOf(socket.request),
      wire,
      limits,
      log: log.child("transport.socket_io"),
      now,
    });
  });

  // handleProtocols → false: never echo a subprotocol, which Godot's WebSocketPeer rejects.
  // allowSynchronousEvents → false: one message per macrotask. Otherwise a client that keeps its
  // socket full is read in one unbroken run, and under load every other socket and timer waited
  // for seconds (bench ingest: idle ping p99 2.2 s → 0.09 s, ack p99 1.5 s → 0.1 s, same ops/s).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxInboundBytes,
    handleProtocols: () => false,
    allowSynchronousEvents: false,
  });
  const rawLog = log.child("transport.raw_ws");
  const rawSessions = new Set<RawSession>();
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isSocketIoPath(req.url)) return;
    const address = addressOf(req);
    const ticket = admit(address);
    if (isRefusal(ticket)) {
      refuseUpgrade(socket, ticket);
      return;
    }
    // The TCP socket's end is the connection's end, whether or not the upgrade completes.
    socket.once("close", () => ticket.release());
    // `?token=` on the URL: the one place the Godot client can carry it (its custom-URL field).
    // A bad token is refused before the upgrade, never accepted as a guest.
    let token: string | null;
    try {
      token = new URL(req.url ?? "/", "http://localhost").searchParams.get("token");
    } catch {
      token = null;
    }
    options.authenticate(token, address).then(
      (principal) => {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
          const session = serveRawConnection(ws, {
            dispatcher,
            address,
            limits,
            log: rawLog,
            now,
            onFrameBytes: options.onRawFrameBytes,
            ...(principal ? { principal } : {}),
          });
          rawSessions.add(session);
          ws.once("close", () => rawSessions.delete(session));
        });
      },
      (error) => refuseUpgrade(socket, refusalOf(error, rawLog)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  // One timer for every raw peer: each is pinged once per interval and cut if it did not answer
  // the previous ping, so a dead peer is gone one to two intervals after it last answered.
  const keepalive = setInterval(() => {
    for (const session of rawSessions) session.keepalive();
  }, options.rawPingIntervalMs);
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : options.port;

  return {
    port,
    stopAccepting: () => {
      accepting = false;
      httpServer.close(); // stops listening; open sockets are closed below
    },
    close: async () => {
      accepting = false;
      clearInterval(keepalive);
      for (const session of [...options.sessions()]) {
        session.close(CloseCode.GOING_AWAY, "Server shutting down");
      }
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (wss.clients.size > 0 && Date.now() < deadline) {
        await options.clock.sleep(20);
      }
      for (const client of wss.clients) client.terminate();
      // io.close() also closes the HTTP server, and its callback waits for every connection to
      // end: a response the client abandoned mid-download held shutdown for minutes. So end them
      // all as soon as the server stops listening, and never wait unbounded.
      const closed = new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections();
      if (!await settlesWithin(options.clock, closed, CLOSE_GRACE_MS)) {
        log.warn("HTTP connections still open at shutdown; exiting anyway");
      }
    },
  };
}
const SHUTTING_DOWN: Refusal = Object.freeze({ status: 503, reason: "Server is shutting down" });

/** What an identity check's failure says to the client (a bug is logged, not echoed). */
function refusalOf(error: unknown, log: Logger): Refusal {
  if (error instanceof IdentityRefusal) return { status: error.status, reason: error.message };
  log.error("handshake authentication failed", { error });
  return { status: 503, reason: "Could not check your identity; try again" };
}

const STATUS_LINES: Record<number, string> = {
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  429: "429 Too Many Requests",
  503: "503 Service Unavailable",
};

/** Answers an upgrade the gate refused with its status and reason, then closes the socket. */
function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const status = STATUS_LINES[refusal.status] ?? "503 Service Unavailable";
  socket.on("error", () => {}); // a peer that hung up already needs no answer
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(refusal.reason)}\r\n\r\n${refusal.reason}`,
  );
}

function isSocketIoPath(url: string | undefined): boolean {
  return url !== undefined &&
    (url === "/socket.io" || url.startsWith(SOCKET_IO_PATH) || url.startsWith("/socket.io?"));
}

/**
 * node:http → fetch-style handler → node:http. The request body is handed over as a stream (the
 * route decides how much it will read); the response body is streamed back with back-pressure, so
 * a download is never buffered whole and a client that goes away stops it.
 */
async function answerHttp(
  req: IncomingMessage,
  res: ServerResponse,
  options: { handler: HttpRequestHandler; address: string; maxBodyBytes: number; log: Logger },
): Promise<void> {
  const { handler, log, maxBodyBytes } = options;
  if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes) {
    res.writeHead(413, { "content-type": "application/json", connection: "close" });
    res.end(`{"error":"request body is over ${maxBodyBytes} bytes"}`);
    return;
  }
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) { for (const item of value) headers.append(name, item); }
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(new URL(req.url ?? "/", "http://localhost"), {
      method: req.method,
      headers,
      ...(hasBody ? { body: boundedBody(req, maxBodyBytes), duplex: "half" } : {}),
    });
    const response = await handler(request, { address: options.address });
    const body = response.body;
    if (req.method === "HEAD" || !body) {
      await body?.cancel();
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end();
      return;
    }
    // The head goes out with the first chunk: a body that fails before it (a corrupt blob is
    // found out at its end, and most fit one chunk) is still an honest 500, not a truncated 200.
    const reader = body.getReader();
    const first = await reader.read();
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (first.done) {
      res.end();
      return;
    }
    res.write(first.value);
    await pipeToResponse(reader, res);
  } catch (error) {
    if (res.headersSent) {
      // Mid-stream: the only honest signal left is to cut the connection short of Content-Length.
      log.warn("http response cut short", { error });
      res.destroy();
      return;
    }
    log.error("http handler failed", { error });
    res.writeHead(500, { "content-type": "application/json" });
    res.end('{"error":"internal error"}');
  }
}

/**
 * The request body as a stream that errors past `maxBytes`: a chunked upload has no
 * Content-Length to refuse up front, so the bytes are counted as they arrive.
 */
function boundedBody(req: IncomingMessage, maxBytes: number): ReadableStream<Uint8Array> {
  let total = 0;
  return (Readable.toWeb(req) as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.length;
        if (total > maxBytes) {
          controller.error(new HttpError(413, `Request body is over ${maxBytes} bytes`));
          req.destroy();
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/** Writes `body` to `res`, waiting for 'drain' when the socket is full; stops if the client left. */
async function pipeToResponse(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  res: ServerResponse,
): Promise<void> {
  const gone = new Promise<"gone">((resolve) => res.once("close", () => resolve("gone")));
  while (true) {
    const next = await Promise.race([reader.read(), gone]);
    if (next === "gone") {
      await reader.cancel();
      return;
    }
    if (next.done) break;
    if (!res.write(next.value)) {
      const drained = new Promise<"drained">((resolve) =>
        res.once("drain", () => resolve("drained"))
      );
      if (await Promise.race([drained, gone]) === "gone") {
        await reader.cancel();
        return;
      }
    }
  }
  res.end();
}
