import { newClientId } from "../core/ids.ts";
import type { Principal } from "../core/identity/principal.ts";
import type { OutboundMessage, Session, TransportKind } from "../core/session.ts";

/**
 * A Session for unit tests: it keeps what it was sent, and the test says how much of it the peer
 * has not read yet (`bufferedBytes`), so pacing and stalls are driven by hand.
 */
export class FakeSession implements Session {
  readonly id = newClientId();
  readonly transport: TransportKind;
  readonly address: string;
  readonly principal?: Principal;
  readonly sent: OutboundMessage[] = [];
  bufferedBytes = 0;
  closed: { code: number; reason: string } | undefined;
  /** Called on close (a transport tells the dispatcher its session is gone). */
  onClose?: () => void;

  constructor(
    options: { address?: string; transport?: TransportKind; principal?: Principal } = {},
  ) {
    this.address = options.address ?? "192.0.2.1";
    this.transport = options.transport ?? "websocket";
    if (options.principal) this.principal = options.principal;
  }

  send(message: OutboundMessage): void {
    if (this.closed) return;
    this.sent.push(message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.onClose?.();
  }

  /** The events sent so far, in order. */
  get events(): string[] {
    return this.sent.map((message) => message.event);
  }

  /** The messages sent of one event. */
  of(event: string): OutboundMessage[] {
    return this.sent.filter((message) => message.event === event);
  }

  /** Forgets what was sent (the next assertions see only what follows). */
  clear(): void {
    this.sent.length = 0;
  }
}
