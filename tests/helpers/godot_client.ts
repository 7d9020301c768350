import { godotProblems } from "./godot_schema.ts";
import { type Message, MessageQueue } from "./message_queue.ts";

const GODOT_FRAME_CAP = 65535;
const encoder = new TextEncoder();

/**
 * A raw-protocol client that behaves like the unmodified Godot client and is as strict as it:
 * any inbound frame over 65,535 bytes, not text, not a JSON object, or with a null/wrong type in a
 * field Godot reads as typed is a violation, and `close()` throws if there was one.
 */
export class GodotClient {
  readonly queue = new MessageQueue();
  readonly violations: string[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<CloseEvent>;
  clientId = "";

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) =>
      socket.addEventListener("close", resolve, { once: true })
    );
    socket.addEventListener("message", (event) => this.#receive(event.data));
  }

  /**
   * Connects like Godot's WebSocketPeer (path `/`, no subprotocol) and waits for `connected`.
   * `headers` (Deno's WebSocket extension) lets a test arrive through a "proxy" (X-Forwarded-For).
   */
  static async connect(
    url: string,
    options: { headers?: Record<string, string> } = {},
  ): Promise<GodotClient> {
    const socket = options.headers
      ? new WebSocket(url, { headers: options.headers } as unknown as string[])
      : new WebSocket(url);
    socket.binaryType = "arraybuffer";
    const client = new GodotClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), {
        once: true,
      });
    });
    // Godot rejects a handshake that names any subprotocol it did not ask for.
    if (socket.protocol !== "") {
      client.violations.push(`server chose subprotocol "${socket.protocol}"`);
    }
    const hello = await client.next("connected");
    client.clientId = hello.client_id as string;
    return client;
  }

  #receive(data: unknown): void {
    if (typeof data !== "string") {
      this.violations.push("binary frame received");
      return;
    }
    const bytes = encoder.encode(data).length;
    if (bytes > GODOT_FRAME_CAP) {
      this.violations.push(`frame of ${bytes} bytes exceeds ${GODOT_FRAME_CAP}`);
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.violations.push(`invalid JSON frame: ${data.slice(0, 80)}`);
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      this.violations.push(`frame is not a JSON object: ${data.slice(0, 80)}`);
      return;
    }
    const record = message as Message;
    if (typeof record.type !== "string") {
      this.violations.push(`frame without type: ${data.slice(0, 80)}`);
    }
    for (const problem of godotProblems(record)) this.violations.push(problem);
    this.queue.push(record);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(text: string | Uint8Array): void {
    this.socket.send(text);
  }

  next(
    type: string | string[],
    options?: { where?: (m: Message) => boolean; timeoutMs?: number },
  ): Promise<Message> {
    return this.queue.next(type, options);
  }

  /** Sends `message` and waits for the reply of `replyType`. */
  async request(message: Record<string, unknown>, replyType: string): Promise<Message> {
    this.send(message);
    return await this.next(replyType);
  }

  /** A ping round trip: proves the connection still works and all earlier messages were handled. */
  async roundTrip(): Promise<Message> {
    return await this.request({ type: "ping" }, "pong");
  }

  assertClean(): void {
    if (this.violations.length > 0) {
      throw new Error(
        `Godot client would break on:\n  ${this.violations.slice(0, 10).join("\n  ")}`,
      );
    }
  }

  /** Closes the socket and fails if the server ever sent something Godot could not take. */
  async close(): Promise<void> {
    if (
      this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close();
    }
    await this.closed;
    this.assertClean();
  }
}
