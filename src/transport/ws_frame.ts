import { Buffer } from "node:buffer";
import * as wsModule from "ws";
import type { WebSocket } from "ws";

/** `ws` exports its framing as `Sender`; `@types/ws` does not declare it. */
interface WsFraming {
  Sender: {
    frame(
      data: Buffer,
      options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
    ): Buffer[];
  };
}

/** A complete unmasked WebSocket text frame, header and payload in one buffer (one write). */
export function textFrame(payload: Uint8Array): Buffer {
  const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const parts = (wsModule as unknown as WsFraming).Sender.frame(data, {
    fin: true,
    opcode: 1,
    mask: false,
    readOnly: false,
    rsv1: false,
  });
  return Buffer.concat(parts);
}

/**
 * The `ws` internal that takes an already built frame — the one engine.io uses for Socket.IO
 * broadcasts (`wsPreEncodedFrame`). Writing it directly is in order with `ws`'s own sends because
 * this server never negotiates permessage-deflate and never sends Blobs, the only cases in which
 * `ws` queues frames instead of writing them.
 */
interface FrameSender {
  _sender?: { sendFrame?: (list: Buffer[]) => void };
}

/** Writes a frame built by `textFrame`; false if this `ws` has no such path (then use `send`). */
export function sendPreFramed(ws: WebSocket, frame: Buffer): boolean {
  const sender = (ws as unknown as FrameSender)._sender;
  if (typeof sender?.sendFrame !== "function") return false;
  sender.sendFrame([frame]);
  return true;
}
