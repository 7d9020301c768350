import { io, type Socket } from "socket.io-client";
import { type Message, MessageQueue } from "./message_queue.ts";

/** A `socket.io-client` connection whose received events land in a MessageQueue like GodotClient's. */
export class SioClient {
  readonly queue = new MessageQueue();
  readonly socket: Socket;
  clientId = "";

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.onAny((event: string, payload: Record<string, unknown>) =>
      this.queue.push({ ...payload, type: event })
    );
  }

  /** Connects; `auth` is the handshake's auth object (`{token}` for a player or the operator). */
  static async connect(
    baseUrl: string,
    transports: ("websocket" | "polling")[] = ["websocket"],
    auth?: Record<string, unknown>,
  ): Promise<SioClient> {
    const socket = io(baseUrl, {
      transports,
      forceNew: true,
      reconnection: false,
      timeout: 5000,
      ...(auth ? { auth } : {}),
    });
    const client = new SioClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", (error: Error) => reject(error));
    });
    client.clientId = (await client.next("connected")).client_id as string;
    return client;
  }

  emit(event: string, payload?: unknown): void {
    if (payload === undefined) this.socket.emit(event);
    else this.socket.emit(event, payload);
  }

  /** Emits with an acknowledgement callback and resolves with what the server acked. */
  emitWithAck(event: string, payload: unknown): Promise<Record<string, unknown>> {
    return this.socket.timeout(5000).emitWithAck(event, payload);
  }

  next(
    type: string | string[],
    options?: { where?: (m: Message) => boolean; timeoutMs?: number },
  ): Promise<Message> {
    return this.queue.next(type, options);
  }

  async request(event: string, payload: unknown, replyType: string): Promise<Message> {
    this.emit(event, payload);
    return await this.next(replyType);
  }

  async roundTrip(): Promise<Message> {
    return await this.request("ping", {}, "pong");
  }

  async close(): Promise<void> {
    if (!this.socket.connected) return;
    const gone = new Promise<void>((resolve) => this.socket.once("disconnect", () => resolve()));
    this.socket.disconnect();
    await gone;
  }
}
