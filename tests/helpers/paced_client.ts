import { godotProblems } from "./godot_schema.ts";
import { type Message, MessageQueue } from "./message_queue.ts";

const GODOT_FRAME_CAP = 65535;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export interface PacedOptions {
  /** Bytes taken from the socket per frame (Godot's inbound ring buffer is 64 KiB). */
  bytesPerFrame?: number;
  /** Milliseconds between reads (one Godot frame at 60 fps). */
  frameMs?: number;
  /** Extra request headers, e.g. `X-Forwarded-For` behind a trusted proxy. */
  headers?: Record<string, string>;
}

/**
 * A raw WebSocket client over a plain TCP socket that reads like the Godot client: at most 64 KiB
 * per 16 ms frame, however much the server has sent, so whatever the server queues beyond that
 * piles up in its own buffers. It answers pings (Godot's WebSocketPeer does), never retries, and
 * records every message as strictly as GodotClient (frame cap, typed fields).
 */
export class PacedClient {
  readonly queue = new MessageQueue();
  readonly violations: string[] = [];
  /** Resolves with the close code when the connection ends (1006 when cut without a close frame). */
  readonly closed: Promise<number>;
  clientId = "";
  bytesRead = 0;
  /** Called with every message as it is read, before it is queued (to react as Godot does). */
  onMessage?: (message: Message) => void;
  #conn: Deno.TcpConn;
  #pending: Uint8Array = new Uint8Array(0);
  #fragments: Uint8Array[] = [];
  #closing = false;
  #resolveClosed!: (code: number) => void;
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  static async connect(port: number, options: PacedOptions = {}): Promise<PacedClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await writeAll(
      conn,
      encoder.encode(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      ),
    );
    const client = new PacedClient(conn);
    const rest = await client.#readHandshake();
    client.#pending = rest;
    void client.#readLoop(options.bytesPerFrame ?? 65536, options.frameMs ?? 16);
    const hello = await client.next("connected");
    client.clientId = hello.client_id as string;
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.#write(0x1, encoder.encode(JSON.stringify(message)));
  }

  next(
    type: string | string[],
    options?: { where?: (m: Message) => boolean; timeoutMs?: number },
  ): Promise<Message> {
    return this.queue.next(type, options);
  }

  /** Sends a close frame and waits for the connection to end; throws if Godot would have broken. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#write(0x8, new Uint8Array([0x03, 0xe8]));
    }
    const timer = setTimeout(() => this.#end(1006), 2000);
    await this.closed;
    clearTimeout(timer);
    if (this.violations.length > 0) {
      throw new Error(
        `Godot client would break on:\n  ${this.violations.slice(0, 10).join("\n  ")}`,
      );
    }
  }

  async #readHandshake(): Promise<Uint8Array> {
    let head: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(4096);
    while (true) {
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error("connection closed during the handshake");
      head = concat(head, chunk.subarray(0, n));
      const text = new TextDecoder().decode(head);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        if (!text.startsWith("HTTP/1.1 101")) {
          throw new Error(`upgrade refused: ${text.slice(0, text.indexOf("\r\n"))}`);
        }
        return head.slice(end + 4);
      }
    }
  }

  async #readLoop(bytesPerFrame: number, frameMs: number): Promise<void> {
    const buffer = new Uint8Array(bytesPerFrame);
    try {
      this.#parse();
      while (true) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.bytesRead += n;
        this.#pending = concat(this.#pending, buffer.subarray(0, n));
        if (this.#parse()) return;
        await new Promise((resolve) => setTimeout(resolve, frameMs));
      }
    } catch {
      // A reset connection ends like a cut one.
    }
    this.#end(1006);
  }

  /** Handles every complete frame in the pending bytes; true once the connection is over. */
  #parse(): boolean {
    while (true) {
      const frame = readFrame(this.#pending);
      if (!frame) return false;
      this.#pending = this.#pending.slice(frame.length);
      switch (frame.opcode) {
        case 0x0:
        case 0x1:
          this.#fragments.push(frame.payload);
          if (frame.fin) {
            const whole = this.#fragments.length === 1
              ? this.#fragments[0]!
              : this.#fragments.reduce(concat);
            this.#fragments = [];
            this.#receive(whole);
          }
          break;
        case 0x2:
          this.violations.push("binary frame received");
          break;
        case 0x8: {
          const code = frame.payload.length >= 2
            ? (frame.payload[0]! << 8) | frame.payload[1]!
            : 1005;
          if (!this.#closing) {
            this.#closing = true;
            this.#write(0x8, frame.payload.slice(0, 2));
          }
          this.#end(code);
          return true;
        }
        case 0x9:
          this.#write(0xa, frame.payload);
          break;
      }
    }
  }

  #receive(bytes: Uint8Array): void {
    if (bytes.length > GODOT_FRAME_CAP) {
      this.violations.push(`frame of ${bytes.length} bytes exceeds ${GODOT_FRAME_CAP}`);
    }
    let message: unknown;
    try {
      message = JSON.parse(decoder.decode(bytes));
    } catch {
      this.violations.push("invalid JSON or UTF-8 frame");
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      this.violations.push("frame is not a JSON object");
      return;
    }
    const record = message as Message;
    for (const problem of godotProblems(record)) this.violations.push(problem);
    this.onMessage?.(record);
    this.queue.push(record);
  }

  #write(opcode: number, payload: Uint8Array): void {
    const frame = clientFrame(opcode, payload);
    this.#writes = this.#writes.then(() => writeAll(this.#conn, frame)).catch(() => {});
  }

  #end(code: number): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#resolveClosed(code);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** One unmasked server frame at the start of `bytes`, or undefined if it is not complete yet. */
function readFrame(
  bytes: Uint8Array,
): { fin: boolean; opcode: number; payload: Uint8Array; length: number } | undefined {
  if (bytes.length < 2) return undefined;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = (bytes[2]! << 8) | bytes[3]!;
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = Number(new DataView(bytes.buffer, bytes.byteOffset + 2, 8).getBigUint64(0));
    offset = 10;
  }
  if (bytes.length < offset + length) return undefined;
  return {
    fin: (bytes[0]! & 0x80) !== 0,
    opcode: bytes[0]! & 0x0f,
    payload: bytes.subarray(offset, offset + length),
    length: offset + length,
  };
}

/** A masked client frame, as RFC 6455 requires of clients. */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const lengthBytes = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const head = 2 + lengthBytes;
  const frame = new Uint8Array(head + 4 + payload.length);
  frame[0] = 0x80 | opcode;
  const view = new DataView(frame.buffer);
  if (lengthBytes === 0) frame[1] = 0x80 | payload.length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    view.setUint16(2, payload.length);
  } else {
    frame[1] = 0x80 | 127;
    view.setBigUint64(2, BigInt(payload.length));
  }
  frame.set(mask, head);
  for (let i = 0; i < payload.length; i++) frame[head + 4 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}
