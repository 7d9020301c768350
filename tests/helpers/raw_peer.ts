/**
 * Hand-made clients for attacks a well-behaved library would not let a test make: a WebSocket
 * peer over plain TCP (it answers nothing by itself, not even pings, and can write any bytes), and
 * engine.io long-polling over fetch.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A frame from the server. */
export interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
}

export const Opcode = { TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

/** A masked client frame of any size, as RFC 6455 requires of clients. */
export function clientFrame(opcode: number, data: string | Uint8Array): Uint8Array {
  const payload = typeof data === "string" ? encoder.encode(data) : data;
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = new Uint8Array(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    new DataView(frame.buffer).setUint16(2, length);
  } else {
    frame[1] = 0x80 | 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ mask[i % 4]!;
  return frame;
}

/** Many frames in one buffer, written with one call: a burst that arrives in as few reads as TCP makes. */
export function burst(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  let at = 0;
  for (const frame of frames) {
    out.set(frame, at);
    at += frame.length;
  }
  return out;
}

/**
 * A WebSocket client over a bare TCP connection. It reads (and records) what the server sends only
 * while `reading`, never answers a ping, and can stop reading altogether like a dead peer.
 */
export class RawPeer {
  readonly conn: Deno.TcpConn;
  readonly status: number;
  /** The body of a refusal (any answer but 101), read to the end. */
  body = "";
  readonly frames: ServerFrame[] = [];
  /** Resolves when the server ends the TCP connection. */
  readonly ended: Promise<void>;
  #buffer: Uint8Array;
  #answerPings = false;

  private constructor(conn: Deno.TcpConn, status: number, rest: Uint8Array, read: boolean) {
    this.conn = conn;
    this.status = status;
    this.#buffer = rest;
    this.ended = status !== 101 ? this.#readBody() : read ? this.#readLoop() : Promise.resolve();
  }

  /**
   * Upgrades `path` on 127.0.0.1:`port`. With `read: false` the peer reads nothing after the
   * response head (a stalled or dead client); with `answerPings` it answers pings as browsers and
   * Godot do. `status` is the HTTP status of the answer.
   */
  static async open(
    port: number,
    options: {
      path?: string;
      headers?: Record<string, string>;
      read?: boolean;
      answerPings?: boolean;
    } = {},
  ): Promise<RawPeer> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    await conn.write(encoder.encode(
      `GET ${options.path ?? "/"} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        `Sec-WebSocket-Version: 13\r\n${extra}\r\n`,
    ));
    let head: Uint8Array = new Uint8Array(0);
    while (true) {
      const end = indexOfHeadEnd(head);
      if (end !== -1) {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(decoder.decode(head.slice(0, end)))?.[1]);
        const peer = new RawPeer(conn, status, head.slice(end + 4), options.read ?? true);
        peer.#answerPings = options.answerPings ?? false;
        if (status !== 101) await peer.ended;
        return peer;
      }
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk).catch(() => null);
      if (n === null) {
        conn.close();
        throw new Error(`connection closed before an HTTP answer to ${options.path ?? "/"}`);
      }
      head = concat(head, chunk.subarray(0, n));
    }
  }

  send(text: string): Promise<number> {
    return this.conn.write(clientFrame(Opcode.TEXT, text));
  }

  /** Writes all of `bytes`, however long it takes the server to read them. */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.conn.write(bytes.subarray(at));
  }

  /** Text frames received so far. */
  texts(): string[] {
    return this.frames.filter((f) => f.opcode === Opcode.TEXT).map((f) =>
      decoder.decode(f.payload)
    );
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }

  async #readBody(): Promise<void> {
    const chunk = new Uint8Array(4096);
    while (true) {
      const n = await this.conn.read(chunk).catch(() => null);
      if (n === null) break;
      this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    }
    this.body = decoder.decode(this.#buffer);
    this.close();
  }

  async #readLoop(): Promise<void> {
    const chunk = new Uint8Array(65536);
    while (true) {
      this.#parse();
      const n = await this.conn.read(chunk).catch(() => null);
      if (n === null) return;
      this.#buffer = concat(this.#buffer, chunk.subarray(0, n));
    }
  }

  #parse(): void {
    while (this.#buffer.length >= 2) {
      const b = this.#buffer;
      let length = b[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = (b[2]! << 8) | b[3]!;
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0));
        at = 10;
      }
      if (b.length < at + length) return;
      const frame = { opcode: b[0]! & 0x0f, payload: b.slice(at, at + length) };
      this.frames.push(frame);
      this.#buffer = b.slice(at + length);
      if (frame.opcode === Opcode.PING && this.#answerPings) {
        this.conn.write(clientFrame(Opcode.PONG, frame.payload)).catch(() => {});
      }
    }
  }
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** engine.io protocol 4 long-polling, spoken by hand. */
export const EngineIo = {
  url(httpUrl: string, sid?: string): string {
    return `${httpUrl}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ""}`;
  },

  /** The handshake: `sid` when it was accepted, else the status and the body that says why. */
  async handshake(
    httpUrl: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; sid?: string; body: string }> {
    const response = await fetch(EngineIo.url(httpUrl), { headers });
    const body = await response.text();
    if (response.status !== 200) return { status: response.status, body };
    const open = JSON.parse(body.slice(1)) as { sid: string };
    return { status: 200, sid: open.sid, body };
  },

  /** Sends packets in one POST; the status engine.io answered. */
  async post(httpUrl: string, sid: string, packets: string[] | string): Promise<number> {
    const body = typeof packets === "string" ? packets : packets.join("\x1e");
    const response = await fetch(EngineIo.url(httpUrl, sid), {
      method: "POST",
      body,
      headers: { "content-type": "text/plain;charset=UTF-8" },
    });
    await response.body?.cancel();
    return response.status;
  },

  /** One poll: the packets the server had for us (`[]` with the status if it refused). */
  async poll(httpUrl: string, sid: string): Promise<{ status: number; packets: string[] }> {
    const response = await fetch(EngineIo.url(httpUrl, sid));
    const body = await response.text();
    return { status: response.status, packets: response.status === 200 ? body.split("\x1e") : [] };
  },
};

/** The resident set size of a process, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
